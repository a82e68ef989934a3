"""boto3 clients, created on first use and then reused.

Lazily, so importing a handler needs no AWS configuration (tests, cold-start imports); reused,
because a client costs milliseconds to build and Lambda keeps the process between invocations. `reset()` is for tests
that mock AWS per test (a client must be created inside the mock).
"""

from __future__ import annotations

from typing import Any

import boto3

_clients: dict[str, Any] = {}


def client(service: str) -> Any:
    if service not in _clients:
        _clients[service] = boto3.client(service)
    return _clients[service]


def reset() -> None:
    _clients.clear()
