"""Rules of event stores: own store subscriptions, store access, other services' stores, and the
one SNS subscription a consumer gets per store topic (concerns/subscription/render_store.py)."""

from __future__ import annotations

from generator.concerns.subscription.render_store import union_policy
from generator.concerns.subscription.filter_grammar import sns_problems
from generator.errors import dotted
from generator.rules.base import FleetRule, SpecRule, subscriptions_of

SNS_FILTERING = "https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html"
SNS_POLICY_CONSTRAINTS = "https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html"
CFN_REF = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-ref.html"
CFN_IMPORT_VALUE = ("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
                    "intrinsic-function-reference-importvalue.html")
DYNAMODB_IAM = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/using-identity-based-policies.html"


def own_store_sites(ctx):
    for site in ctx.subscriptions():
        if site.sub.store is not None and site.sub.from_ in (None, ctx.spec.service):
            yield site


class OwnStoreEventExists(SpecRule):
    id = "SVC1301"
    concern = "event_store"
    summary = "`store: X` on this service's own store needs X in `event_store.events`"
    rationale = ("the fan-out topic only carries the events the store holds: a subscription filtering on any "
                 "other `detail-type` deploys fine and never receives anything")
    source = SNS_FILTERING

    def check(self, ctx):
        store = ctx.spec.event_store
        for site in own_store_sites(ctx):
            if store is None:
                yield self.error(ctx.doc, site.path + ("store",), f"subscribes to its own event store, got no "
                                 f"`event_store` in {ctx.spec.service}",
                                 "add `event_store: {events: [...]}` or name the owning service with `from:`")
            elif site.sub.store not in store.events:
                yield self.error(ctx.doc, site.path + ("store",),
                                 f"must be one of this service's stored events, got {site.sub.store!r}",
                                 f"event_store.events: {', '.join(store.events)}")


class OwnStoreFansOut(SpecRule):
    id = "SVC1302"
    concern = "event_store"
    summary = "subscribing to this service's store needs `event_store.fan_out: true`"
    rationale = ("store subscriptions read the store's topic (`Ref: StoreTopic`), which exists only with fan-out: "
                 "a Ref to a resource the template lacks fails the deploy")
    source = CFN_REF

    def check(self, ctx):
        store = ctx.spec.event_store
        for site in own_store_sites(ctx):
            if store is not None and not store.fan_out:
                yield self.error(ctx.doc, site.path + ("store",), "subscribing to this service's store needs "
                                 "`event_store.fan_out: true`, got fan_out: false", "turn fan_out on, or subscribe on the bus")


class StoreAccessNeedsStore(SpecRule):
    id = "SVC1303"
    concern = "event_store"
    summary = "`store_access` needs an event store in the same service"
    rationale = ("the grant names the service's own table (its ARN from the template); there is nothing to grant "
                 "without one, and the role would reference a resource that does not exist")
    source = DYNAMODB_IAM

    def check(self, ctx):
        for name, fn in ctx.spec.functions.items():
            if fn.store_access and ctx.spec.event_store is None:
                yield self.error(ctx.doc, ("functions", name, "store_access"),
                                 "needs an event store in this service, got no `event_store`",
                                 "add `event_store: {events: [...]}`")


class OtherStoreExists(FleetRule):
    id = "SVC2301"
    concern = "event_store"
    summary = "`store: X, from: S` names a service S in the build whose fanned-out store holds X"
    rationale = ("the subscription imports S's exported store topic (Fn::ImportValue): an import of an export no "
                 "stack provides fails the stack's creation")
    source = CFN_IMPORT_VALUE

    def check(self, fleet):
        for item in fleet.services:
            for site in subscriptions_of(item.spec):
                sub = site.sub
                # a workflow started by a store event is already wrong (SVC1402): one error, not two
                if sub.store is None or sub.from_ in (None, item.spec.service) or site.owner_kind != "function" \
                        or sub.from_ in fleet.broken:  # its own spec's errors come first
                    continue
                path = site.path + ("from",)
                other = fleet.by_name.get(sub.from_)
                if other is None:
                    yield self.error(item.doc, path, f"must be a service in this build, got {sub.from_!r}",
                                     "its store topic is imported from that service's stack")
                elif other.spec.event_store is None or not other.spec.event_store.fan_out:
                    yield self.error(item.doc, path, f"{sub.from_} must have an event store with fan_out, got none "
                                     f"in {other.doc.file}")
                elif sub.store not in other.spec.event_store.events:
                    yield self.error(item.doc, site.path + ("store",),
                                     f"must be an event {sub.from_}'s store holds, got {sub.store!r}",
                                     f"{other.doc.file}: {', '.join(other.spec.event_store.events)}")


# --- the one SNS subscription per (store topic, queue) ------------------------------------------

def store_topic_groups(ctx) -> dict[tuple, list]:
    """A consumer's `store:` entries by the store topic they read: (owner kind, owner, publishing
    service) -> the entries in spec order. svcgen renders one SNS subscription per group
    (concerns/subscription/render_store.py). Entries naming both or neither of `event`/`store` are
    SVC1201's and belong to no group."""
    groups: dict[tuple, list] = {}
    for site in ctx.subscriptions():
        if site.sub.store is None or site.sub.event is not None:
            continue
        publisher = site.sub.from_ or ctx.spec.service
        groups.setdefault((site.owner_kind, site.owner, publisher), []).append(site)
    return groups


class MergedStoreSubscriptionWithinLimits(SpecRule):
    id = "SVC1310"
    concern = "event_store"
    summary = ("the `store:` entries of one function (or workflow) on one store, merged into the one SNS subscription "
               "svcgen renders for them, make a filter policy within SNS's limits (150 combinations, 5 keys, 256 KB)")
    rationale = ("SNS keeps one subscription per topic and queue, so svcgen renders the union of the entries as one "
                 "filter policy (an `$or` of their alternatives when their filters differ), and the alternatives' "
                 "combinations add up. Each entry can be within the limits while the union is not: SNS then refuses "
                 "the subscription and the stack deploy fails, after every other check passed. Entries over a limit "
                 "on their own are SVC1211's")
    source = SNS_POLICY_CONSTRAINTS

    def check(self, ctx):
        for (_, owner, publisher), sites in store_topic_groups(ctx).items():
            if len(sites) < 2:
                continue  # a lone entry's policy is judged by SVC1211
            if any(_limit_problems([site]) for site in sites):
                continue  # one entry alone is over a limit: SVC1211 says so, at that entry
            problems = _limit_problems(sites)
            if not problems:
                continue
            first, others = sites[0], sites[1:]
            where = ", ".join(f"{dotted(s.path)} (line {ctx.doc.locate(s.path)[0]})" for s in others)
            store = "this service's store" if publisher == ctx.spec.service else f"{publisher}'s store"
            for problem in problems:
                yield self.error(
                    ctx.doc, first.path,
                    f"the {len(sites)} `store:` entries of {owner} on {store} are one SNS subscription (SNS allows one "
                    f"per topic and queue), and its merged filter policy is over a limit: {problem.message}",
                    f"merged with {where}; the entries' combinations add up, each its event types times its "
                    "filter's combinations: list fewer values, match them with `prefix`, `numeric` or "
                    "`anything-but`, or move some of the events to another function, with a queue of its own")


def _limit_problems(sites) -> list:
    policy = union_policy((site.sub.store, site.sub.filter) for site in sites)
    return [p for p in sns_problems(policy) if p.kind != "grammar"]
