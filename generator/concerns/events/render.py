"""Publishing milestones: PutEvents on the platform bus only, as this service, for each function
only the events it may publish.

IAM conditions `events:source` and `events:detail-type` stop a function from publishing another
service's milestones or an event it does not declare (EventBridge IAM condition keys). What a
function may publish is `ResolvedFunction.publishes` (resolve.function_publishes): the service's
`publishes` while no function declares its own, else exactly its `functions.<f>.publishes`. A
function that may publish nothing gets neither the permission nor the bus in its environment.
"""

from __future__ import annotations

from troposphere import ImportValue

from generator import function_env
from generator.render_context import RenderContext
from generator.resolve import ResolvedFunction


def render(ctx: RenderContext) -> None:
    svc = ctx.svc
    bus_arn = ImportValue(svc.platform_names.bus_arn_export)
    for fn in svc.functions:
        if not fn.publishes:
            continue
        condition = {
            "StringEquals": {"events:source": svc.source},
            "ForAllValues:StringEquals": {"events:detail-type": list(fn.publishes)},
        }
        ctx.grant(fn.key, ["events:PutEvents"], [bus_arn], condition=condition, sid="PublishOwnMilestones")


def environment(ctx: RenderContext, fn: ResolvedFunction) -> dict[str, object]:
    """What a function that may publish needs: the bus and the source it must use."""
    if not fn.publishes:
        return {}
    return {function_env.EVENT_BUS_NAME: ImportValue(ctx.svc.platform_names.bus_name_export),
            function_env.EVENT_SOURCE: ctx.svc.source}
