"""A service's `alerts:`: who is told when an alarm fires."""

from __future__ import annotations

from pydantic import Field

from generator.spec.base import Email, Strict


class Alerts(Strict):
    email: list[Email] = Field(default_factory=list)
