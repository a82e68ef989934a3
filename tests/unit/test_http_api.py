"""HTTP endpoints: one API Gateway HTTP API per service with routes, never open, throttled,
access-logged, each function invocable only through its own route."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from generator.concerns.http import defaults as http_defaults
from generator.concerns.http import render as http_api
from generator.errors import SpecErrors
from generator.render import render_service
from generator.resolve import resolve_service
from generator.serialize import to_yaml
from generator.spec.platform import PlatformSpec
from generator.stages import resolve_stage
from generator.workspace import load_workspace
from tests.unit.helpers import PLATFORM, SUBSCRIBER, of_type, rendered, spec

ROUTES = """
service: ledger
owner: team-core
description: test
functions:
  get-balance:
    http: GET /accounts/{id}/balance
  post-entry:
    http: POST /accounts/{account_id}/entries/{entry_id}
  proxy:
    http: ANY /admin/{proxy+}
  health:
    http: GET /
  report: {}
alerts: {email: [oncall@example.com]}
"""
ROUTED = {"GetBalance": ("GET", "/accounts/{id}/balance"),
          "PostEntry": ("POST", "/accounts/{account_id}/entries/{entry_id}"),
          "Proxy": ("ANY", "/admin/{proxy+}"),
          "Health": ("GET", "/")}
JWT = PlatformSpec.model_validate({"org": "acme", "http": {
    "auth": "jwt", "jwt": {"issuer": "https://login.example.com/", "audiences": ["banking", "ops"]},
    "throttling_burst": 20, "throttling_rate": 10}})


def rendered_with(platform: PlatformSpec, text: str = ROUTES, stage: str = "dev") -> dict:
    svc = resolve_service(spec(text), platform, resolve_stage(stage, platform))
    return render_service(svc).template.to_dict()


def props(template: dict, logical_id: str) -> dict:
    return template["Resources"][logical_id]["Properties"]


def test_one_http_api_per_service_with_routes_and_none_without():
    t = rendered(ROUTES)
    (api,) = of_type(t, "AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["ProtocolType"] == "HTTP"
    assert api["Properties"]["Name"] == "acme-dev-ledger-api"
    assert api["Properties"]["Tags"]["service"] == "ledger"  # a map, as ApiGatewayV2 wants
    assert len(of_type(t, "AWS::ApiGatewayV2::Stage")) == 1
    assert {r["Properties"]["RouteKey"] for r in of_type(t, "AWS::ApiGatewayV2::Route").values()} == {
        f"{method} {path}" for method, path in ROUTED.values()}
    without = rendered(SUBSCRIBER)
    assert not [r for r in without["Resources"].values() if r["Type"].startswith("AWS::ApiGatewayV2::")]
    assert not of_type(without, "AWS::Lambda::Permission") and "ApiUrl" not in without["Outputs"]


def test_iam_auth_is_the_default():
    t = rendered(ROUTES)
    for route in of_type(t, "AWS::ApiGatewayV2::Route").values():
        assert route["Properties"]["AuthorizationType"] == "AWS_IAM"
        assert "AuthorizerId" not in route["Properties"]
    assert not of_type(t, "AWS::ApiGatewayV2::Authorizer")


def test_jwt_auth_uses_one_authorizer_for_every_route():
    t = rendered_with(JWT)
    (authorizer_id,) = of_type(t, "AWS::ApiGatewayV2::Authorizer")
    authorizer = props(t, authorizer_id)
    assert authorizer["AuthorizerType"] == "JWT"
    assert authorizer["IdentitySource"] == ["$request.header.Authorization"]
    assert authorizer["JwtConfiguration"] == {"Issuer": "https://login.example.com/",
                                              "Audience": ["banking", "ops"]}
    assert authorizer["ApiId"] == {"Ref": "HttpApi"}
    for route in of_type(t, "AWS::ApiGatewayV2::Route").values():
        assert route["Properties"]["AuthorizationType"] == "JWT"
        assert route["Properties"]["AuthorizerId"] == {"Ref": authorizer_id}


@pytest.mark.parametrize("platform", [PLATFORM, JWT], ids=["iam", "jwt"])
@pytest.mark.parametrize("stage", ["dev", "pr-7"])
def test_no_route_is_ever_open(platform, stage):
    routes = of_type(rendered_with(platform, stage=stage), "AWS::ApiGatewayV2::Route")
    assert len(routes) == len(ROUTED)
    assert {r["Properties"]["AuthorizationType"] for r in routes.values()} <= {"AWS_IAM", "JWT"}
    assert "NONE" not in http_api.AUTHORIZATION_TYPES.values()


def test_platform_cannot_ask_for_open_routes():
    with pytest.raises(ValidationError):
        PlatformSpec.model_validate({"org": "acme", "http": {"auth": "none"}})


def test_stage_is_default_auto_deployed_and_throttled_by_default():
    stage = props(rendered(ROUTES), "HttpApiStage")
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    assert stage["ApiId"] == {"Ref": "HttpApi"}
    # HttpSpec's defaults (spec/platform.py): the platform did not set any.
    assert stage["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50,
                                             "DetailedMetricsEnabled": True}


def test_platform_throttling_settings_reach_the_stage():
    settings = props(rendered_with(JWT), "HttpApiStage")["DefaultRouteSettings"]
    assert (settings["ThrottlingBurstLimit"], settings["ThrottlingRateLimit"]) == (20, 10)


@pytest.mark.parametrize("stage, retention, policy", [("dev", 30, "Retain"), ("pr-7", 3, "Delete")])
def test_access_logs_go_to_own_log_group_as_json_without_ids_or_bodies(stage, retention, policy):
    t = rendered(ROUTES, stage=stage)
    logs = t["Resources"]["HttpApiAccessLogs"]
    assert logs["Type"] == "AWS::Logs::LogGroup"
    assert logs["Properties"]["LogGroupName"] == f"/aws/vendedlogs/apigateway/acme-{stage}-ledger-api"
    assert logs["Properties"]["RetentionInDays"] == retention
    assert logs["DeletionPolicy"] == logs["UpdateReplacePolicy"] == policy
    settings = props(t, "HttpApiStage")["AccessLogSettings"]
    assert settings["DestinationArn"] == {"Fn::GetAtt": ["HttpApiAccessLogs", "Arn"]}
    fields = json.loads(settings["Format"])
    assert fields == http_defaults.HTTP_ACCESS_LOG_FIELDS
    assert {"requestId", "ip", "routeKey", "status", "latency", "integrationErrorMessage"} <= set(fields)
    # The route key, never the path (which carries account ids), and nothing from the request.
    assert all(v.startswith("$context.") for v in fields.values())
    assert not {"$context.path", "$context.requestBody"} & set(fields.values())


def test_each_route_has_a_lambda_proxy_integration_to_its_function():
    t = rendered(ROUTES)
    for fn in ROUTED:
        integration = props(t, f"{fn}Integration")
        assert integration["IntegrationType"] == "AWS_PROXY"
        assert integration["IntegrationUri"] == {"Fn::GetAtt": [fn, "Arn"]}
        assert integration["PayloadFormatVersion"] == "2.0"
        assert props(t, f"{fn}Route")["Target"] == {"Fn::Sub": f"integrations/${{{fn}Integration}}"}


def test_each_function_may_be_invoked_only_through_its_own_route():
    t = rendered(ROUTES)
    permissions = of_type(t, "AWS::Lambda::Permission")
    assert set(permissions) == {f"{fn}ApiPermission" for fn in ROUTED}  # `report` has no route
    prefix = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/"
    expected = {"GetBalance": "GET/accounts/*/balance",
                "PostEntry": "POST/accounts/*/entries/*",
                "Proxy": "*/admin/*",
                "Health": "GET/"}
    for fn, tail in expected.items():
        permission = props(t, f"{fn}ApiPermission")
        assert permission["Principal"] == "apigateway.amazonaws.com"
        assert permission["Action"] == "lambda:InvokeFunction"
        assert permission["FunctionName"] == {"Fn::GetAtt": [fn, "Arn"]}
        assert permission["SourceArn"] == {"Fn::Sub": prefix + tail}


def test_api_needs_no_iam_for_the_functions():
    roles = of_type(rendered(ROUTES), "AWS::IAM::Role")
    sids = {s["Sid"] for r in roles.values()
            for s in r["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]}
    assert sids == {"OwnLogGroup", "Tracing"}


def test_outputs_export_the_invoke_url_and_api_id():
    outputs = rendered(ROUTES)["Outputs"]
    assert outputs["ApiUrl"]["Value"] == {
        "Fn::Sub": "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"}
    assert outputs["ApiUrl"]["Export"] == {"Name": "acme-dev-ledger-api-url"}
    assert outputs["ApiId"] == {"Description": "ID of the service's HTTP API", "Value": {"Ref": "HttpApi"},
                                "Export": {"Name": "acme-dev-ledger-api-id"}}


def test_server_errors_alarm_in_persistent_stages_only():
    alarm = props(rendered(ROUTES), "HttpApiServerErrorsAlarm")
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == ("AWS/ApiGateway", "5xx", "Sum")
    assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["Dimensions"] == [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}},
                                   {"Name": "Stage", "Value": "$default"}]
    assert alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}] and alarm["TreatMissingData"] == "notBreaching"
    assert "HttpApiServerErrorsAlarm" not in rendered(ROUTES, stage="pr-7")["Resources"]


@pytest.mark.e2e  # cfn-lint over rendered templates: the slow tier
@pytest.mark.parametrize("platform", [PLATFORM, JWT], ids=["iam", "jwt"])
@pytest.mark.parametrize("stage", ["dev", "pr-7"])
def test_lint_clean_with_serverless_rules(linter, platform, stage):
    """ES2000/WS2001/ES2003 on the stage, WS1002/ES1007 on the permissions, and cfn-lint's own."""
    assert linter.lint(to_yaml(rendered_with(platform, stage=stage)), "template.yaml") == []


def test_jwt_auth_without_issuer_is_rejected_at_the_platform_line(tmp_path):
    (tmp_path / "platform.yaml").write_text("org: acme\nhttp:\n  auth: jwt\n")
    (tmp_path / "ledger.yaml").write_text(ROUTES)
    with pytest.raises(SpecErrors) as caught:
        load_workspace([tmp_path])
    (error,) = caught.value.errors
    assert (error.file.endswith("platform.yaml"), error.line, error.path) == (True, 2, "http.jwt")
    assert error.message == "is required when `auth` is jwt, got no `jwt` key"
    assert "issuer: https://" in error.hint
