"""HTTP endpoints: one API Gateway HTTP API per service that declares any `http:` route.

Never open: every route is signed with SigV4 (`AWS_IAM`) or carries a JWT checked by one
authorizer, as the platform's `http.auth` says; there is no way to ask for `NONE`. The `$default`
stage deploys itself (no deployment resources to order), throttles every route by default
(cfn-lint-serverless ES2003) and writes one JSON access-log line per request to its own log group
(ES2000/WS2001). Each function may be invoked by API Gateway for its own route of this API only
(`SourceArn`), so another API, or another route of this one, cannot call it.
"""

from __future__ import annotations

import json
import re

from troposphere import GetAtt, Ref, Sub
from troposphere.apigatewayv2 import (
    AccessLogSettings, Api, Authorizer, Integration, JWTConfiguration, Route, RouteSettings, Stage,
)
from troposphere.awslambda import Permission
from troposphere.cloudwatch import MetricDimension

from generator.concerns.http import defaults
from generator.concerns.function import render as function
from generator.concerns.alarms import render as alarms
from generator.concerns.encryption import render as encryption
from generator.render_context import RenderContext, arn
from generator.naming import logical
from generator.concerns.http.resolve import ResolvedRoute
from generator.resolve import ResolvedFunction

API = "HttpApi"
STAGE = "HttpApiStage"
ACCESS_LOGS = "HttpApiAccessLogs"
AUTHORIZER = "HttpApiJwtAuthorizer"
# `$default` is served at the API's root URL, with no stage segment in the path.
STAGE_NAME = "$default"
# The token travels in the Authorization header (a `Bearer ` prefix is optional for API Gateway).
JWT_IDENTITY_SOURCE = "$request.header.Authorization"
INVOKER = "apigateway.amazonaws.com"
# platform `http.auth` -> Route AuthorizationType. `NONE` is deliberately not reachable.
AUTHORIZATION_TYPES = {"iam": "AWS_IAM", "jwt": "JWT"}


def render(ctx: RenderContext) -> None:
    routed = [fn for fn in ctx.svc.functions if fn.http is not None]
    if not routed:
        return
    settings = ctx.svc.http_auth
    # Service-wide resources point at the first route in the spec, so a finding has a line.
    origin = ("functions", routed[0].key, "http")
    names = ctx.svc.names
    api_name = names.physical("api", "api")
    ctx.add(Api(
        API,
        Name=api_name,
        Description=f"{ctx.svc.service} HTTP endpoints ({ctx.svc.stage.name})",
        ProtocolType="HTTP",
        Tags=ctx.tags(),  # a map for ApiGatewayV2, not the Key/Value list ctx.add would set
    ), origin)
    encryption.log_group(ctx, ACCESS_LOGS, names.api_access_log_group(), origin)
    ctx.add(Stage(
        STAGE,
        ApiId=Ref(API),
        StageName=STAGE_NAME,
        Description="Deploys every route change at once; throttled, access-logged",
        AutoDeploy=True,
        AccessLogSettings=AccessLogSettings(
            DestinationArn=GetAtt(ACCESS_LOGS, "Arn"),
            # Compact and key-sorted: byte-identical on every build.
            Format=json.dumps(defaults.HTTP_ACCESS_LOG_FIELDS, sort_keys=True, separators=(",", ":")),
        ),
        DefaultRouteSettings=RouteSettings(
            DetailedMetricsEnabled=defaults.HTTP_DETAILED_METRICS,
            ThrottlingBurstLimit=settings.throttling_burst,
            ThrottlingRateLimit=settings.throttling_rate,
        ),
        Tags=ctx.tags(),
    ), origin)
    if settings.auth == "jwt":
        ctx.add(Authorizer(
            AUTHORIZER,
            ApiId=Ref(API),
            Name=names.physical("api", "jwt"),
            AuthorizerType="JWT",
            IdentitySource=[JWT_IDENTITY_SOURCE],
            JwtConfiguration=JWTConfiguration(Issuer=settings.jwt.issuer, Audience=list(settings.jwt.audiences)),
        ), origin)
    for fn in routed:
        _route(ctx, fn, settings.auth)
    if ctx.persistent:  # an ephemeral stage pages nobody (alarms.py)
        alarms.alarm(ctx, API + "ServerErrorsAlarm", ("api", "5xx"), "AWS/ApiGateway", "5xx",
                     [MetricDimension(Name="ApiId", Value=Ref(API)),
                      MetricDimension(Name="Stage", Value=STAGE_NAME)],
                     "Sum", 0, f"{api_name} answered with server errors (5xx)", origin)
    ctx.export("api-url", Sub(f"https://${{{API}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/"),
               "Invoke URL of the service's HTTP API ($default stage)")
    ctx.export("api-id", Ref(API), "ID of the service's HTTP API")


def _route(ctx: RenderContext, fn: ResolvedFunction, auth: str) -> None:
    route = fn.http
    origin = ("functions", fn.key, "http")
    integration = logical(fn.key, "integration")
    ctx.add(Integration(
        integration,
        ApiId=Ref(API),
        Description=f"{route.method} {route.path} -> {fn.name}",
        IntegrationType="AWS_PROXY",
        IntegrationUri=GetAtt(fn.logical_id, "Arn"),
        PayloadFormatVersion=defaults.HTTP_PAYLOAD_FORMAT_VERSION,
    ), origin)
    authorization = {"AuthorizationType": AUTHORIZATION_TYPES[auth]}
    if auth == "jwt":
        authorization["AuthorizerId"] = Ref(AUTHORIZER)
    ctx.add(Route(
        route.logical_id,
        ApiId=Ref(API),
        RouteKey=f"{route.method} {route.path}",
        Target=Sub(f"integrations/${{{integration}}}"),
        **authorization,
    ), origin)
    # The function's only resource-policy principal (WS1002); synchronous, so no EventInvokeConfig
    # is needed (ES1007 is about asynchronous principals).
    ctx.add(Permission(
        logical(fn.key, "api-permission"),
        Action="lambda:InvokeFunction",
        FunctionName=GetAtt(fn.logical_id, "Arn"),
        Principal=INVOKER,
        SourceArn=source_arn(route),
    ), origin)
    function.invoked(ctx, fn, defaults.CHECKOV_HTTP_NO_DLQ)


def source_arn(route: ResolvedRoute) -> Sub:
    """execute-api ARN of one route of this API, in any stage: `{api}/{stage}/{METHOD}/{path}`.

    Path parameters (`{id}`, `{proxy+}`) match any value, so they become `*`; so does `ANY`.
    """
    method = "*" if route.method == "ANY" else route.method
    path = re.sub(r"\{[^}]*\}", "*", route.path)
    return arn("execute-api", f"${{{API}}}/*/{method}{path}")
