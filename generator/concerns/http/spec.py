"""`http:`, a function's HTTP API route."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from generator.spec.base import HTTP_ROUTE, Strict


class HttpFragment(Strict):
    http: Annotated[str, StringConstraints(pattern=HTTP_ROUTE)] | None = Field(
        None, description="HTTP API route, e.g. `GET /accounts/{id}`.")
