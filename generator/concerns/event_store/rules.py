"""Rules of event stores: own store subscriptions, store access, and other services' stores."""

from __future__ import annotations

from generator.rules.base import FleetRule, SpecRule, subscriptions_of

DESIGN = "docs/design.md"


def own_store_sites(ctx):
    for site in ctx.subscriptions():
        if site.sub.store is not None and site.sub.from_ in (None, ctx.spec.service):
            yield site


class OwnStoreEventExists(SpecRule):
    id = "SVC1301"
    concern = "event_store"
    summary = "`store: X` on this service's own store needs X in `event_store.events`"
    rationale = "the fan-out topic only carries the events the store holds: anything else never arrives"
    source = DESIGN

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
    rationale = "store subscriptions read the store's topic, which exists only with fan-out"
    source = DESIGN

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
    rationale = "the grant names the service's own table; there is nothing to grant without one"
    source = DESIGN

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
    rationale = "the subscription imports S's exported store topic: without it the stack cannot be created"
    source = DESIGN

    def check(self, fleet):
        for item in fleet.services:
            for site in subscriptions_of(item.spec):
                sub = site.sub
                # a workflow started by a store event is already wrong (SVC1402): one error, not two
                if sub.store is None or sub.from_ in (None, item.spec.service) or site.owner_kind != "function":
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
