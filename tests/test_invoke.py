"""`svcgen invoke`: the generated entry runs locally with real event shapes, never reaching AWS.

The demo's specs are copied and built once without lint, so every handler is the stub the code
generator creates (it logs and returns): the tests are about invoking, not about the demo's
business logic, which other tests cover.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.cli import main

SPECS = Path(__file__).resolve().parent.parent / "specs"


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("invoke")
    specs = root / "specs"
    specs.mkdir()
    for path in SPECS.glob("*.yaml"):
        shutil.copy(path, specs / path.name)
    assert main(["build", str(specs), "--out", str(root / "build"), "--no-lint"]) == 0
    return specs


def invoke(capsys, specs: Path, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["invoke", *argv, str(specs)])
    out, err = capsys.readouterr()
    return code, out, err


def json_lines(text: str) -> list[dict]:
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


def test_queue_consumer_with_a_sample_returns_the_partial_failure_response(specs, capsys):
    code, out, err = invoke(capsys, specs, "notifications", "notify-customer", "--sample", "PaymentSettled")
    assert code == 0, err
    assert json.loads(out) == {"batchItemFailures": []}
    logs = [line for line in json_lines(err) if line.get("service") == "notifications" and "level" in line]
    assert logs, err
    assert logs[0]["function_name"] == "acme-dev-notifications-notify-customer"
    assert logs[0]["correlation_id"] == "evt-PaymentSettled"  # the envelope's id, from the sample
    assert "SQS batch of 1: PaymentSettled from acme.payments" in err


def test_stage_sets_the_functions_names_and_environment(specs, capsys):
    code, _, err = invoke(capsys, specs, "notifications", "notify-customer", "--stage", "pr-7")
    assert code == 0, err
    assert any(line.get("function_name") == "acme-pr-7-notifications-notify-customer" for line in json_lines(err))


def test_event_file_full_sqs_event_reports_the_invalid_record_alone(specs, capsys, tmp_path):
    valid = {"version": "0", "id": "evt-1", "source": "acme.accounts", "detail-type": "AccountClosed",
             "time": "2024-01-01T00:00:00Z", "account": "123456789012", "region": "eu-west-1", "resources": [],
             "detail": {"account_id": "acc-1", "closed_at": "2024-01-01T00:00:00Z", "schema_version": 1}}
    invalid = {**valid, "id": "evt-2", "detail": {**valid["detail"], "account_id": 12345}}
    event = {"Records": [{"messageId": mid, "receiptHandle": mid, "body": json.dumps(body), "attributes": {},
                          "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                          "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q", "awsRegion": "eu-west-1"}
                         for mid, body in (("good", valid), ("bad", invalid))]}
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    code, out, err = invoke(capsys, specs, "notifications", "notify-customer", "--event", str(path))
    assert code == 0, err
    assert json.loads(out) == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    assert any(line.get("level") == "ERROR" and "invalid record bad" in line.get("message", "")
               for line in json_lines(err))


def test_event_file_envelope_is_wrapped_into_an_sqs_batch(specs, capsys, tmp_path):
    path = tmp_path / "envelope.json"
    detail = {"account_id": "acc-9", "closed_at": "2024-01-01T00:00:00Z", "schema_version": 1}
    path.write_text(json.dumps({"version": "0", "id": "evt-9", "source": "acme.accounts",
                                "detail-type": "AccountClosed", "time": "2024-01-01T00:00:00Z",
                                "account": "123456789012", "region": "eu-west-1", "resources": [], "detail": detail}))
    code, out, err = invoke(capsys, specs, "notifications", "notify-customer", "--event", str(path))
    assert code == 0, err
    assert json.loads(out) == {"batchItemFailures": []}
    assert any(line.get("correlation_id") == "evt-9" for line in json_lines(err))


def test_http_route_gets_an_http_api_event(specs, capsys):
    code, out, err = invoke(capsys, specs, "ledger", "get-balance")
    assert code == 0, err
    response = json.loads(out)
    assert response["statusCode"] == 200 and json.loads(response["body"])["id"] == "id-1"
    assert "GET /accounts/{id}/balance" in err


def test_workflow_task_gets_the_task_input(specs, capsys):
    code, out, err = invoke(capsys, specs, "accounts", "check-kyc")
    assert code == 0, err
    assert isinstance(json.loads(out), dict) and "workflow task" in err
    assert json.loads(out) == {}  # the step's result: what the stub returns
    # The stub logs the TaskInput it was given: the default ids, the step, the execution's name
    # as the correlation id (what a workflow's `call` step sends).
    step = next(line for line in json_lines(err) if line.get("message") == "check-kyc step")
    assert (step["ids"], step["step"], step["correlation_id"]) == ({"id": "id-1"}, "check-kyc", "local-invoke")
    assert step["function_name"] == "acme-dev-accounts-check-kyc"


def test_nothing_reaches_aws(specs, capsys, monkeypatch):
    """Real-looking credentials and a profile in the caller's shell never reach the function."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    monkeypatch.setenv("AWS_PROFILE", "prod")
    handler = specs / "payments" / "handlers" / "send_payment.py"
    original = handler.read_text()
    handler.write_text("import os\n\nimport boto3\nfrom plumbing.observability import logger\n\n\n"
                       "def handle(event):\n"
                       "    logger.info('calling AWS', extra={'key': os.environ['AWS_ACCESS_KEY_ID'],\n"
                       "                                      'profile': os.environ.get('AWS_PROFILE', 'unset')})\n"
                       "    boto3.client('sts').get_caller_identity()\n")
    try:
        code, out, err = invoke(capsys, specs, "payments", "send-payment", "--aws", "none")
        local_code, _, local_err = invoke(capsys, specs, "payments", "send-payment")
    finally:
        handler.write_text(original)
    assert code == 1
    call = next(line for line in json_lines(err) if line.get("message") == "calling AWS")
    assert call["key"] == "testing" and call["profile"] == "unset"
    assert "127.0.0.1:9" in out + err  # the SDK's endpoint: a closed local port
    assert "svcgen: error: send-payment raised" in err
    # --aws local (the default): the same call is answered by the in-memory AWS (moto sets its own
    # fake credentials); the shell's key and profile are still gone
    assert local_code == 0, local_err
    call = next(line for line in json_lines(local_err) if line.get("message") == "calling AWS")
    assert call["key"] != "AKIAREALKEY" and call["profile"] == "unset"


def test_unknown_names_are_clear_errors(specs, capsys, tmp_path):
    code, _, err = invoke(capsys, specs, "notifications", "notify-everyone")
    assert code == 2 and "unknown function 'notify-everyone' of notifications" in err
    assert "its functions: notify-customer" in err
    code, _, err = invoke(capsys, specs, "notificatons", "notify-customer")
    assert code == 2 and "unknown service 'notificatons' (did you mean 'notifications'?)" in err
    code, _, err = invoke(capsys, specs, "notifications", "notify-customer", "--sample", "Nope")
    assert code == 2 and "does not subscribe to 'Nope'" in err
    code, _, err = invoke(capsys, specs, "ledger", "get-balance", "--sample", "AccountOpened")
    assert code == 2 and "is an HTTP route" in err
    code, _, err = invoke(capsys, specs, "notifications", "notify-customer", "--event", str(tmp_path / "none.json"))
    assert code == 2 and "no such file" in err
    (tmp_path / "bad.json").write_text("{not json")
    code, _, err = invoke(capsys, specs, "notifications", "notify-customer", "--event", str(tmp_path / "bad.json"))
    assert code == 1 and "not a JSON file" in err
    (tmp_path / "detail.json").write_text('{"account_id": "a-1"}')
    code, _, err = invoke(capsys, specs, "notifications", "notify-customer", "--event", str(tmp_path / "detail.json"))
    assert code == 2 and "give a whole EventBridge envelope" in err
    (tmp_path / "list.json").write_text('[1, 2]')
    code, _, err = invoke(capsys, specs, "notifications", "notify-customer", "--event", str(tmp_path / "list.json"))
    assert code == 1 and "event file must be a JSON object" in err and "got a list: [1, 2]" in err
    (tmp_path / "null.json").write_text('null')
    code, _, err = invoke(capsys, specs, "notifications", "notify-customer", "--event", str(tmp_path / "null.json"))
    assert code == 1 and "null.json: an event must be a JSON value other than null, got null" in err
    assert "Traceback" not in err


def test_demo_handler_runs_against_local_aws_and_reports_what_it_did(capsys):
    """The demo's real ledger handler: the sample AccountOpened becomes an opening entry in the
    event store and a TransactionPosted on the bus, both in the in-memory AWS of --aws local."""
    code, out, err = invoke(capsys, SPECS, "ledger", "post-transaction", "--sample", "AccountOpened")
    assert code == 0, err
    assert json.loads(out) == {"batchItemFailures": []}
    assert "local AWS (in memory): event store table local-event-store-table, event bus" in err
    assert "local AWS: event store: account_id-1 revision 1 TransactionPosted" in err
    assert "local AWS: published TransactionPosted from acme.ledger" in err


def test_without_local_aws_a_handler_that_calls_aws_fails_fast(capsys):
    code, out, err = invoke(capsys, SPECS, "ledger", "post-transaction", "--sample", "AccountOpened", "--aws", "none")
    assert code == 1
    assert "post-transaction raised" in err and "local AWS" not in err


def test_code_generated_for_another_runtime_is_run_with_a_warning(specs, capsys):
    requirements = specs / "notifications" / "requirements.txt"
    original = requirements.read_text()
    requirements.write_text(original.replace("svcgen-runtime==", "svcgen-runtime==0.0.1.dev0+"))
    try:
        code, out, err = invoke(capsys, specs, "notifications", "notify-customer")
    finally:
        requirements.write_text(original)
    assert code == 0, err
    assert "svcgen: warning:" in err and "requirements.txt pins svcgen-runtime==0.0.1.dev0+" in err
    assert "run `svcgen build`" in err
    code, _, err = invoke(capsys, specs, "notifications", "notify-customer")
    assert code == 0 and "warning" not in err


def test_samples_come_from_the_generated_test_support_and_its_absence_is_stale_code(specs, capsys):
    support = specs / "notifications" / "tests" / "svcgen_support.py"
    original = support.read_text()
    support.unlink()
    try:
        code, _, err = invoke(capsys, specs, "notifications", "notify-customer", "--sample", "PaymentSettled")
    finally:
        support.write_text(original)
    assert code == 1 and "no tests/svcgen_support.py" in err and "the generated code is stale" in err
    assert "Traceback" not in err
