"""Several `store:` entries of one consumer on one store, end to end on moto server.

SNS keeps one subscription per (topic, queue), so svcgen renders a consumer's entries on one
store as one subscription whose filter policy is their union. This deploys a small build (own
store: a function taking two events whole, one taking two events under one shared filter; and
another service taking two of the ledger's events through the exported topic), runs the real
store publisher, and follows each stored event to exactly the queues that selected it, once.

What moto 5.2.1 can show: the union as one `detail-type` list, with or without one shared
`detail` filter. It cannot evaluate an `$or` policy on message bodies (its publish fails; pinned
in tests/unit/test_store_subscriptions.py::test_moto_cannot_evaluate_or), so entries with
different filters, rendered as `$or`, are proven by the unit tests' matcher instead.
"""

from __future__ import annotations

import uuid
from collections import Counter

import pytest
from demo_stacks import deploy_demo, drain

from svcgen_runtime import store_publisher
from generator.workspace import load_workspace
from tests.stream_events import record, stored_item, stream_event

DELIVERY = frozenset({"AWS::SNS::Subscription", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"})
CONTRACT = "    fields:\n      transaction_id: {type: string}\n      amount: {type: integer}\n"
FILES = {
    "platform.yaml": "org: acme\n",
    "ledger.yaml": (
        "service: ledger\n"
        "owner: team-ledger\n"
        "description: Stores transactions; its functions subscribe to several stored events each.\n"
        "events:\n"
        + "".join(f"  {event}:\n{CONTRACT}" for event in ("TransactionRequested", "TransactionPosted",
                                                         "TransactionVoided"))
        + "event_store:\n"
        "  events: [TransactionRequested, TransactionPosted, TransactionVoided]\n"
        "functions:\n"
        "  tally:\n"
        "    subscribe:\n"
        "      - store: TransactionRequested\n"
        "      - store: TransactionPosted\n"
        "  watch-large:\n"
        "    subscribe:\n"
        "      - store: TransactionRequested\n"
        "        filter: {amount: [{numeric: ['>=', 10000]}]}\n"
        "      - store: TransactionPosted\n"
        "        filter: {amount: [{numeric: ['>=', 10000]}]}\n"
    ),
    # named to sort after the ledger: deploy_demo creates stacks in name order, importers last
    "reporting.yaml": (
        "service: reporting\n"
        "owner: team-reporting\n"
        "description: Keeps a trail of the ledger's posted and voided transactions.\n"
        "functions:\n"
        "  record:\n"
        "    subscribe:\n"
        "      - {store: TransactionPosted, from: ledger}\n"
        "      - {store: TransactionVoided, from: ledger}\n"
    ),
}
CONSUMERS = {"tally": ("ledger", "tally"), "watch-large": ("ledger", "watch-large"), "record": ("reporting", "record")}


@pytest.fixture(scope="module")
def build(tmp_path_factory, aws, moto_endpoint, moto_server_log):
    specs = tmp_path_factory.mktemp("union-specs")
    for name, text in FILES.items():
        (specs / name).write_text(text)
    workspace = load_workspace([specs])
    return deploy_demo(workspace, aws, moto_endpoint, moto_server_log, materialize=DELIVERY)


@pytest.fixture
def queues(build, aws) -> dict[str, str]:
    sqs = aws("sqs")
    urls = {}
    for key, (service, function) in CONSUMERS.items():
        fn = next(f for f in build.services[service].functions if f.key == function)
        urls[key] = sqs.get_queue_url(QueueName=fn.queue.name)["QueueUrl"]
        drain(sqs, urls[key])
    return urls


def test_each_queue_has_one_subscription_to_the_store_topic(build, aws, queues):
    topic = build.outputs("ledger")["StoreTopicArn"]
    sns, sqs = aws("sns"), aws("sqs")
    subscribed = Counter(s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"])
    arns = {key: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            for key, url in queues.items()}
    assert {key: subscribed[arn] for key, arn in arns.items()} == {"tally": 1, "watch-large": 1, "record": 1}


def test_stored_events_reach_exactly_the_queues_whose_entries_select_them_once(build, aws, queues, monkeypatch):
    monkeypatch.setenv("STORE_TOPIC_ARN", build.outputs("ledger")["StoreTopicArn"])
    monkeypatch.setenv("EVENT_SOURCE", build.services["ledger"].event_store.source)
    monkeypatch.setattr(store_publisher, "_sns", None)
    run = uuid.uuid4().hex[:8]
    stored = [("r-small", "TransactionRequested", 5), ("r-large", "TransactionRequested", 25000),
              ("p-small", "TransactionPosted", 5), ("p-large", "TransactionPosted", 25000),
              ("v-large", "TransactionVoided", 25000)]
    event = stream_event(*(
        record(str(1000 + i), stored_item(f"acc-{run}", i + 1, event_type,
                                          {"transaction_id": f"{run}-{tid}", "amount": amount}))
        for i, (tid, event_type, amount) in enumerate(stored)))

    assert store_publisher.handler(event, None) == {"batchItemFailures": []}

    sqs = aws("sqs")
    arrived = {key: sorted(m["detail"]["transaction_id"].removeprefix(f"{run}-") for m in drain(sqs, url))
               for key, url in queues.items()}
    assert arrived == {
        "tally": ["p-large", "p-small", "r-large", "r-small"],  # two events, taken whole
        "watch-large": ["p-large", "r-large"],  # two events under one shared filter
        "record": ["p-large", "p-small", "v-large"],  # two of the ledger's events, through its export
    }
