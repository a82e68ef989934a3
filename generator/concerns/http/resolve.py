"""A function's HTTP API route, and the platform's authorizer when any function has one."""

from __future__ import annotations

from dataclasses import dataclass

from generator.naming import logical


@dataclass(frozen=True)
class ResolvedRoute:
    method: str
    path: str
    logical_id: str


def function_fields(given, so_far: dict) -> dict:
    route = given.fn.http
    if not route:
        return {"http": None}
    method, path = route.split(" ", 1)
    return {"http": ResolvedRoute(method, path, logical_id=logical(given.key, "route"))}


def service_fields(given) -> dict:
    routed = any(fn.http for fn in given.spec.functions.values())
    return {"http_auth": given.platform.http if routed else None}
