"""The demo platform, deployed to a real CloudFormation API (moto server on 127.0.0.1).

Builds specs/ for the `dev` stage exactly as `svcgen build` does, creates the platform stack and
every service stack (importing the platform's exports), then drives milestone events through the
bus and checks where they land: exactly the subscribers' queues, filters honoured, poison
messages in the DLQ after max_receive_count receives, nothing lost.
"""

from __future__ import annotations

import json
import uuid

import pytest
from demo_stacks import SKIPS, deploy_demo, drain as _drain

# Details chosen to pass (MATCH) or fail (MISS) every content filter of the demo platform.
MATCH = {"kind": "outgoing-payment", "amount": 25000}
MISS = {"kind": "internal-transfer", "amount": 5}
# Where each milestone must land, read off the demo's specs (the bus subscriptions in specs/*.yaml),
# not computed by svcgen from its own model of them; with a MISS detail the subscriptions with a
# content filter (FILTERED) drop out.
DELIVERIES = {
    ("accounts", "AccountOpened"): {("ledger", "post-transaction"), ("notifications", "notify-customer"),
                                    ("onboarding", "record-account")},
    ("accounts", "AccountClosed"): {("ledger", "settle-balance"), ("notifications", "notify-customer")},
    ("accounts", "ApplicationRejected"): {("notifications", "notify-customer")},
    ("ledger", "TransactionPosted"): {("payments", "send-payment")},
    ("ledger", "BalanceSettled"): {("accounts", "close-account")},
    ("onboarding", "ApplicationSubmitted"): {("notifications", "notify-customer")},
    ("payments", "PaymentSettled"): {("ledger", "post-transaction"), ("notifications", "notify-customer")},
    ("payments", "PaymentFailed"): {("notifications", "notify-customer")},
}
FILTERED = {("ledger", "TransactionPosted"): {("payments", "send-payment")}}  # kind: [outgoing-payment]


@pytest.fixture(scope="module")
def platform(demo_workspace, aws, moto_endpoint, moto_server_log):
    """Every demo stack deployed; returns (resolved services, stack descriptions)."""
    demo = deploy_demo(demo_workspace, aws, moto_endpoint, moto_server_log)
    return demo.services, demo.stacks


def _queue_urls(aws, services) -> dict[tuple[str, str], str]:
    sqs = aws("sqs")
    return {(svc.service, fn.key): sqs.get_queue_url(QueueName=fn.queue.name)["QueueUrl"]
            for svc in services.values() for fn in svc.functions if fn.queue}


def _expected(services, publisher: str, event: str, detail_matches: bool) -> set[tuple[str, str]]:
    """Queues that must receive the event, from the specs: bus subscribers of (publisher, event),
    and when the detail fails the content filters, only those without a filter. (Store
    subscriptions are fed by the event store's topic: tests/e2e/test_store_fan_out.py.)"""
    return {(svc.service, fn.key) for svc in services.values() for fn in svc.functions
            for sub in fn.subscriptions
            if sub.kind == "bus" and sub.publisher == publisher and sub.event == event
            and (detail_matches or sub.filter is None)}


def test_every_stack_is_created_completely(platform, aws):
    services, stacks = platform
    assert set(stacks) == {"platform", *services}
    cfn = aws("cloudformation")
    for name, stack in stacks.items():
        assert stack["StackStatus"] == "CREATE_COMPLETE", name
        # deploy_demo returns only complete stacks, so the line above cannot fail: ask
        # CloudFormation what it holds, and find every resource moto models created.
        (held,) = cfn.describe_stacks(StackName=f"acme-dev-{name}")["Stacks"]
        assert held["StackStatus"] == "CREATE_COMPLETE", name
        body = cfn.get_template(StackName=held["StackName"])["TemplateBody"]
        template = body if isinstance(body, dict) else json.loads(body)
        created = {r["LogicalResourceId"]: r["ResourceStatus"] for page in cfn.get_paginator(
            "list_stack_resources").paginate(StackName=held["StackName"]) for r in page["StackResourceSummaries"]
            if r["LogicalResourceId"]}  # moto lists what it skipped without an id
        assert set(created) == {k for k, r in template["Resources"].items() if r["Type"] not in SKIPS}, name
        assert set(created.values()) == {"CREATE_COMPLETE"}, name
    functions = {f["FunctionName"] for f in aws("lambda").list_functions()["Functions"]}
    assert {fn.name for svc in services.values() for fn in svc.functions} <= functions


def test_cross_stack_imports_resolve(platform, aws):
    services, stacks = platform
    exports = {e["Name"]: e["Value"] for e in aws("cloudformation").list_exports()["Exports"]}
    bus_name = exports["acme-dev-platform-bus-name"]
    assert bus_name == "acme-dev-milestones"
    assert exports["acme-dev-platform-bus-arn"].endswith(":event-bus/acme-dev-milestones")
    rules = {r["Name"] for r in aws("events").list_rules(EventBusName=bus_name)["Rules"]}
    expected = {sub.rule_name for svc in services.values() for fn in svc.functions for sub in fn.subscriptions
                if sub.kind == "bus"}
    assert expected <= rules  # every rule landed on the imported bus
    code = aws("lambda").get_function(FunctionName=services["ledger"].functions[0].name)["Configuration"]
    assert code["Environment"]["Variables"]["EVENT_BUS_NAME"] == bus_name
    for service in services:
        assert f"acme-dev-{service}-events-dlq-arn" in exports or not any(
            fn.subscriptions for fn in services[service].functions)


@pytest.mark.parametrize("detail_matches", [True, False], ids=["matching-detail", "filtered-out-detail"])
def test_each_milestone_reaches_exactly_its_subscribers(platform, aws, detail_matches):
    services, _ = platform
    sqs, events = aws("sqs"), aws("events")
    urls = _queue_urls(aws, services)
    for url in urls.values():
        _drain(sqs, url)
    published = [(svc.service, event, svc.source) for svc in services.values() for event in svc.publishes]
    assert len(published) >= 8
    assert {(publisher, event) for publisher, event, _ in published} == set(DELIVERIES)
    for publisher, event, source in published:
        marker = str(uuid.uuid4())
        detail = {**(MATCH if detail_matches else MISS), "id": marker}
        response = events.put_events(Entries=[{
            "EventBusName": "acme-dev-milestones", "Source": source, "DetailType": event,
            "Detail": json.dumps(detail)}])
        assert response["FailedEntryCount"] == 0
        arrived = {key for key, url in urls.items()
                   for body in _drain(sqs, url) if body.get("detail", {}).get("id") == marker}
        assert arrived == _expected(services, publisher, event, detail_matches), (publisher, event)
        dropped = set() if detail_matches else FILTERED.get((publisher, event), set())
        assert arrived == DELIVERIES[publisher, event] - dropped, (publisher, event)


def test_delivered_message_is_the_eventbridge_envelope(platform, aws):
    services, _ = platform
    sqs = aws("sqs")
    url = _queue_urls(aws, services)[("onboarding", "record-account")]
    _drain(sqs, url)
    aws("events").put_events(Entries=[{"EventBusName": "acme-dev-milestones", "Source": "acme.accounts",
                                       "DetailType": "AccountOpened", "Detail": json.dumps({"id": "a-1"})}])
    (body,) = _drain(sqs, url)
    assert body["source"] == "acme.accounts" and body["detail-type"] == "AccountOpened"
    assert body["detail"] == {"id": "a-1"}


def test_poison_message_lands_in_the_dlq_after_max_receive_count(platform, aws):
    services, _ = platform
    sqs = aws("sqs")
    fn = next(f for f in services["ledger"].functions if f.key == "post-transaction")
    url = sqs.get_queue_url(QueueName=fn.queue.name)["QueueUrl"]
    dlq_url = sqs.get_queue_url(QueueName=fn.queue.dlq_name)["QueueUrl"]
    _drain(sqs, url), _drain(sqs, dlq_url)
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"poison": True}))
    for attempt in range(fn.queue.max_receive_count):
        batch = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, AttributeNames=["All"])["Messages"]
        assert int(batch[0]["Attributes"]["ApproximateReceiveCount"]) == attempt + 1
    # one more receive: the message has been received max_receive_count times and moves on
    assert not sqs.receive_message(QueueUrl=url, VisibilityTimeout=0).get("Messages")
    moved = _drain(sqs, dlq_url)
    assert moved == [{"poison": True}]


def test_fifo_subscriber_receives_in_its_message_group(platform, aws):
    services, _ = platform
    sqs = aws("sqs")
    fn = next(f for f in services["ledger"].functions if f.key == "settle-balance")
    assert fn.queue.fifo and fn.queue.name.endswith(".fifo")
    url = sqs.get_queue_url(QueueName=fn.queue.name)["QueueUrl"]
    _drain(sqs, url)
    aws("events").put_events(Entries=[{"EventBusName": "acme-dev-milestones", "Source": "acme.accounts",
                                       "DetailType": "AccountClosed", "Detail": json.dumps({"id": "c-1"})}])
    batch = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    assert len(batch) == 1 and batch[0]["Attributes"]["MessageGroupId"] == fn.queue.message_group
