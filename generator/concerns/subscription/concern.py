"""The subscription concern as registered in generator/concerns/registry.py: `subscribe:` makes a
function a batch consumer of its queue (codegen kind `queue`)."""

from __future__ import annotations

from typing import Any

from generator.concerns.concern import Concern
from generator.concerns.subscription.spec import SubscribeFragment


class SubscriptionConcern(Concern):
    name = "subscription"
    function_fragment = SubscribeFragment
    rules_modules = ("generator.concerns.subscription.rules", "generator.concerns.subscription.filters")
    resolve_module = "generator.concerns.subscription.resolve"
    render_module = "generator.concerns.subscription.render"
    kind = "queue"
    trigger_words = "subscribe"
    described_as = "a queue consumer"
    test_helpers = ("lambda_context", "sqs_event", "sqs_record")
    test_imports = (("svcgen_support", ("invalid_envelope", "sample_envelope")),)

    def trigger(self, spec, key: str) -> bool:
        return bool(spec.functions[key].subscribe)

    def test_context(self, plan) -> dict[str, Any]:
        from generator.concerns.subscription.codegen import test_records

        return {"records": test_records(plan)}

    def invoke_request(self, fn, event, sample):
        from generator.concerns.subscription.invoke import queue_request

        return queue_request(fn, event, sample)
