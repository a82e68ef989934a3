"""examples/: every example builds lint-clean in a persistent and an ephemeral stage, and its
rendered template shows the feature its README explains.

Each (example, stage) is built once per module, in-process, with one shared cfn-lint `Linter`
(building it is the slow part); the per-example tests read the templates that build wrote.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import ruamel.yaml

from generator import pipeline
from generator.concerns.function import defaults as function_defaults
from generator.concerns.queue import defaults as queue_defaults
from generator.errors import SpecErrors
from generator.lint import Linter
from generator.workspace import load_workspace

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(p.name for p in EXAMPLES_DIR.iterdir() if p.is_dir())
PERSISTENT, EPHEMERAL = "dev", "pr-42"
STAGES = (PERSISTENT, EPHEMERAL)
REGION = "eu-west-1"  # the platform default; every example's platform.yaml leaves it unset

yaml = ruamel.yaml.YAML(typ="safe")


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter([REGION])


@pytest.fixture(scope="module")
def build(linter, tmp_path_factory):
    """`build(example, stage)` -> (BuildResult, out dir); each pair is built only once."""
    cache: dict[tuple[str, str], tuple[pipeline.BuildResult, Path]] = {}

    def _build(example: str, stage: str):
        key = (example, stage)
        if key not in cache:
            ws = load_workspace([EXAMPLES_DIR / example])
            assert ws.platform.region == REGION, "the shared Linter lints for eu-west-1 only"
            out = tmp_path_factory.mktemp(f"{example}-{stage}")
            # Templates only: examples document what svcgen renders; their code is generated on demand.
            cache[key] = (pipeline.build(ws, stage, out, linter=linter, code=False), out)
        return cache[key]

    return _build


@pytest.fixture(scope="module")
def template(build):
    """`template(example, stage, service)` -> the rendered service template, parsed."""

    def _template(example: str, stage: str, service: str) -> dict:
        _, out = build(example, stage)
        return yaml.load((out / stage / service / pipeline.TEMPLATE_FILE).read_text())

    return _template


def resources(tpl: dict, type_: str) -> dict[str, dict]:
    return {name: r for name, r in tpl["Resources"].items() if r["Type"] == type_}


def props(tpl: dict, logical_id: str) -> dict:
    return tpl["Resources"][logical_id]["Properties"]


def statements(tpl: dict, role: str) -> dict[str, dict]:
    (policy,) = props(tpl, role)["Policies"]
    return {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


# --- every example --------------------------------------------------------------------------

def test_there_are_examples():
    assert len(EXAMPLES) >= 7


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_layout(example):
    directory = EXAMPLES_DIR / example
    specs = [p for p in directory.glob("*.yaml") if p.name != "platform.yaml"]
    assert (directory / "platform.yaml").is_file()
    assert (directory / "README.md").is_file()
    assert 1 <= len(specs) <= 2
    assert f"svcgen build examples/{example} --out /tmp/example-build" in (directory / "README.md").read_text()


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("example", EXAMPLES)
def test_example_builds_lint_clean(build, example, stage):
    result, out = build(example, stage)
    rendered = [f.render(str(out / a.relpath)) for a, f in result.findings]
    assert rendered == []
    assert not result.failed
    written = {f.path.relative_to(out).as_posix() for f in result.files}
    services = {a.stack for a in result.artifacts} - {pipeline.PLATFORM_DIR}
    expected = {f"{stage}/{s}/{name}" for s in services for name in (pipeline.TEMPLATE_FILE, "manifest.json")}
    expected.add(f"{stage}/{pipeline.PLATFORM_DIR}/{pipeline.TEMPLATE_FILE}")  # every stage has its own
    assert written == expected


@pytest.mark.parametrize("example", EXAMPLES)
def test_ephemeral_stage_keeps_nothing_and_pages_nobody(build, template, example):
    result, _ = build(example, EPHEMERAL)
    for artifact in result.artifacts:
        tpl = template(example, EPHEMERAL, artifact.stack)
        assert not resources(tpl, "AWS::CloudWatch::Alarm")
        assert not resources(tpl, "AWS::SNS::Topic")
        assert all(r.get("DeletionPolicy", "Delete") == "Delete" for r in tpl["Resources"].values())
        for fn in resources(tpl, "AWS::Lambda::Function").values():
            assert "ReservedConcurrentExecutions" not in fn["Properties"]


# --- minimal-function -----------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGES)
def test_minimal_function(template, stage):
    tpl = template("minimal-function", stage, "statements")
    fn = props(tpl, "RenderStatement")
    assert fn["Timeout"] == function_defaults.FUNCTION_TIMEOUT and fn["MemorySize"] == function_defaults.FUNCTION_MEMORY
    assert fn["TracingConfig"] == {"Mode": "Active"}
    assert fn["LoggingConfig"]["LogFormat"] == "JSON"
    assert fn["LoggingConfig"]["LogGroup"] == {"Ref": "RenderStatementLogGroup"}
    assert fn["Environment"]["Variables"] == {
        "POWERTOOLS_LOG_LEVEL": function_defaults.POWERTOOLS_LOG_LEVEL,
        "POWERTOOLS_METRICS_NAMESPACE": "demo",
        "POWERTOOLS_SERVICE_NAME": "statements",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": function_defaults.TRACER_CAPTURE_RESPONSE,
        "SVCGEN_STAGE": stage,
    }
    retention = function_defaults.LOG_RETENTION_DAYS if stage == PERSISTENT else function_defaults.EPHEMERAL_LOG_RETENTION_DAYS
    assert props(tpl, "RenderStatementLogGroup")["RetentionInDays"] == retention
    # Its own role: logs on its own log group and X-Ray, nothing else, no managed policies.
    role = props(tpl, "RenderStatementRole")
    assert "ManagedPolicyArns" not in role
    grants = statements(tpl, "RenderStatementRole")
    assert set(grants) == {"OwnLogGroup", "Tracing"}
    assert grants["OwnLogGroup"]["Resource"] == [{"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:"
                                                  "${AWS::AccountId}:log-group:/aws/lambda/"
                                                  f"demo-{stage}-statements-render-statement:*"}]
    assert not resources(tpl, "AWS::SQS::Queue") and not resources(tpl, "AWS::Events::Rule")


# --- subscriber-queue -----------------------------------------------------------------------

def test_subscriber_queue(template):
    tpl = template("subscriber-queue", PERSISTENT, "audit")
    timeout = props(tpl, "RecordAccount")["Timeout"]
    mapping = props(tpl, "RecordAccountEventSource")
    window = mapping["MaximumBatchingWindowInSeconds"]
    queue = props(tpl, "RecordAccountQueue")
    assert (timeout, window) == (20, 5)
    assert queue["VisibilityTimeout"] == queue_defaults.VISIBILITY_TIMEOUT_FACTOR * timeout + window == 125
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["RecordAccountDlq", "Arn"]},
                                      "maxReceiveCount": queue_defaults.QUEUE_MAX_RECEIVE_COUNT}
    assert queue["KmsMasterKeyId"] == {"Ref": "EncryptionKey"}
    assert props(tpl, "RecordAccountDlq")["MessageRetentionPeriod"] == queue_defaults.DLQ_RETENTION_DAYS * 86400
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # Only EventBridge, acting for this service's own rule, may send into the queue.
    allow, deny = props(tpl, "RecordAccountQueuePolicy")["PolicyDocument"]["Statement"]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": [
        {"Fn::GetAtt": ["RecordAccountAccountsAccountOpenedRule", "Arn"]}]}}
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    alarms = {(p["Properties"]["Namespace"], p["Properties"]["MetricName"])
              for p in resources(tpl, "AWS::CloudWatch::Alarm").values()}
    assert {("AWS/SQS", "ApproximateNumberOfMessagesVisible"), ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
            ("AWS/Events", "FailedInvocations")} <= alarms


# --- content-filter -------------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGES)
def test_content_filter_pattern(template, stage):
    tpl = template("content-filter", stage, "fraud-watch")
    assert props(tpl, "ReviewTransferLedgerTransactionPostedRule")["EventPattern"] == {
        "source": ["demo.ledger"],
        "detail-type": ["TransactionPosted"],
        "detail": {
            "amount": [{"numeric": [">=", 10000, "<", 1000000]}],
            "currency": ["EUR", "USD"],
            "counterparty": {"iban": [{"prefix": "DE"}, {"prefix": "FR"}]},
        },
    }


# --- fifo-queue -----------------------------------------------------------------------------

def test_fifo_queue(template):
    tpl = template("fifo-queue", PERSISTENT, "settlements")
    queue, dlq = props(tpl, "SettleAccountQueue"), props(tpl, "SettleAccountDlq")
    assert queue["FifoQueue"] is True and queue["QueueName"].endswith(".fifo")
    assert dlq["FifoQueue"] is True and dlq["QueueName"].endswith(".fifo")
    (target,) = props(tpl, "SettleAccountAccountsAccountClosedRule")["Targets"]
    assert target["SqsParameters"] == {"MessageGroupId": "account-closures"}
    mapping = props(tpl, "SettleAccountEventSource")
    assert "MaximumBatchingWindowInSeconds" not in mapping and mapping["BatchSize"] == 5
    # The rule target's own DLQ must stay a standard queue (EventBridge requirement).
    assert "FifoQueue" not in props(tpl, "EventsDlq")


# --- rate-limited-partner -------------------------------------------------------------------

def test_rate_limited_partner(template):
    dev = template("rate-limited-partner", PERSISTENT, "wires")
    cap = props(dev, "SendWireEventSource")["ScalingConfig"]["MaximumConcurrency"]
    reserved = props(dev, "SendWire")["ReservedConcurrentExecutions"]
    assert (cap, reserved) == (2, 3) and cap <= reserved
    assert props(dev, "SendWireQueue")["VisibilityTimeout"] == queue_defaults.VISIBILITY_TIMEOUT_FACTOR * 30
    # Ephemeral: the reservation goes, the poller cap stays.
    pr = template("rate-limited-partner", EPHEMERAL, "wires")
    assert "ReservedConcurrentExecutions" not in props(pr, "SendWire")
    assert props(pr, "SendWireEventSource")["ScalingConfig"] == {"MaximumConcurrency": 2}


def test_rate_limited_partner_cap_above_reservation_is_rejected(tmp_path):
    for source in (EXAMPLES_DIR / "rate-limited-partner").glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text())
    spec = tmp_path / "wires.yaml"
    spec.write_text(spec.read_text().replace("max_concurrency: 2", "max_concurrency: 5"))
    with pytest.raises(SpecErrors) as caught:
        load_workspace([tmp_path])
    (error,) = caught.value.errors
    assert error.path == "functions.send-wire.queue.max_concurrency"
    assert "reserved_concurrency (3)" in error.message


# --- publisher ------------------------------------------------------------------------------

@pytest.mark.parametrize("stage", STAGES)
def test_publisher_put_events_limited_to_own_events(template, stage):
    tpl = template("publisher", stage, "kyc")
    roles = resources(tpl, "AWS::IAM::Role")
    assert set(roles) == {"VerifyApplicantRole", "ExpireApplicationsRole"}
    for role in roles:
        grants = statements(tpl, role)
        publish = grants["PublishOwnMilestones"]
        assert publish["Action"] == ["events:PutEvents"]
        # The stage's own bus, in every stage: a PR stage never publishes into dev.
        assert publish["Resource"] == [{"Fn::ImportValue": f"demo-{stage}-platform-bus-arn"}]
        assert publish["Condition"] == {
            "StringEquals": {"events:source": "demo.kyc"},
            "ForAllValues:StringEquals": {"events:detail-type": ["ApplicantVerified", "ApplicantRejected"]},
        }
        assert [s for s in grants.values() if any(a.startswith("events:") for a in s["Action"])] == [publish]
    env = props(tpl, "VerifyApplicant")["Environment"]["Variables"]
    assert env["EVENT_SOURCE"] == "demo.kyc"
    assert env["EVENT_BUS_NAME"] == {"Fn::ImportValue": f"demo-{stage}-platform-bus-name"}


# --- ephemeral-stage ------------------------------------------------------------------------

STATEFUL = ("EncryptionKey", "IssueCardLogGroup", "IssueCardQueue", "IssueCardDlq", "EventsDlq")


def test_ephemeral_stage_persistent_side(template):
    tpl = template("ephemeral-stage", PERSISTENT, "cards")
    assert props(tpl, "IssueCard")["ReservedConcurrentExecutions"] == 5
    assert all(tpl["Resources"][r]["DeletionPolicy"] == "Retain" for r in STATEFUL)
    assert props(tpl, "IssueCardLogGroup")["RetentionInDays"] == function_defaults.LOG_RETENTION_DAYS
    assert len(resources(tpl, "AWS::CloudWatch::Alarm")) == 6


def test_ephemeral_stage_ephemeral_side(build, template):
    tpl = template("ephemeral-stage", EPHEMERAL, "cards")
    assert "ReservedConcurrentExecutions" not in props(tpl, "IssueCard")
    assert all(tpl["Resources"][r]["DeletionPolicy"] == "Delete" for r in STATEFUL)
    assert props(tpl, "IssueCardLogGroup")["RetentionInDays"] == function_defaults.EPHEMERAL_LOG_RETENTION_DAYS
    assert not resources(tpl, "AWS::CloudWatch::Alarm")
    # Subscribes on its own stage's bus, from a light platform stack of its own; code from dev's bucket.
    rule = props(tpl, "IssueCardAccountsAccountOpenedRule")
    assert rule["EventBusName"] == {"Fn::ImportValue": "demo-pr-42-platform-bus-name"}
    assert rule["Name"].startswith("demo-pr-42-cards-")
    assert props(tpl, "IssueCard")["Code"]["S3Bucket"] == {"Fn::ImportValue": "demo-dev-platform-artifacts-bucket"}
    result, _ = build("ephemeral-stage", EPHEMERAL)
    assert [a.stack for a in result.artifacts] == ["platform", "accounts", "cards"]
    platform = result.artifacts[0].template["Resources"]
    assert {r["Type"] for r in platform.values()} == {"AWS::Events::EventBus"}  # no archive, no bucket


def test_ephemeral_stage_same_logical_ids_minus_alerting(template):
    dev = set(template("ephemeral-stage", PERSISTENT, "cards")["Resources"])
    pr = set(template("ephemeral-stage", EPHEMERAL, "cards")["Resources"])
    assert pr < dev
    assert {r for r in dev - pr if not r.endswith("Alarm")} == {"AlertsTopic", "AlertsTopicPolicy"}


# --- http-endpoint --------------------------------------------------------------------------

HTTP_ROUTES = {"GetBalance": "GET/accounts/*/balance", "PlaceHold": "POST/accounts/*/holds"}


@pytest.mark.parametrize("stage", STAGES)
def test_http_endpoint(template, stage):
    tpl = template("http-endpoint", stage, "balances")
    routes = resources(tpl, "AWS::ApiGatewayV2::Route")
    assert {r["Properties"]["RouteKey"] for r in routes.values()} == {
        "GET /accounts/{account_id}/balance", "POST /accounts/{account_id}/holds"}
    assert {r["Properties"]["AuthorizationType"] for r in routes.values()} == {"AWS_IAM"}
    for fn, tail in HTTP_ROUTES.items():
        assert props(tpl, f"{fn}ApiPermission")["SourceArn"] == {"Fn::Sub": (
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/" + tail)}
    stage_props = props(tpl, "HttpApiStage")
    assert stage_props["StageName"] == "$default"
    assert stage_props["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 100
    retention = function_defaults.LOG_RETENTION_DAYS if stage == PERSISTENT else function_defaults.EPHEMERAL_LOG_RETENTION_DAYS
    assert props(tpl, "HttpApiAccessLogs")["RetentionInDays"] == retention
    assert tpl["Outputs"]["ApiUrl"]["Export"] == {"Name": f"demo-{stage}-balances-api-url"}
    assert ("HttpApiServerErrorsAlarm" in tpl["Resources"]) == (stage == PERSISTENT)


def test_http_endpoint_with_jwt_platform(linter, tmp_path):
    for source in (EXAMPLES_DIR / "http-endpoint").glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text())
    (tmp_path / "platform.yaml").write_text(
        'org: demo\nhttp:\n  auth: jwt\n  jwt: {issuer: "https://login.example.com/", audiences: [banking-web]}\n')
    result = pipeline.build(load_workspace([tmp_path]), PERSISTENT, tmp_path / "out", linter=linter)
    assert [f.rule_id for _, f in result.findings] == []
    tpl = yaml.load((tmp_path / "out" / PERSISTENT / "balances" / pipeline.TEMPLATE_FILE).read_text())
    (authorizer,) = resources(tpl, "AWS::ApiGatewayV2::Authorizer")
    assert props(tpl, authorizer)["JwtConfiguration"] == {"Issuer": "https://login.example.com/",
                                                          "Audience": ["banking-web"]}
    for route in resources(tpl, "AWS::ApiGatewayV2::Route").values():
        assert route["Properties"]["AuthorizationType"] == "JWT"
        assert route["Properties"]["AuthorizerId"] == {"Ref": authorizer}
