"""ResolvedService -> troposphere Template: each concern renders in the registry's order
(generator/concerns/registry.py), then IAM is assembled from their grants."""

from __future__ import annotations

import importlib

from generator import iam
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
                                          "owner": svc.owner, "artifacts-stage": svc.stage.platform_stage}})
    for module in concerns.render_modules():  # every concern, in the registry's order
        importlib.import_module(module).render(ctx)
    iam.render_roles(ctx)
    return ctx
