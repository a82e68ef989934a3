"""End-to-end: the demo platform's services with HTTP routes deploy on moto's CloudFormation.

moto 5.2.1 creates no AWS::ApiGatewayV2 resource (KNOWN_MOTO_SKIPS), so this checks what can be
checked locally: each routed stack is CREATE_COMPLETE, the API resources are skipped and nothing
new beside them, and every routed function's resource policy lets API Gateway invoke it for its
own route only. deploy_demo (demo_stacks.py) already fails on any unknown skipped type.
"""

from __future__ import annotations

import json

import pytest
from demo_stacks import STAGE, deploy_demo
from moto_compat import KNOWN_MOTO_SKIPS, skipped_resources
from ruamel.yaml import YAML

from generator import pipeline
from generator.concerns.http import render as http_api
from generator.stages import resolve_stage

API_TYPES = frozenset(t for t in KNOWN_MOTO_SKIPS if t.startswith("AWS::ApiGatewayV2::"))


@pytest.fixture(scope="module")
def routed(demo_workspace, aws, moto_endpoint, moto_server_log):
    """(demo platform with the routed services deployed, {service: its template})."""
    services = sorted(item.spec.service for item in demo_workspace.services
                      if any(fn.http for fn in item.spec.functions.values()))
    demo = deploy_demo(demo_workspace, aws, moto_endpoint, moto_server_log, only=services)
    artifacts = pipeline.render_all(demo_workspace, resolve_stage(STAGE, demo_workspace.platform))
    templates = {a.stack: YAML(typ="safe", pure=True).load(a.text) for a in artifacts if a.stack in services}
    return demo, templates


def test_the_demo_has_routes_in_three_services(routed):
    _, templates = routed
    assert set(templates) == {"accounts", "ledger", "onboarding"}


def test_stacks_with_routes_are_created_completely(routed, aws):
    demo, templates = routed
    cfn = aws("cloudformation")
    for service in templates:
        assert demo.stacks[service]["StackStatus"] == "CREATE_COMPLETE", service
        # deploy_stack returns only a complete stack, so the line above cannot fail: ask
        # CloudFormation what it holds, and find every resource moto models created.
        (stack,) = cfn.describe_stacks(StackName=f"acme-{STAGE}-{service}")["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE", service
        created = {r["LogicalResourceId"]: r["ResourceStatus"] for page in cfn.get_paginator(
            "list_stack_resources").paginate(StackName=stack["StackName"]) for r in page["StackResourceSummaries"]
            if r["LogicalResourceId"]}  # moto lists what it skipped without an id
        modelled = {k for k, r in templates[service]["Resources"].items() if r["Type"] not in KNOWN_MOTO_SKIPS}
        assert set(created) == modelled, service
        assert set(created.values()) == {"CREATE_COMPLETE"}, service


def test_beside_long_known_skips_only_the_api_gateway_v2_resources_are_skipped(routed, aws):
    demo, templates = routed
    for service, template in templates.items():
        skipped = skipped_resources(template, aws("cloudformation"), demo.stacks[service]["StackName"])
        api = {logical_id for logical_id, r in template["Resources"].items() if r["Type"] in API_TYPES}
        assert api and api <= set(skipped), service
        assert {skipped[i] for i in set(skipped) - api} <= KNOWN_MOTO_SKIPS - API_TYPES, service
        assert not {i for i, t in skipped.items() if t in {"AWS::Lambda::Permission", "AWS::Logs::LogGroup"}}


def test_each_routed_function_is_invocable_by_api_gateway_for_its_route_only(routed, aws):
    demo, templates = routed
    granted = {}
    for service in templates:
        for fn in (f for f in demo.services[service].functions if f.http):
            policy = json.loads(aws("lambda").get_policy(FunctionName=fn.name)["Policy"])
            (statement,) = policy["Statement"]  # API Gateway is the only principal
            assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}, fn.name
            # `{api}/*/METHOD/path`, the API id being moto_compat's placeholder here.
            tail = http_api.source_arn(fn.http).to_dict()["Fn::Sub"].split("${HttpApi}", 1)[1]
            assert statement["Condition"]["ArnLike"]["AWS:SourceArn"].endswith(tail), fn.name
            granted[service, fn.key] = statement["Condition"]["ArnLike"]["AWS:SourceArn"]
    # The expectation above is computed by the code that rendered the permission; the routes of
    # the demo's specs, independently: any stage, the method, each path parameter one segment.
    api = "arn:aws:execute-api:eu-west-1:123456789012:moto-skipped:HttpApi"
    assert granted == {("accounts", "review-decision"): f"{api}/*/POST/reviews/*/decision",
                       ("ledger", "get-balance"): f"{api}/*/GET/accounts/*/balance",
                       ("onboarding", "submit-application"): f"{api}/*/POST/applications",
                       ("onboarding", "resubmit-application"): f"{api}/*/POST/applications/*/resubmit"}
