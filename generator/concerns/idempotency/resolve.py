"""Idempotent functions: the event field that identifies a duplicate, and the service's table."""

from __future__ import annotations


def function_fields(given, so_far: dict) -> dict:
    return {"idempotency_key": given.fn.idempotency.key if given.fn.idempotency else None}


def service_fields(given) -> dict:
    wanted = any(fn.idempotency for fn in given.spec.functions.values())
    return {"idempotency_table": given.names.physical("table", "idempotency") if wanted else None}
