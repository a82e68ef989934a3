"""Handler boilerplate for every demo service: what is planned, that it is clean and
deterministic, that the generated user tests pass, and that user code is never destroyed."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from generator.codegen import code_dir
from generator.output import Outcome
from generator.ownership import OWNED, USER, apply
from generator.concerns.idempotency.spec import IdempotencySpec
from tests.conftest import SPECS
from tests.unit.codegen_support import clean_env, generate, plan, run_generated_tests, run_python, service_input

DEMO = sorted(p.stem for p in SPECS.glob("*.yaml") if p.name != "platform.yaml")


@pytest.fixture(scope="module")
def demo_code(demo_workspace, tmp_path_factory):
    """Every demo service generated once for this module: service -> code directory."""
    root = tmp_path_factory.mktemp("code")
    return {name: generate(demo_workspace, name, root) for name in DEMO}


def test_code_lives_beside_the_spec():
    assert code_dir("specs/ledger.yaml").as_posix() == "specs/ledger"


@pytest.mark.e2e  # runs generated code in subprocesses
@pytest.mark.parametrize("service", DEMO)
def test_generated_user_tests_pass_out_of_the_box(demo_code, service):
    result = run_generated_tests(demo_code[service])
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_generated_code_is_pyflakes_clean(demo_code):
    pyflakes = pytest.importorskip("pyflakes.api")
    from pyflakes.reporter import Reporter

    out, err = io.StringIO(), io.StringIO()
    warnings = pyflakes.checkRecursive([str(d) for d in demo_code.values()], Reporter(out, err))
    assert warnings == 0, out.getvalue() + err.getvalue()


@pytest.mark.e2e  # runs generated code in subprocesses
def test_every_module_imports_without_aws_configuration(demo_code):
    """No region, no credentials: creating any boto3 client at import time would fail here."""
    script = """
import importlib, pkgutil, plumbing, svcgen_runtime
names = [m.name for pkg in (plumbing, svcgen_runtime) for m in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + ".")
         if m.name != "svcgen_runtime.pytest_plugin"]  # pytest's, not the functions'
assert "svcgen_runtime.event_store" in names
for name in names:
    importlib.import_module(name)
print(len(names))
"""
    for service, code in demo_code.items():
        result = subprocess.run([sys.executable, "-c", script], cwd=code, env=clean_env(code), capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, f"{service}: {result.stderr}"


def test_two_plans_are_byte_identical(demo_workspace, tmp_path):
    for name in DEMO:
        first = [(f.path, f.body, f.owner) for f in plan(demo_workspace, name, tmp_path)]
        second = [(f.path, f.body, f.owner) for f in plan(demo_workspace, name, tmp_path)]
        assert first == second
        assert [p for p, _, _ in first] == sorted(p for p, _, _ in first)


def test_entry_per_function_with_the_lambda_handler_convention(demo_workspace, tmp_path):
    files = {f.path.relative_to(tmp_path).as_posix(): f for f in plan(demo_workspace, "ledger", tmp_path)}
    for fn in ("post_transaction", "project_balance", "get_balance", "settle_balance"):
        assert files[f"plumbing/{fn}.py"].owner == OWNED
        assert "def handler(event" in files[f"plumbing/{fn}.py"].body
        assert files[f"handlers/{fn}.py"].owner == USER
        assert "def handle(" in files[f"handlers/{fn}.py"].body
        assert files[f"tests/test_{fn}.py"].owner == USER
    assert files["requirements.txt"].owner == OWNED and files["tests/svcgen_support.py"].owner == OWNED
    # The runtime is a library, the test support lives in tests/: nothing else in the Lambda package.
    assert not [p for p in files if p.startswith("plumbing/runtime") or p == "plumbing/testing.py"]
    assert {"plumbing/publish.py", "plumbing/store.py"} <= set(files)
    assert "plumbing/workflow.py" not in files  # ledger starts no workflow and reviews none


def test_models_are_exactly_the_subscribed_published_and_stored_events(demo_code):
    script = """
        from plumbing import models
        print(sorted(c.__name__ for c in vars(models).values()
                     if isinstance(c, type) and issubclass(c, models.Event) and c is not models.Event))
        print(sorted(f"{s}/{t}" for s, t in models.SUBSCRIBED))
    """
    result = run_python(demo_code["notifications"], script)
    assert result.returncode == 0, result.stderr
    classes, subscribed = [eval(line) for line in result.stdout.splitlines()]
    # notifications publishes and stores nothing: only what it subscribes to (+ the stored variant)
    assert classes == ["AccountClosed", "AccountOpened", "ApplicationRejected", "ApplicationSubmitted",
                       "PaymentFailed", "PaymentSettled", "StoredTransactionPosted", "TransactionPosted"]
    assert "acme.ledger.store/TransactionPosted" in subscribed and "acme.accounts/AccountOpened" in subscribed


def test_models_follow_the_contract_types(demo_code):
    script = """
        from plumbing.models import TransactionPosted, StoredTransactionPosted
        import pydantic
        base = dict(transaction_id="t", account_id="a", amount=100, currency="EUR", kind="k",
                    posted_at="2024-01-01T00:00:00Z")
        event = TransactionPosted(**base, extra_field="ignored")
        print(event.schema_version, type(event.amount).__name__, event.posted_at.isoformat(),
              TransactionPosted.model_config["extra"], TransactionPosted.model_config["frozen"])
        for bad in ({"amount": "100"}, {"posted_at": "2024-01-01T00:00:00"}, {"schema_version": 2}):
            try:
                TransactionPosted(**{**base, **bad})
                print("accepted", bad)
            except pydantic.ValidationError:
                print("rejected")
        print("iban" in repr(TransactionPosted(**base, counterparty_iban="DE89370400440532013000")))
        print(sorted(StoredTransactionPosted.model_fields) == sorted(list(TransactionPosted.model_fields)
              + ["aggregate_id", "revision"]))
    """
    result = run_python(demo_code["ledger"], script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "1 int 2024-01-01T00:00:00+00:00 ignore True",
        "rejected", "rejected", "rejected",
        "False",  # a sensitive field never shows in a repr
        "True",
    ]


RECORDING_HANDLER = """
from plumbing.observability import logger

CALLS = []


def handle(event):
    CALLS.append(event)
    logger.info("handled", extra={"event": event, "note": {"nested": [{"iban": event.iban}]}})
"""


def test_invalid_record_one_log_line_never_reaches_the_user_and_nothing_sensitive_is_logged(demo_workspace,
                                                                                             tmp_path):
    code = generate(demo_workspace, "onboarding", tmp_path)
    (code / "handlers" / "record_account.py").write_text(RECORDING_HANDLER)
    script = """
        import json
        from handlers import record_account
        from plumbing.record_account import handler
        from svcgen_runtime.testing import lambda_context, sqs_event, sqs_record
        from svcgen_support import invalid_envelope, sample_envelope
        good = sample_envelope("acme.accounts", "AccountOpened", "evt-good")
        good["detail"]["iban"] = "DE89370400440532013000"
        bad = invalid_envelope("acme.accounts", "AccountOpened", "evt-bad")
        bad["detail"]["iban"] = "GB29NWBK60161331926819"
        bad["detail"]["opened_at"] = "yesterday"
        records = [sqs_record(good, "m-good"), sqs_record(bad, "m-bad")]
        import os
        os.environ["_X_AMZN_TRACE_ID"] = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
        print("RESPONSE", json.dumps(handler(sqs_event(records), lambda_context("record-account"))))
        print("CALLS", len(record_account.CALLS))
    """
    result = run_python(code, script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert 'RESPONSE {"batchItemFailures": [{"itemIdentifier": "m-bad"}]}' in out
    assert "CALLS 1" in out
    logs = [json.loads(line) for line in out.splitlines() if line.startswith("{") and '"level"' in line]
    invalid = [line for line in logs if line["level"] == "ERROR"]
    assert len(invalid) == 1
    assert invalid[0]["message"].startswith("invalid record m-bad (AccountOpened): ")
    assert "account_id" in invalid[0]["problems"] and "opened_at" in invalid[0]["problems"]
    handled = next(line for line in logs if line["message"] == "handled")
    assert handled["correlation_id"] == "evt-good"
    assert handled["xray_trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"
    assert handled["event"]["iban"] == "*****" and handled["note"]["nested"][0]["iban"] == "*****"
    assert "DE89370400440532013000" not in out + result.stderr
    assert "GB29NWBK60161331926819" not in out + result.stderr


def test_fifo_consumer_gets_a_fifo_batch_in_its_test(demo_workspace, tmp_path):
    files = {f.path.relative_to(tmp_path).as_posix(): f.body for f in plan(demo_workspace, "ledger", tmp_path)}
    assert "fifo=True" in files["plumbing/settle_balance.py"]
    assert "fifo=False" in files["plumbing/post_transaction.py"]
    assert 'message_group="settlements"' in files["tests/test_settle_balance.py"]


def test_workflow_helpers(demo_code):
    result = run_python(demo_code["onboarding"], """
        import os
        from plumbing import workflow
        print(sorted(workflow.__all__), os.environ["WORKFLOW_ONBOARD_CUSTOMER_ARN"].split(":")[-1])
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["['start_onboard_customer']", "test-onboard-customer"]
    result = run_python(demo_code["accounts"], "from plumbing import workflow; print(sorted(workflow.__all__))")
    assert result.stdout.strip() == "['approve', 'fail', 'heartbeat', 'reject']"


def test_rebuild_changes_nothing_and_never_touches_user_code(demo_workspace, tmp_path):
    code = generate(demo_workspace, "payments", tmp_path)
    handler = code / "handlers" / "send_payment.py"
    handler.write_text("def handle(event):\n    return 'mine'\n")
    results = {r.path.relative_to(code).as_posix(): r.outcome for r in apply(plan(demo_workspace, "payments", code))}
    assert results["handlers/send_payment.py"] is Outcome.SKIPPED
    assert results["plumbing/send_payment.py"] is Outcome.IDENTICAL
    assert set(results.values()) <= {Outcome.SKIPPED, Outcome.IDENTICAL}
    assert handler.read_text() == "def handle(event):\n    return 'mine'\n"
    entry = code / "plumbing" / "send_payment.py"
    entry.write_text(entry.read_text() + "# hand edit\n")
    results = {r.path.relative_to(code).as_posix(): r.outcome for r in apply(plan(demo_workspace, "payments", code))}
    assert results["plumbing/send_payment.py"] is Outcome.CONFLICT
    assert entry.read_text().endswith("# hand edit\n")  # kept unless --force


def _with_function(item, key: str, **changes):
    """A copy of `item` whose function `key` has `changes`."""
    fn = item.spec.functions[key].model_copy()
    for name, value in changes.items():
        object.__setattr__(fn, name, value)
    spec = item.spec.model_copy(update={"functions": {**item.spec.functions, key: fn}})
    return type(item)(item.doc, spec)


def test_idempotency_is_generated_only_when_configured(demo_workspace, tmp_path):
    item = _with_function(service_input(demo_workspace, "payments"), "send-payment",
                          idempotency=IdempotencySpec(key="transaction_id"))
    entry = tmp_path / "plumbing" / "send_payment.py"
    files = {f.path: f.body for f in plan(demo_workspace, "payments", tmp_path, item=item)}
    assert 'idempotency_key="transaction_id"' in files[entry]
    item = _with_function(service_input(demo_workspace, "payments"), "send-payment", idempotency=None)
    plain = {f.path: f.body for f in plan(demo_workspace, "payments", tmp_path, item=item)}
    assert "idempotency_key=None" in plain[entry]


EXAMPLES = sorted(p for p in (SPECS.parent / "examples").iterdir() if (p / "platform.yaml").is_file())


@pytest.mark.e2e  # runs generated code in subprocesses
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_example_generates_clean_code_whose_tests_pass(example, tmp_path):
    from generator.workspace import load_workspace

    ws = load_workspace([example])
    for item in ws.target_services:
        code = generate(ws, item.spec.service, tmp_path)
        result = run_generated_tests(code)
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_business_function_is_handle_unless_the_spec_names_one():
    from generator.codegen.functions import handler_target
    from tests.unit.helpers import resolved

    svc = resolved("""
        service: payments
        owner: team-payments
        description: Pays.
        functions:
          send-payment: {}
          named-handler: {handler: handlers.named_handler.handler}
          elsewhere: {handler: app.payments.run}
    """)
    targets = {fn.key: handler_target(fn.handler) for fn in svc.functions}
    assert targets == {"send-payment": ("handlers.send_payment", "handle"),
                       "named-handler": ("handlers.named_handler", "handler"),
                       "elsewhere": ("app.payments", "run")}


def test_sensitive_fields_are_the_platform_list_or_the_default_plus_the_contracts():
    from generator.codegen.sensitive import DEFAULT_SENSITIVE_FIELDS, sensitive_fields
    from generator.spec.platform import PlatformSpec

    assert sensitive_fields(PlatformSpec(org="acme"), ["applicant_name"]) == sorted({*DEFAULT_SENSITIVE_FIELDS,
                                                                                    "applicant_name"})
    # The default itself, spelled out (the line above takes it from the module under test): personal
    # data and payment secrets.
    assert sensitive_fields(PlatformSpec(org="acme"), ["applicant_name"]) == [
        "account_number", "address", "applicant_name", "authorization", "card_number", "cvv", "date_of_birth",
        "email", "iban", "name", "passport_number", "password", "phone", "pin", "secret", "ssn", "tax_id"]
    platform = PlatformSpec.model_validate({"org": "acme", "logging": {"sensitive_fields": ["Tax-ID", "iban"]}})
    assert sensitive_fields(platform, ["email"]) == ["email", "iban", "tax_id"]
    platform = PlatformSpec.model_validate({"org": "acme", "logging": {"sensitive_fields": ["iban"]}})
    assert sensitive_fields(platform, []) == ["iban"]


ALL_TYPES_PLATFORM = "org: acme\n"
ALL_TYPES_PUBLISHER = """
service: bank
owner: team-bank
description: Publishes one event with every field type.
publishes: [Transferred]
events:
  Transferred:
    version: 3
    fields:
      from: {type: string, description: 'the "source" account'}
      amount: {type: decimal}
      rate: {type: number}
      count: {type: integer}
      ok: {type: boolean}
      booked_on: {type: date}
      at: {type: datetime}
      meta: {type: object}
      tags: {type: list, items: string}
      note: {type: string, required: false}
functions:
  transfer: {}
"""
ALL_TYPES_SUBSCRIBER = """
service: audit
owner: team-audit
description: Subscribes to it.
functions:
  record:
    subscribe:
      - {event: Transferred, from: bank}
"""


@pytest.mark.e2e  # runs generated code in subprocesses
def test_every_field_type_and_a_keyword_field_round_trip(tmp_path):
    from generator.workspace import load_workspace

    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "platform.yaml").write_text(ALL_TYPES_PLATFORM)
    (specs / "bank.yaml").write_text(ALL_TYPES_PUBLISHER)
    (specs / "audit.yaml").write_text(ALL_TYPES_SUBSCRIBER)
    ws = load_workspace([specs])
    bank, audit = generate(ws, "bank", tmp_path), generate(ws, "audit", tmp_path)
    published = run_python(bank, """
        from datetime import date, datetime, timezone
        from decimal import Decimal
        from plumbing.models import Transferred
        from svcgen_runtime.events import to_json
        event = Transferred(from_="acc-1", amount=Decimal("10.10"), rate=2, count=3, ok=True,
                            booked_on=date(2024, 2, 29), at=datetime(2024, 1, 1, tzinfo=timezone.utc),
                            meta={"k": [1]}, tags=["a"])
        print(to_json(event))
    """)
    assert published.returncode == 0, published.stderr
    detail = json.loads(published.stdout)
    assert detail == {"from": "acc-1", "amount": "10.10", "rate": 2.0, "count": 3, "ok": True,
                      "booked_on": "2024-02-29", "at": "2024-01-01T00:00:00Z", "meta": {"k": [1]}, "tags": ["a"],
                      "schema_version": 3}
    received = run_python(audit, f"""
        from plumbing.models import parse
        from svcgen_runtime.testing import envelope
        from svcgen_support import sample_envelope
        _, event = parse(envelope("acme.bank", "Transferred", {detail!r}))
        print(event.from_, repr(event.amount), event.booked_on, event.tags, event.note)
        _, sample = parse(sample_envelope("acme.bank", "Transferred"))
        print(sample.schema_version)
    """)
    assert received.returncode == 0, received.stderr
    assert received.stdout.splitlines() == ["acc-1 Decimal('10.10') 2024-02-29 ['a'] None", "3"]
    assert run_generated_tests(audit).returncode == 0 and run_generated_tests(bank).returncode == 0
