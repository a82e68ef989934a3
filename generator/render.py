"""ResolvedService -> troposphere Template, one component per concern, IAM assembled last."""

from __future__ import annotations

import importlib

from generator import iam
from generator.concerns.alarms import render as alarms
from generator.concerns.encryption import render as encryption
from generator.concerns.event_store import render as event_store
from generator.concerns.function import render as function
from generator.concerns.http import render as http_api
from generator.concerns.idempotency import render as idempotency
from generator.concerns.events import render as publishing
from generator.concerns.queue import render as queue
from generator.concerns.subscription import render as subscription
from generator.concerns.workflow import render as workflow
from generator.render_context import RenderContext
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
    for module in concerns.render_modules():  # registered concerns, in order: after the rest, before IAM (grants)
        importlib.import_module(module).render(ctx)
    iam.render_roles(ctx)
    return ctx
