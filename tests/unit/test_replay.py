"""generator/deploy/replay.py and `svcgen replay`: the StartReplay request (limited to the
subscriber's rules, checked with botocore's Stubber), stored events' envelopes, filters, the
token bucket, and the usage errors."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer
from botocore.stub import ANY, Stubber

from generator.deploy import ops_commands
from generator.deploy import replay as R
from generator.resolve import resolve_service
from generator.stages import resolve_stage
from svcgen_runtime import store_publisher
from tests.conftest import SPECS
from tests.stream_events import record, stored_item

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
T1 = datetime(2025, 1, 2, tzinfo=timezone.utc)


def fn_of(ws, service, function, stage="dev"):
    item = next(s for s in ws.services if s.spec.service == service)
    svc = resolve_service(item.spec, ws.platform, resolve_stage(stage, ws.platform))
    return svc, next(f for f in svc.functions if f.key == function)


def parse(argv):
    parser = argparse.ArgumentParser(prog="svcgen")
    ops_commands.add_commands(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


# --- milestones -----------------------------------------------------------------------------------

def test_the_bus_replay_names_only_the_functions_own_rules(demo_workspace):
    svc, fn = fn_of(demo_workspace, "ledger", "post-transaction")
    plan = R.bus_replay(svc, fn)
    assert plan.archive == "acme-dev-milestones" and plan.bus == "acme-dev-milestones"
    assert len(plan.rules) == 2 and all("post-transaction" in r for r in plan.rules)
    _, projection = fn_of(demo_workspace, "ledger", "project-balance")  # store only: no bus replay
    assert R.bus_replay(svc, projection) is None


def test_replay_sends_start_replay_with_filter_arns_of_that_functions_rules_only(demo_workspace, monkeypatch, capsys):
    svc, fn = fn_of(demo_workspace, "ledger", "post-transaction")
    rules = R.bus_replay(svc, fn).rules
    events = boto3.client("events", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    bus_arn = "arn:aws:events:eu-west-1:123456789012:event-bus/acme-dev-milestones"
    archive_arn = "arn:aws:events:eu-west-1:123456789012:archive/acme-dev-milestones"
    arns = {r: f"arn:aws:events:eu-west-1:123456789012:rule/acme-dev-milestones/{r}" for r in rules}
    with Stubber(events) as stub:
        stub.add_response("describe_archive", {"ArchiveArn": archive_arn, "EventSourceArn": bus_arn, "EventCount": 7},
                          {"ArchiveName": "acme-dev-milestones"})
        for rule in rules:
            stub.add_response("describe_rule", {"Arn": arns[rule], "Name": rule},
                              {"Name": rule, "EventBusName": "acme-dev-milestones"})
        stub.add_response("start_replay", {"State": "STARTING"}, {
            "ReplayName": ANY, "Description": ANY, "EventSourceArn": archive_arn,
            "EventStartTime": T0, "EventEndTime": T1,
            "Destination": {"Arn": bus_arn, "FilterArns": sorted(arns.values())}})
        stub.add_response("describe_replay", {"State": "RUNNING"}, {"ReplayName": ANY})
        stub.add_response("describe_replay", {"State": "COMPLETED"}, {"ReplayName": ANY})
        monkeypatch.setattr(ops_commands, "_client", lambda service, *a: {"events": events}[service])
        monkeypatch.setattr(R.time, "sleep", lambda s: None)
        args = parse(["replay", "ledger.post-transaction", str(SPECS), "--from", "2025-01-01",
                      "--to", "2025-01-02T00:00Z"])
        # the store half of post-transaction is not exercised here: only its bus subscriptions
        monkeypatch.setattr(R, "store_replays", lambda svc, fn: [])
        assert ops_commands.run_replay(args) == 0
        stub.assert_no_pending_responses()
    out = capsys.readouterr().out
    assert "to rule(s) " + ", ".join(rules) + " only" in out
    assert out.rstrip().endswith(": COMPLETED")


def test_a_dry_run_starts_no_replay(demo_workspace, monkeypatch, capsys):
    events = boto3.client("events", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x")
    svc, fn = fn_of(demo_workspace, "onboarding", "record-account")
    (rule,) = R.bus_replay(svc, fn).rules
    with Stubber(events) as stub:  # a StartReplay would find no response and fail the test
        stub.add_response("describe_archive", {"ArchiveArn": "a", "EventSourceArn": "b", "EventCount": 7})
        stub.add_response("describe_rule", {"Arn": "arn"})
        monkeypatch.setattr(ops_commands, "_client", lambda service, *a: {"events": events}[service])
        args = parse(["replay", "onboarding.record-account", str(SPECS), "--from", "2025-01-01",
                      "--to", "2025-01-02", "--dry-run"])
        assert ops_commands.run_replay(args) == 0
        stub.assert_no_pending_responses()
    assert capsys.readouterr().out == (
        "archive acme-dev-milestones (7 event(s) in all): would replay 2025-01-01T00:00:00Z to "
        f"2025-01-02T00:00:00Z onto bus acme-dev-milestones, to rule(s) {rule} only\n")


@pytest.mark.parametrize("argv, message", [
    (["ledger.post-transaction", "--stage", "pr-1"], "stage pr-1 is ephemeral: its light platform stack has no archive"),
    (["ledger.get-balance"], "ledger.get-balance subscribes to nothing"),
    (["ledger.post-transaction", "--to", "2024-01-01"], "must be before --to"),
    (["ledger.post-transaction", "--to", "yesterday"], "is not a time"),
    (["ledger"], "write SERVICE.FUNCTION"),
    (["nobody.x"], "unknown service 'nobody'"),
])
def test_usage_errors(argv, message, capsys):
    from generator.cli import main

    times = ["--from", "2025-01-01"] + ([] if "--to" in argv else ["--to", "2025-01-02"])
    assert main(["replay", argv[0], str(SPECS), *argv[1:], *times]) == 2
    assert message in capsys.readouterr().err


def test_replay_names_are_valid_and_unique_per_run():
    name = R.replay_name("a-very-long-service-name-here", "a-very-long-function-name-there-too", T0)
    assert len(name) <= 64 and name.endswith("-20250101T000000")
    assert R.replay_name("s", "f", T0) != R.replay_name("s", "f", T1)


# --- stored events --------------------------------------------------------------------------------

def test_a_stored_events_envelope_is_the_one_the_fan_out_delivers(demo_workspace):
    svc, fn = fn_of(demo_workspace, "ledger", "project-balance")
    (plan,) = R.store_replays(svc, fn)
    assert plan.table == "acme-dev-ledger-events" and plan.events == ("TransactionPosted",)
    item = stored_item("acc-1", 3, "TransactionPosted", {"amount": 250, "tags": {"a", "b"}},
                       recorded_at="2025-01-01T12:00:00Z")
    plain = {k: TypeDeserializer().deserialize(v) for k, v in record("1", item)["dynamodb"]["NewImage"].items()}
    (sent,) = R.stored_envelopes([plain], plan, T0, T1, "r1")
    fanned = store_publisher.to_envelope(record("1", item), svc.event_store.source)
    assert {**sent, "id": None, "replay-name": None} == {**fanned, "id": None, "replay-name": None}
    assert sent["replay-name"] == "r1"
    assert R.stored_envelopes([plain], plan, T0, T1, "r2")[0]["id"] == sent["id"]  # stable


def test_stored_events_are_taken_by_window_type_and_filter_oldest_first(demo_workspace):
    svc, fn = fn_of(demo_workspace, "notifications", "notify-customer")  # amount >= 10000
    (plan,) = R.store_replays(svc, fn)
    assert plan.table == "acme-dev-ledger-events"
    items = [
        stored_item("b", 1, "TransactionPosted", {"amount": 20000}, "2025-01-01T13:00:00Z"),
        stored_item("a", 1, "TransactionPosted", {"amount": 10000}, "2025-01-01T12:00:00Z"),
        stored_item("c", 1, "TransactionPosted", {"amount": 9999}, "2025-01-01T12:00:00Z"),  # filtered out
        stored_item("d", 1, "TransactionRequested", {"amount": 50000}, "2025-01-01T12:00:00Z"),  # other type
        stored_item("e", 1, "TransactionPosted", {"amount": 50000}, "2025-01-02T00:00:00Z"),  # at --to: out
        stored_item("f", 1, "TransactionPosted", {"amount": 50000}, "2024-12-31T23:59:59Z"),  # before
    ]
    sent = R.stored_envelopes(items, plan, T0, T1, "r")
    assert [e["detail"]["aggregate_id"] for e in sent] == ["a", "b"]


@pytest.mark.parametrize("policy, detail, selected", [
    ({"kind": ["a", "b"]}, {"kind": "b"}, True),
    ({"kind": ["a"]}, {"kind": "c"}, False),
    ({"amount": [{"numeric": [">", 0, "<=", 5]}]}, {"amount": 5}, True),
    ({"amount": [{"numeric": [">", 0, "<=", 5]}]}, {"amount": 6}, False),
    ({"amount": [{"numeric": ["=", 5]}]}, {"amount": "5"}, False),
    ({"iban": [{"prefix": "DE"}]}, {"iban": "DE12"}, True),
    ({"iban": [{"anything-but": ["x"]}]}, {}, True),
    ({"iban": [{"anything-but": {"prefix": "DE"}}]}, {"iban": "DE1"}, False),
    ({"iban": [{"exists": False}]}, {"iban": "x"}, False),
    ({"a": {"b": [1]}}, {"a": {"b": 1}}, True),
    ({"$or": [{"a": [1]}, {"b": [2]}]}, {"b": 2}, True),
    ({"$or": [{"a": [1]}, {"b": [2]}]}, {"b": 3}, False),
])
def test_filters_are_evaluated_as_sns_does(policy, detail, selected):
    R.check_filter(policy, "here")
    assert R.matches(policy, detail) is selected


def test_a_filter_replay_cannot_evaluate_is_refused():
    with pytest.raises(R.ReplayError, match="uses cidr"):
        R.check_filter({"ip": [{"cidr": "10.0.0.0/8"}]}, "here")


def test_the_token_bucket_keeps_the_rate():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    bucket = R.TokenBucket(2, clock=lambda: now[0], sleep=sleep)
    for _ in range(6):
        bucket.take()
    assert now[0] == pytest.approx(2.0)  # a burst of 2, then one every half second
    with pytest.raises(ValueError):
        R.TokenBucket(0)


def test_fifo_queues_get_a_group_and_a_deduplication_id():
    class Sqs:
        sent: list = []

        def send_message(self, **kwargs):
            self.sent.append(kwargs)

    sqs = Sqs()
    envelope = {"id": "i", "replay-name": "r", "detail": {"aggregate_id": "acc"}}
    R.send(sqs, "url", [envelope], R.TokenBucket(100), fifo=True, message_group=None)
    assert sqs.sent[0]["MessageGroupId"] == "acc" and sqs.sent[0]["MessageDeduplicationId"] == "i-r"
