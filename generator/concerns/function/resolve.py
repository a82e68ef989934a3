"""A function's own settings, every default applied: names, handler, runtime, sizes, environment."""

from __future__ import annotations

from generator.concerns.function import defaults
from generator.naming import logical


def function_fields(given, so_far: dict) -> dict:
    fn, key, platform = given.fn, given.key, given.platform
    names = given.names
    return {
        "key": key,
        "logical_id": logical(key),
        "name": names.function(key),
        "role_name": names.role(key),
        "log_group_name": names.log_group(key),
        "handler": fn.handler or f"handlers.{key.replace('-', '_')}.handle",
        "entry": f"plumbing.{key.replace('-', '_')}.handler",
        "description": fn.description or f"{given.spec.service} {key}",
        "runtime": given.spec.runtime or platform.runtimes.default,
        "timeout": fn.timeout or platform.defaults.function.timeout or defaults.FUNCTION_TIMEOUT,
        "memory": fn.memory or platform.defaults.function.memory or defaults.FUNCTION_MEMORY,
        "environment": tuple(sorted(fn.environment.items())),
        # Reserved concurrency would let ephemeral stages eat the account's shared pool (DESIGN).
        "reserved_concurrency": fn.reserved_concurrency if given.stage.persistent else None,
    }


def service_fields(given) -> dict:
    logs = given.platform.defaults.logs
    if given.stage.persistent:
        return {"log_retention_days": logs.retention_days or defaults.LOG_RETENTION_DAYS}
    return {"log_retention_days": logs.ephemeral_retention_days or defaults.EPHEMERAL_LOG_RETENTION_DAYS}
