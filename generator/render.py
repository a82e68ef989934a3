"""ResolvedService -> troposphere Template, one component per concern, IAM assembled last."""

from __future__ import annotations

from generator import iam
from generator.components import (alarms, encryption, event_store, function, http_api, idempotency, publishing,
                                   queue, subscription, workflow)
from generator.components.base import RenderContext
from generator.concerns import registry as concerns
from generator.resolve import ResolvedService

TEMPLATE_VERSION = "2010-09-09"


def render_service(svc: ResolvedService) -> RenderContext:
    ctx = RenderContext(svc)
    ctx.template.set_version(TEMPLATE_VERSION)
    kind = "persistent" if svc.stage.persistent else "ephemeral"
    ctx.template.set_description(f"{svc.service} ({svc.stage.name}, {kind}): {svc.description}")
    ctx.template.set_metadata({"svcgen": {"service": svc.service, "stage": svc.stage.name,
                                          "owner": svc.owner, "platform-stage": svc.stage.platform_stage}})
    function.render_parameters(ctx)
    encryption.render(ctx)
    for fn in svc.functions:
        function.render(ctx, fn, publishing.environment(ctx, fn))
        if fn.queue is not None:
            queue.render(ctx, fn, fn.queue)
    subscription.render(ctx)
    publishing.render(ctx)
    http_api.render(ctx)
    event_store.render(ctx)  # after the functions: it adds store access to them
    idempotency.render(ctx)
    alarms.render(ctx)
    workflow.render(ctx)  # after alarms (it adds its own, and the topic exists) and before IAM (grants)
    concerns.render(ctx)  # registered concerns, in registry order: after the rest, before IAM (grants)
    iam.render_roles(ctx)
    return ctx
