"""Rules of HTTP routes (one API Gateway HTTP API per service).

The spec's schema (spec/base.py HTTP_ROUTE) admits a method and a path of allowed characters;
these rules judge the path's shape the way API Gateway does when it creates the route: every
segment non-empty, a parameter is a whole segment `{name}` (or a greedy `{name+}`, only last),
each parameter named once.
"""

from __future__ import annotations

import keyword
import re

from generator.rules.base import SpecRule

HTTP_API_QUOTAS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html"
HTTP_API_ROUTES = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html"
# API Gateway HTTP APIs give up on an integration after 30 s (API Gateway quotas); a longer
# function timeout would keep running after the caller already got a 503.
HTTP_INTEGRATION_TIMEOUT_SECONDS = 30
# A path parameter segment: `{name}`, or greedy `{name+}`.
PARAMETER_SEGMENT = re.compile(r"^\{(?P<name>[^{}+]+)(?P<greedy>\+?)\}$")


def routes(spec):
    for name, fn in spec.functions.items():
        if fn.http is not None:
            yield name, fn


def segments(route: str) -> list[str]:
    """`GET /a/{id}/b` -> `["a", "{id}", "b"]`; the root path `/` has no segments."""
    path = route.split(" ", 1)[1]
    return [] if path == "/" else path[1:].split("/")


def parameters(route: str) -> list[tuple[str, bool]]:
    """(name, greedy) of each well-formed parameter segment, in order."""
    found = []
    for segment in segments(route):
        match = PARAMETER_SEGMENT.match(segment)
        if match:
            found.append((match["name"], bool(match["greedy"])))
    return found


class RouteServedOnce(SpecRule):
    id = "SVC1501"
    concern = "http"
    summary = "each route is served by one function"
    rationale = "API Gateway refuses two routes with one route key"
    source = HTTP_API_ROUTES

    def check(self, ctx):
        seen: dict[str, str] = {}
        for name, fn in routes(ctx.spec):
            if fn.http in seen:
                yield self.error(ctx.doc, ("functions", name, "http"),
                                 f"route {fn.http!r} is already served by {seen[fn.http]!r}",
                                 "each route has one function")
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
            # Malformed parameter segments are SVC1510's; a greedy one is never a Python name.
            params = [p + ("+" if greedy else "") for p, greedy in parameters(fn.http)]
            # `request` is the body's parameter in the generated route function.
            bad = [p for p in params if not p.isidentifier() or keyword.iskeyword(p) or p.startswith("_")
                   or p == "request"]
            if bad:
                yield self.error(ctx.doc, ("functions", name, "http"),
                                 f"path parameters must be Python names, got {', '.join(bad)}",
                                 "use {account_id}, not {account-id} or {proxy+}")


class ParameterIsWholeSegment(SpecRule):
    id = "SVC1510"
    concern = "http"
    summary = "a `{` or `}` in a route path only frames a whole segment, `{name}` or `{name+}`"
    rationale = ("API Gateway refuses a route whose path parts are not a literal or one whole {name} parameter "
                 "(`/a/{id`, `/a/id}`, `/files/{name}.json`, `/{}`): BadRequestException \"One or more path parts "
                 "appear to be invalid\" when the stack is deployed")
    source = "https://github.com/serverless/serverless/issues/10423"

    def check(self, ctx):
        for name, fn in routes(ctx.spec):
            bad = [s for s in segments(fn.http) if ("{" in s or "}" in s) and not PARAMETER_SEGMENT.match(s)]
            if bad:
                yield self.error(ctx.doc, ("functions", name, "http"),
                                 f"a path parameter must be a whole segment `{{name}}` with matching braces, got "
                                 f"{', '.join(repr(s) for s in bad)} in {fn.http!r}",
                                 "write `/accounts/{account_id}`: one parameter per segment, nothing around it")


class NoEmptySegment(SpecRule):
    id = "SVC1511"
    concern = "http"
    summary = "a route path has no empty segment: no `//`, no trailing `/` (except the root path `/`)"
    rationale = ("API Gateway refuses such a route key at deploy (a path must start with `/` and not end with one; "
                 "every path part must be non-empty); it also matches `/a` and `/a/` alike")
    source = "https://github.com/aws/aws-cdk/pull/13981"

    def check(self, ctx):
        for name, fn in routes(ctx.spec):
            if "" in segments(fn.http):
                path = fn.http.split(" ", 1)[1]
                fixed = "/" + "/".join(s for s in segments(fn.http) if s)
                yield self.error(ctx.doc, ("functions", name, "http"),
                                 f"a route path must not have an empty segment (`//` or a trailing `/`), got {path!r}",
                                 f"write {fixed!r}")


class GreedyParameterLast(SpecRule):
    id = "SVC1512"
    concern = "http"
    summary = "a greedy path parameter `{name+}` is the last segment of the route"
    rationale = ("a greedy parameter takes the rest of the path; API Gateway requires it at the end of the "
                 "resource path and refuses the route otherwise")
    source = HTTP_API_ROUTES

    def check(self, ctx):
        for name, fn in routes(ctx.spec):
            parts = segments(fn.http)
            for i, segment in enumerate(parts[:-1]):
                match = PARAMETER_SEGMENT.match(segment)
                if match and match["greedy"]:
                    yield self.error(ctx.doc, ("functions", name, "http"),
                                     f"a greedy path parameter must be the last segment, got {segment!r} followed by "
                                     f"{'/'.join(parts[i + 1:])!r} in {fn.http!r}",
                                     "it takes the rest of the path: end the route with it, or make it `{name}`")
                    break


class ParameterNamesUnique(SpecRule):
    id = "SVC1513"
    concern = "http"
    summary = "each path parameter of a route has its own name"
    rationale = ("the request's `pathParameters` is a map keyed by name, so a repeated name delivers only one of "
                 "the values; and each parameter becomes an argument of the generated route function, where a "
                 "repeated name is a SyntaxError")
    source = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html"

    def check(self, ctx):
        for name, fn in routes(ctx.spec):
            seen: set[str] = set()
            repeated = []
            for param, _ in parameters(fn.http):
                if param in seen and param not in repeated:
                    repeated.append(param)
                seen.add(param)
            if repeated:
                yield self.error(ctx.doc, ("functions", name, "http"),
                                 f"path parameter names must be unique in a route, got "
                                 f"{', '.join('{' + p + '}' for p in repeated)} twice in {fn.http!r}",
                                 "name each after what it identifies, e.g. /accounts/{account_id}/cards/{card_id}")
