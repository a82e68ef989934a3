"""`functions.<f>.publishes`: each function may put exactly the events it declares on the bus (its
IAM, its environment, its generated entry and hints); a service where no function declares keeps
the service-wide grant; and the environment svcgen renders is exactly what `function_env.derived`
says (the names rule SVC1020 refuses in a spec)."""

from __future__ import annotations

import pytest

from generator import function_env
from generator.codegen.functions import plan_functions
from generator.codegen.per_function import function_files, hints
from generator.render import render_service
from generator.concerns.events.resolve import function_publishes
from generator.resolve import resolve_service
from generator.stages import resolve_stage
from tests.unit.codegen_support import generate, run_python
from tests.unit.helpers import PLATFORM, rendered, resolved, spec

EVENTS = """\
publishes: [AccountOpened, AccountClosed, ApplicationRejected]
events:
  AccountOpened: {fields: {account_id: {type: string}}}
  AccountClosed: {fields: {account_id: {type: string}}}
  ApplicationRejected: {fields: {application_id: {type: string}}}
"""
HEADER = "service: accounts\nowner: team-accounts\ndescription: test\n"

# Declaring: open and close publish one event each (close in the other order than the service
# lists them), the route declares nothing explicitly, kyc declares nothing at all.
DECLARING = HEADER + EVENTS + """\
functions:
  open: {publishes: [AccountOpened]}
  close: {publishes: [ApplicationRejected, AccountClosed]}
  route: {http: "GET /accounts/{id}", publishes: []}
  kyc: {}
"""
# The same functions, none declaring: today's service-wide behaviour.
SERVICE_WIDE = HEADER + EVENTS + """\
functions:
  open: {}
  close: {}
  route: {http: "GET /accounts/{id}"}
  kyc: {}
"""
BUS_ARN = [{"Fn::ImportValue": "acme-dev-platform-bus-arn"}]


def statements(template: dict, logical_id: str) -> dict[str, dict]:
    role = template["Resources"][f"{logical_id}Role"]["Properties"]
    return {s["Sid"]: s for s in role["Policies"][0]["PolicyDocument"]["Statement"]}


def put_events(template: dict, logical_id: str) -> list[dict]:
    """Every statement of the function's role that allows events:PutEvents (or any events: action)."""
    return [s for s in statements(template, logical_id).values()
            if any(a.startswith("events:") for a in s["Action"])]


def environment(template: dict, logical_id: str) -> dict:
    return template["Resources"][logical_id]["Properties"]["Environment"]["Variables"]


def condition(*events: str) -> dict:
    return {"StringEquals": {"events:source": "acme.accounts"},
            "ForAllValues:StringEquals": {"events:detail-type": list(events)}}


# --- IAM and environment ----------------------------------------------------------------------

def test_a_declaring_function_may_put_exactly_its_events():
    t = rendered(DECLARING)
    assert put_events(t, "Open") == [{"Effect": "Allow", "Action": ["events:PutEvents"], "Resource": BUS_ARN,
                                      "Sid": "PublishOwnMilestones", "Condition": condition("AccountOpened")}]
    # In the service's `publishes` order, whatever order the function lists them in.
    assert [s["Condition"] for s in put_events(t, "Close")] == [condition("AccountClosed", "ApplicationRejected")]


def test_publishes_nothing_and_declaring_nothing_once_others_declare_get_no_putevents_and_no_bus():
    t = rendered(DECLARING)
    for logical_id in ("Route", "Kyc"):
        assert put_events(t, logical_id) == [], logical_id
        env = environment(t, logical_id)
        assert "EVENT_BUS_NAME" not in env and "EVENT_SOURCE" not in env
    assert environment(t, "Open")["EVENT_BUS_NAME"] == {"Fn::ImportValue": "acme-dev-platform-bus-name"}
    assert environment(t, "Open")["EVENT_SOURCE"] == "acme.accounts"


def test_a_service_where_no_function_declares_keeps_the_service_wide_grant():
    t = rendered(SERVICE_WIDE)
    everything = condition("AccountOpened", "AccountClosed", "ApplicationRejected")
    for logical_id in ("Open", "Close", "Route", "Kyc"):
        assert [s["Condition"] for s in put_events(t, logical_id)] == [everything], logical_id
        assert environment(t, logical_id)["EVENT_SOURCE"] == "acme.accounts"


def test_a_service_that_publishes_nothing_grants_nothing():
    t = rendered(HEADER + "functions:\n  open: {}\n")
    assert put_events(t, "Open") == [] and "EVENT_BUS_NAME" not in environment(t, "Open")


def test_resolve_says_what_each_function_may_publish():
    assert {fn.key: fn.publishes for fn in resolved(DECLARING).functions} == {
        "open": ("AccountOpened",), "close": ("AccountClosed", "ApplicationRejected"), "route": (), "kyc": ()}
    everything = ("AccountOpened", "AccountClosed", "ApplicationRejected")
    assert {fn.key: fn.publishes for fn in resolved(SERVICE_WIDE).functions} == dict.fromkeys(
        ("open", "close", "route", "kyc"), everything)
    assert function_publishes(spec(DECLARING), "kyc") == ()


# --- generated code ----------------------------------------------------------------------------

class _Item:
    """What plan_functions needs of a workspace item (rules.base.ServiceInput): its spec."""

    def __init__(self, text: str):
        self.spec = spec(text)


def _plans(text: str) -> dict:
    svc = resolved(text)
    return {p.key: p for p in plan_functions(_Item(text), svc, {})}, svc


def test_each_entry_says_what_its_function_may_publish_and_hints_list_only_those_helpers():
    plans, svc = _plans(DECLARING)
    assert {k: p.publishes for k, p in plans.items()} == {
        "open": ("AccountOpened",), "close": ("AccountClosed", "ApplicationRejected"), "route": (), "kyc": ()}
    assert hints(svc, plans["close"]) == ["from plumbing.publish import publish_account_closed",
                                          "from plumbing.publish import publish_application_rejected"]
    assert hints(svc, plans["route"]) == [] and hints(svc, plans["kyc"]) == []


def test_entries_of_a_service_that_publishes_nothing_are_not_decorated(tmp_path):
    plans, svc = _plans(HEADER + "functions:\n  open: {}\n")
    assert plans["open"].publishes is None
    (entry,) = [f for f in function_files(tmp_path, svc, list(plans.values()), {}) if f.path.name == "open.py"
                and f.path.parent.name == "plumbing"]
    assert "publishes" not in entry.body


def test_entries_carry_the_decorator_with_the_functions_events(tmp_path):
    plans, svc = _plans(DECLARING)
    entries = {f.path.stem: f.body for f in function_files(tmp_path, svc, list(plans.values()), {})
               if f.path.parent.name == "plumbing"}
    assert '@publishes("close", ["AccountClosed", "ApplicationRejected"])\ndef handler' in entries["close"]
    assert '@publishes("route", [])\ndef handler' in entries["route"]
    assert "from svcgen_runtime.publishing import publishes\n" in entries["kyc"]


PUBLISHER_PLATFORM = "org: acme\n"


def test_a_function_that_may_not_publish_fails_fast_with_a_clear_message(tmp_path):
    """The generated code, run: `kyc` (declares nothing) calling a publish helper fails before
    anything is built or sent; `open` gets past the check (to the bus, which the test has not)."""
    from generator.workspace import load_workspace

    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "platform.yaml").write_text(PUBLISHER_PLATFORM)
    (specs / "accounts.yaml").write_text(DECLARING)
    code = generate(load_workspace([specs]), "accounts", tmp_path)
    result = run_python(code, """
        import handlers.kyc, handlers.open
        from plumbing import kyc, open as open_
        from plumbing.publish import PublishNotAllowed, publish_account_opened
        from svcgen_runtime.testing import lambda_context

        def publish(event):
            return publish_account_opened(account_id=1)  # not even a valid field: the check comes first

        handlers.kyc.handle = handlers.open.handle = publish
        try:
            kyc.handler({}, lambda_context("kyc"))
        except PublishNotAllowed as exc:
            print("refused:", exc)
        try:
            open_.handler({}, lambda_context("open"))
        except Exception as exc:  # the allowed call reaches the model: account_id must be a string
            print("allowed:", type(exc).__name__)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "refused: kyc may not publish AccountOpened: it may publish no event (its IAM role allows no more); "
        "add AccountOpened to functions.kyc.publishes in the service's spec",
        "allowed: ValidationError",
    ]


# --- the derived environment is what is rendered ----------------------------------------------------

def _rendered_env_matches_derived(item_spec, platform, stage: str = "dev") -> None:
    svc = resolve_service(item_spec, platform, resolve_stage(stage, platform))
    template = render_service(svc).template.to_dict()
    for fn in svc.functions:
        env = set(environment(template, fn.logical_id))
        own = set(item_spec.functions[fn.key].environment)
        expected = set(function_env.derived(item_spec, platform, fn.key)) | own | set(function_env.OVERRIDABLE)
        assert env == expected, (item_spec.service, fn.key, env ^ expected)


def test_every_demo_function_gets_exactly_the_derived_environment(demo_workspace):
    for item in demo_workspace.services:
        _rendered_env_matches_derived(item.spec, demo_workspace.platform)


@pytest.mark.parametrize("text", [DECLARING, SERVICE_WIDE])
def test_declaring_and_service_wide_functions_get_exactly_the_derived_environment(text):
    _rendered_env_matches_derived(spec(text), PLATFORM)


def test_demo_functions_publish_what_their_handlers_publish(demo_workspace):
    """The demo declares per function; handlers that do not publish declare nothing."""
    by_service = {item.spec.service: item.spec for item in demo_workspace.services}
    may = {(s, f): function_publishes(by_service[s], f) for s in ("ledger", "accounts", "onboarding")
           for f in by_service[s].functions}
    assert {k: v for k, v in may.items() if v} == {
        ("ledger", "post-transaction"): ("TransactionPosted",), ("ledger", "settle-balance"): ("BalanceSettled",),
        ("accounts", "open-account"): ("AccountOpened",), ("accounts", "revoke-account"): ("AccountClosed",),
        ("accounts", "reject-application"): ("ApplicationRejected",), ("accounts", "close-account"): ("AccountClosed",),
        ("onboarding", "submit-application"): ("ApplicationSubmitted",)}
    assert function_publishes(by_service["payments"], "send-payment") == ("PaymentSettled", "PaymentFailed")
