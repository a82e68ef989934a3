"""Every setting a platform team may change reaches the output: tests/tuned/platform.yaml changes
each of them away from svcgen's built-in value, and tests/tuned/cards.yaml sets none of them
itself. Deleting any platform lookup in resolve/render makes one of these fail."""

from __future__ import annotations

import pytest

from generator import pipeline
from generator.concerns.alarms import defaults as alarms_defaults
from generator.concerns.function import defaults as function_defaults
from generator.concerns.queue import defaults as queue_defaults
from generator.codegen import plan_service_code
from generator.resolve import resolve_service
from generator.stages import resolve_stage
from generator.workspace import load_workspace
from tests.conftest import ROOT

TUNED = ROOT / "tests" / "tuned"


@pytest.fixture(scope="module")
def ws():
    return load_workspace([TUNED])


def templates(ws, stage: str) -> dict[str, dict]:
    return {a.stack: a.template for a in pipeline.render_all(ws, resolve_stage(stage, ws.platform))}


def of_type(template: dict, kind: str) -> dict:
    return {k: v["Properties"] for k, v in template["Resources"].items() if v["Type"] == kind}


def spec_functions(template: dict) -> dict:
    """The spec's functions (svcgen's own helpers, e.g. a semaphore cleanup, have their own sizes)."""
    return {k: p for k, p in of_type(template, "AWS::Lambda::Function").items()
            if p["FunctionName"].startswith("bank-") and "-cards-" in p["FunctionName"]
            and not any(w in k for w in ("Semaphore", "Cleanup", "StorePublisher"))}


def test_the_tuned_values_differ_from_the_built_in_ones():
    """Otherwise the tests below could pass on the built-in defaults alone."""
    assert (function_defaults.FUNCTION_TIMEOUT, function_defaults.FUNCTION_MEMORY) != (20, 512)
    assert (queue_defaults.QUEUE_BATCH_SIZE, queue_defaults.QUEUE_MAX_RECEIVE_COUNT, alarms_defaults.QUEUE_AGE_ALARM_SECONDS) != (5, 8, 900)
    assert (function_defaults.LOG_RETENTION_DAYS, function_defaults.EPHEMERAL_LOG_RETENTION_DAYS) != (90, 7)


def test_function_defaults(ws):
    functions = spec_functions(templates(ws, "main")["cards"])
    assert set(functions) >= {"IssueCard", "OnCardIssued", "ApproveLimit", "ReviewLimit"}
    for props in functions.values():
        assert (props["Timeout"], props["MemorySize"], props["Runtime"]) == (20, 512, "python3.13")


def test_queue_defaults(ws):
    template = templates(ws, "main")["cards"]
    (mapping,) = of_type(template, "AWS::Lambda::EventSourceMapping").values()
    assert mapping["BatchSize"] == 5
    queue = of_type(template, "AWS::SQS::Queue")["OnCardIssuedQueue"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 8
    # visibility timeout follows the platform's function timeout (6 x 20 s + the batching window)
    assert queue["VisibilityTimeout"] == queue_defaults.VISIBILITY_TIMEOUT_FACTOR * 20 + queue_defaults.QUEUE_BATCHING_WINDOW


@pytest.mark.parametrize("stage, days", [("main", 90), ("pr-9", 7)])
def test_log_retention_per_stage_kind(ws, stage, days):
    groups = of_type(templates(ws, stage)["cards"], "AWS::Logs::LogGroup")
    assert groups and {p["RetentionInDays"] for p in groups.values()} == {days}


def test_queue_age_alarm_threshold(ws):
    alarms = of_type(templates(ws, "main")["cards"], "AWS::CloudWatch::Alarm")
    ages = [p for p in alarms.values() if p["MetricName"] == "ApproximateAgeOfOldestMessage"]
    assert ages and {p["Threshold"] for p in ages} == {900}


def test_http_settings(ws):
    template = templates(ws, "main")["cards"]
    (authorizer,) = of_type(template, "AWS::ApiGatewayV2::Authorizer").values()
    assert authorizer["JwtConfiguration"] == {"Issuer": "https://login.bank.example", "Audience": ["bank-apis"]}
    (stage,) = of_type(template, "AWS::ApiGatewayV2::Stage").values()
    settings = stage["DefaultRouteSettings"]
    assert (settings["ThrottlingBurstLimit"], settings["ThrottlingRateLimit"]) == (40, 20)


def test_bus_and_stages(ws):
    main = templates(ws, "main")
    (bus,) = of_type(main["platform"], "AWS::Events::EventBus").values()
    assert bus["Name"] == "bank-main-events"
    (archive,) = of_type(main["platform"], "AWS::Events::Archive").values()
    assert archive["RetentionDays"] == 30
    pr = templates(ws, "pr-9")
    (pr_bus,) = of_type(pr["platform"], "AWS::Events::EventBus").values()  # its own, light platform stack
    assert pr_bus["Name"] == "bank-pr-9-events" and not of_type(pr["platform"], "AWS::Events::Archive")
    assert "bank-pr-9-platform-bus-name" in str(pr["cards"]) and "bank-main-platform-bus-name" not in str(pr["cards"])
    assert "bank-main-platform-artifacts-bucket" in str(pr["cards"])  # code from the parent's bucket


def test_review_queue_follows_the_platform(ws):
    """The pause's review queue is consumed by the reviewer: its visibility follows the platform's
    function timeout, and its batch size and receive count the platform's queue defaults."""
    svc = resolve_service(ws.services[0].spec, ws.platform, resolve_stage("main", ws.platform))
    (workflow,) = svc.workflows
    (pause,) = workflow.pauses
    assert pause.queue.visibility_timeout == queue_defaults.VISIBILITY_TIMEOUT_FACTOR * 20 + queue_defaults.QUEUE_BATCHING_WINDOW
    assert (pause.queue.batch_size, pause.queue.max_receive_count) == (5, 8)


def test_sensitive_fields_replace_the_built_in_list(ws):
    item = ws.services[0]
    files = plan_service_code(item, ws, resolve_service(item.spec, ws.platform, resolve_stage("main", ws.platform)))
    observability = next(f.body for f in files if f.path.name == "observability.py")
    assert "iban" in observability and "customer_name" in observability
    assert "password" not in observability  # svcgen's own list was replaced, not extended


def test_account_concurrency_limit_sets_the_budget():
    from tests.rules.harness import fails, passes

    platform = (TUNED / "platform.yaml").read_text()
    spec = "service: cards\nowner: team\ndescription: d\nfunctions:\n  ab: {{reserved_concurrency: {n}}}\n"
    passes("SVC2902", spec.format(n=1900), platform=platform)  # 2000 - 100
    fails("SVC2902", spec.format(n=1901), platform=platform)
