"""Rules of HTTP routes (one API Gateway HTTP API per service)."""

from __future__ import annotations

import keyword

from generator.codegen.functions import PARAM
from generator.rules.base import SpecRule

HTTP_API_QUOTAS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html"
# API Gateway HTTP APIs give up on an integration after 30 s (API Gateway quotas); a longer
# function timeout would keep running after the caller already got a 503.
HTTP_INTEGRATION_TIMEOUT_SECONDS = 30


def routes(spec):
    for name, fn in spec.functions.items():
        if fn.http is not None:
            yield name, fn


class RouteServedOnce(SpecRule):
    id = "SVC1501"
    concern = "http"
    summary = "each route is served by one function"
    rationale = "API Gateway refuses two routes with one route key"
    source = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html"

    def check(self, ctx):
        seen: dict[str, str] = {}
        for name, fn in routes(ctx.spec):
            if fn.http in seen:
                yield self.error(ctx.doc, ("functions", name, "http"),
                                 f"route {fn.http!r} is already served by {seen[fn.http]!r}", "each route has one function")
            seen.setdefault(fn.http, name)


class RouteTimeoutFitsGateway(SpecRule):
    id = "SVC1502"
    concern = "http"
    summary = f"a function behind a route times out within {HTTP_INTEGRATION_TIMEOUT_SECONDS} s"
    rationale = "API Gateway ends the request after 30 s; the function would keep running for nobody"
    source = HTTP_API_QUOTAS

    def check(self, ctx):
        for name, fn in routes(ctx.spec):
            if fn.timeout is not None and fn.timeout > HTTP_INTEGRATION_TIMEOUT_SECONDS:
                yield self.error(ctx.doc, ("functions", name, "timeout"),
                                 f"a function behind an HTTP route must time out within "
                                 f"{HTTP_INTEGRATION_TIMEOUT_SECONDS} s, got {fn.timeout}",
                                 "API Gateway ends the request after 30 s; start a workflow for long work")


class PathParametersArePythonNames(SpecRule):
    id = "SVC1503"
    concern = "http"
    summary = "route path parameters are Python names"
    rationale = "each parameter becomes an argument of the generated route function"
    source = "https://docs.powertools.aws.dev/lambda/python/latest/core/event_handler/api_gateway/"

    def check(self, ctx):
        for name, fn in routes(ctx.spec):
            params = PARAM.findall(fn.http.split(" ", 1)[1])
            # `request` is the body's parameter in the generated route function.
            bad = [p for p in params if not p.isidentifier() or keyword.iskeyword(p) or p.startswith("_")
                   or p == "request"]
            if bad:
                yield self.error(ctx.doc, ("functions", name, "http"),
                                 f"path parameters must be Python names, got {', '.join(bad)}",
                                 "use {account_id}, not {account-id} or {proxy+}")
