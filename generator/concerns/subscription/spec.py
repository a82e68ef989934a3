"""`subscribe:`, the function fields of the subscription concern (the entry's shape, `Subscription`,
is in spec/base.py: workflows' `started_by` uses it too)."""

from __future__ import annotations

from pydantic import Field

from generator.spec.base import Strict, Subscription


class SubscribeFragment(Strict):
    subscribe: list[Subscription] = Field(default_factory=list)
