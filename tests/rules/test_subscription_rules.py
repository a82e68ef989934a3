"""Subscription rules (SVC1201–SVC1203): functions' `subscribe` and workflows' `started_by` alike."""

from __future__ import annotations

from tests.rules.harness import ACCOUNTS, fails, passes, where

PUBLISHER = ACCOUNTS


def subscriber(entries: str) -> str:
    return f"""
service: ledger
owner: team
description: d
functions:
  post:
    subscribe: [{entries}]
"""


def workflow(entries: str) -> str:
    return f"""
service: ledger
owner: team
description: d
functions: {{step: {{}}}}
workflows:
  settle:
    ids: [account_id]
    started_by: [{entries}]
    steps: [{{call: step}}]
"""


def test_svc1201_exactly_one_of_event_or_store():
    (both,) = fails("SVC1201", subscriber("{event: AccountOpened, store: AccountOpened, from: accounts}"), PUBLISHER)
    assert "got both" in both.message and both.path == "functions.post.subscribe[0]"
    (neither,) = fails("SVC1201", workflow("{from: accounts}"), PUBLISHER)
    assert "got neither" in neither.message and neither.path == "workflows.settle.started_by[0]"
    passes("SVC1201", subscriber("{event: AccountOpened, from: accounts}"), PUBLISHER)


def test_svc1202_bus_event_names_its_publisher():
    assert where(fails("SVC1202", subscriber("{event: AccountOpened}"))) == [
        ("ledger.yaml", 7, "functions.post.subscribe[0]")]
    assert where(fails("SVC1202", workflow("{event: AccountOpened}"))) == [
        ("ledger.yaml", 9, "workflows.settle.started_by[0]")]
    passes("SVC1202", subscriber("{event: AccountOpened, from: accounts}"), PUBLISHER)


def test_svc1203_each_event_once_per_function_and_per_workflow():
    twice = "{event: AccountOpened, from: accounts}, {event: AccountOpened, from: accounts}"
    (error,) = fails("SVC1203", subscriber(twice), PUBLISHER)
    assert (error.path, error.hint) == ("functions.post.subscribe[1]",
                                        "already at subscribe[0]; merge the two into one entry")
    (started,) = fails("SVC1203", workflow(twice), PUBLISHER)  # a troposphere traceback before
    assert started.path == "workflows.settle.started_by[1]" and "a workflow must subscribe" in started.message
    passes("SVC1203", subscriber("{event: AccountOpened, from: accounts}"), PUBLISHER)
