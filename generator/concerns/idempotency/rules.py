"""Rules of opt-in idempotent consumers."""

from __future__ import annotations

from generator.rules.base import SpecRule

POWERTOOLS_IDEMPOTENCY = "https://docs.powertools.aws.dev/lambda/python/latest/utilities/idempotency/"
STORED_IDENTITY = ("aggregate_id", "revision")  # fields every stored event carries besides its contract's


class KeyOfEveryConsumedEvent(SpecRule):
    id = "SVC1601"
    concern = "idempotency"
    summary = "an idempotency key is a required field of every event the function consumes"
    rationale = "a key missing from an event would make all such events one duplicate: all but the first are dropped"
    source = POWERTOOLS_IDEMPOTENCY

    def check(self, ctx):
        for name, fn in ctx.spec.functions.items():
            if fn.idempotency is None:
                continue
            key, where = fn.idempotency.key, ("functions", name, "idempotency", "key")
            if not fn.subscribe:
                yield self.error(ctx.doc, where, "idempotency is for queue consumers, got a function without `subscribe`")
                continue
            for site in ctx.subscriptions():
                if site.owner_kind != "function" or site.owner != name:
                    continue
                contract = ctx.contract_of(site)
                if contract is None:
                    continue  # an unknown contract is reported by its own rule
                field = contract.fields.get(key)
                required = (field is not None and field.required) or (site.is_store and key in STORED_IDENTITY)
                if not required:
                    publisher = site.publisher or ctx.spec.service
                    yield self.error(ctx.doc, where, f"must be a required field of every consumed event, got {key!r} "
                                     f"which {site.event} of {publisher} does not require",
                                     f"{site.event} fields: {', '.join(contract.fields)}")
                    break
