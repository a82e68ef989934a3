"""Publishing milestones: PutEvents on the platform bus only, as this service, for its events only.

IAM conditions `events:source` and `events:detail-type` stop a function from publishing another
service's milestones or an undeclared event (EventBridge IAM condition keys).
"""

from __future__ import annotations

from troposphere import ImportValue

from generator.components.base import RenderContext


def render(ctx: RenderContext) -> None:
    svc = ctx.svc
    if not svc.publishes:
        return
    bus_arn = ImportValue(svc.platform_names.bus_arn_export)
    condition = {
        "StringEquals": {"events:source": svc.source},
        "ForAllValues:StringEquals": {"events:detail-type": list(svc.publishes)},
    }
    for fn in svc.functions:
        ctx.grant(fn.key, ["events:PutEvents"], [bus_arn], condition=condition, sid="PublishOwnMilestones")


def environment(ctx: RenderContext) -> dict[str, object]:
    """What handlers need to publish: the bus and the source they must use."""
    if not ctx.svc.publishes:
        return {}
    return {"EVENT_BUS_NAME": ImportValue(ctx.svc.platform_names.bus_name_export),
            "EVENT_SOURCE": ctx.svc.source}
