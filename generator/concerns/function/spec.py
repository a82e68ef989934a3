"""A function's own fields of the spec (every FunctionSpec inherits them, spec/model.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from generator.spec.base import HANDLER, EnvName, Strict


class FunctionFragment(Strict):
    # 128: Lambda's limit for a Handler, and each part becomes a file name of the service's code.
    handler: Annotated[str, StringConstraints(pattern=HANDLER, max_length=128)] | None = Field(
        None, description="Your business function, module.function; default handlers.<function_name>.handle"
    )
    description: str | None = Field(None, max_length=256)
    timeout: int | None = Field(None, ge=1, le=900, description="Seconds.")
    memory: int | None = Field(None, ge=128, le=10240, description="MB.")
    environment: dict[EnvName, str] = Field(default_factory=dict)
    reserved_concurrency: int | None = Field(
        None, ge=1, le=10000, description="Dropped in ephemeral stages."
    )
