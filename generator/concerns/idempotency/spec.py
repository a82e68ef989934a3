"""A function's `idempotency:`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from generator.spec.base import Strict


class IdempotencySpec(Strict):
    """Process each business event once, even when SQS or EventBridge deliver it twice."""

    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)] = Field(
        ..., description="A required field of every consumed event that identifies it (not the message id).")


class IdempotencyFragment(Strict):
    idempotency: IdempotencySpec | None = Field(None, description="Opt-in: skip duplicates of the same event.")
