"""Who consumes subscriptions in a service: functions with `subscribe` and workflows started by
events, each through its own queue. Shared by the bus rules and the store subscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from generator.concerns.queue.resolve import ResolvedQueue
from generator.render_context import RenderContext


@dataclass(frozen=True)
class Consumer:
    key: str  # function key, or `<workflow>-start`
    logical_id: str
    queue: ResolvedQueue
    subscriptions: tuple
    origin: tuple  # spec path of the subscription list


def consumers(ctx: RenderContext) -> list[Consumer]:
    found = [Consumer(fn.key, fn.logical_id, fn.queue, fn.subscriptions, ("functions", fn.key, "subscribe"))
             for fn in ctx.svc.functions if fn.subscriptions]
    found += [Consumer(f"{wf.key}-start", wf.logical_id + "Start", wf.start_queue, wf.started_by,
                       ("workflows", wf.key, "started_by"))
              for wf in ctx.svc.workflows if wf.started_by]
    return found
