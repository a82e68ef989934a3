"""Spec rules not covered by the bad-input corpus (warnings and name collisions)."""

from __future__ import annotations

import textwrap

from generator.spec.load import load_text
from generator.spec.model import ServiceSpec
from generator.spec.rules import check_spec
from generator.spec.validate import validate_document
from tests.unit.helpers import PLATFORM


def errors(text: str):
    doc = load_text(textwrap.dedent(text), "s.yaml")
    return [e.render() for e in check_spec(doc, validate_document(doc, ServiceSpec), PLATFORM)]


BASE = """
service: ledger
owner: team
description: d
functions:
  post:
    reserved_concurrency: 5
    subscribe: [{event: AccountOpened, from: accounts}]
"""


def test_reserved_concurrency_without_poller_cap_is_a_warning():
    assert errors(BASE) == [
        "s.yaml:7:5: functions.post.reserved_concurrency: warning: a queue consumer with reserved_concurrency "
        "should also cap its poller, got no queue.max_concurrency (add `queue: {max_concurrency: 5}`, "
        "at most reserved_concurrency)"]
    assert errors(BASE + "    queue: {max_concurrency: 5}\n") == []


def test_function_names_that_collide_as_logical_ids_are_rejected():
    text = BASE.replace("  post:", "  a-1b: {}\n  a1b: {}\n  post:")
    assert "s.yaml:7:3: functions.a1b: function names must differ in more than their dashes, got 'a1b' and " \
           "'a-1b', which both become resource names starting 'A1b' (rename one of them)" in errors(text)


def test_http_function_must_finish_before_the_gateway_gives_up():
    text = BASE.replace("    reserved_concurrency: 5\n    subscribe: [{event: AccountOpened, from: accounts}]\n",
                        "    http: GET /x\n    timeout: 60\n")
    assert errors(text) == [
        "s.yaml:8:5: functions.post.timeout: a function behind an HTTP route must time out within 30 s, got 60 "
        "(API Gateway ends the request after 30 s; start a workflow for long work)"]


def test_names_svcgen_adds_itself_are_reserved():
    text = BASE.replace("  post:", "  store-publisher: {}\n  post:")
    assert "s.yaml:6:3: functions.store-publisher: function names must not be one svcgen adds itself, got " \
           "'store-publisher' (rename it)" in errors(text)


def test_own_store_subscription_needs_fan_out():
    text = BASE.replace("functions:", "publishes: []\nevent_store: {events: [Posted], fan_out: false}\nfunctions:")
    text = text.replace("subscribe: [{event: AccountOpened, from: accounts}]", "subscribe: [{store: Posted}]")
    assert any("needs `event_store.fan_out: true`, got fan_out: false" in e for e in errors(text))


def test_pause_heartbeat_must_be_shorter_than_its_timeout():
    text = BASE + "workflows:\n  wf:\n    steps:\n      - pause: review\n        timeout: 1h\n        heartbeat: 2h\n"
    assert any("workflows.wf.steps[0].heartbeat: must be shorter than the pause's timeout (1h), got 2h" in e
               for e in errors(text))


def test_event_started_workflow_takes_only_declared_non_sensitive_ids(demo_workspace):
    from generator.spec.contracts import check_workflow_ids

    accounts = next(s for s in demo_workspace.services if s.spec.service == "accounts")
    wf = accounts.spec.workflows["onboard-customer"]
    assert check_workflow_ids(demo_workspace.services) == []
    leaky = wf.model_copy(update={"ids": ["email"]})  # sensitive in ApplicationSubmitted
    spec = accounts.spec.model_copy(update={"workflows": {"onboard-customer": leaky}})
    services = [type(accounts)(accounts.doc, spec) if s is accounts else s for s in demo_workspace.services]
    (error,) = check_workflow_ids(services)
    assert "workflows.onboard-customer.ids[0]: must be a required, non-sensitive string field of " \
           "ApplicationSubmitted, got 'email'" in error.render()


def test_start_pipe_passes_only_the_ids():
    from generator.components.workflow import start_input_template

    assert start_input_template(("application_id",)) == '{"ids": {"application_id": "<$.body.detail.application_id>"}}'
