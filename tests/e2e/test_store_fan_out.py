"""The ledger's event store fan-out, end to end on moto server.

Deploys the platform, ledger and notifications stacks (notifications subscribes to the ledger's
store topic through its export), then runs the real publisher handler, as a Python call with
boto3 pointed at moto by the harness's environment, on DynamoDB stream events, and follows each
stored event to exactly the queues whose store subscriptions (and filters) select it.

moto cannot run the stream -> Lambda leg itself (it invokes functions in Docker, and clears the
stream after a failed invocation), so the test is the event source mapping: it hands the handler
the stream event Lambda would.
"""

from __future__ import annotations

import uuid

import pytest
from demo_stacks import deploy_demo, drain

from generator.concerns.subscription.resolve import store_topic_export
from svcgen_runtime import store_publisher
from tests.stream_events import record, stored_item, stream_event

# Only what delivery needs: subscriptions and the policies beside them (alarms are not followed).
DELIVERY = frozenset({"AWS::SNS::Subscription", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"})
LARGE, SMALL = 25000, 5  # either side of notifications' `amount >= 10000` filter


@pytest.fixture(scope="module")
def demo(demo_workspace, aws, moto_endpoint, moto_server_log):
    return deploy_demo(demo_workspace, aws, moto_endpoint, moto_server_log,
                       only=["ledger", "notifications"], materialize=DELIVERY)


@pytest.fixture
def publisher_env(demo, monkeypatch):
    """The publisher's environment as the template gives it, and a client for this moto."""
    ledger = demo.services["ledger"]
    monkeypatch.setenv("STORE_TOPIC_ARN", demo.outputs("ledger")["StoreTopicArn"])
    monkeypatch.setenv("EVENT_SOURCE", ledger.event_store.source)
    monkeypatch.setattr(store_publisher, "_sns", None)


def _queue_url(aws, demo, service: str, function: str) -> str:
    fn = next(f for f in demo.services[service].functions if f.key == function)
    return aws("sqs").get_queue_url(QueueName=fn.queue.name)["QueueUrl"]


def test_exports_are_what_importers_compute(demo, aws):
    exports = {e["Name"]: e["Value"] for e in aws("cloudformation").list_exports()["Exports"]}
    outputs = demo.outputs("ledger")
    assert exports[store_topic_export("acme", "dev", "ledger")] == outputs["StoreTopicArn"]
    assert exports["acme-dev-ledger-event-store-table"] == outputs["EventStoreTable"] == "acme-dev-ledger-events"
    table = aws("dynamodb").describe_table(TableName=outputs["EventStoreTable"])["Table"]
    assert table["KeySchema"] == [{"AttributeName": "aggregate_id", "KeyType": "HASH"},
                                  {"AttributeName": "revision", "KeyType": "RANGE"}]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}


def test_publisher_is_deployed_with_its_topic_and_stream_mapping(demo, aws):
    outputs = demo.outputs("ledger")
    config = aws("lambda").get_function(FunctionName="acme-dev-ledger-store-publisher")["Configuration"]
    assert config["Handler"] == "svcgen_runtime.store_publisher.handler"
    assert config["Environment"]["Variables"]["STORE_TOPIC_ARN"] == outputs["StoreTopicArn"]
    assert config["Environment"]["Variables"]["EVENT_SOURCE"] == "acme.ledger.store"
    (mapping,) = [m for m in aws("lambda").list_event_source_mappings()["EventSourceMappings"]
                  if m["FunctionArn"] == config["FunctionArn"]]
    stream = aws("dynamodb").describe_table(TableName=outputs["EventStoreTable"])["Table"]["LatestStreamArn"]
    assert mapping["EventSourceArn"] == stream
    assert mapping["MaximumRetryAttempts"] >= 0 and mapping["BisectBatchOnFunctionError"] is True
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"].endswith(":acme-dev-ledger-store-fan-out-dlq")
    # functions with store_access know the table
    post = aws("lambda").get_function(FunctionName="acme-dev-ledger-post-transaction")["Configuration"]
    assert post["Environment"]["Variables"]["EVENT_STORE_TABLE"] == outputs["EventStoreTable"]


def test_stored_events_reach_exactly_the_store_subscribers(demo, aws, publisher_env):
    sqs = aws("sqs")
    queues = {"project-balance": _queue_url(aws, demo, "ledger", "project-balance"),
              "notify-customer": _queue_url(aws, demo, "notifications", "notify-customer"),
              "post-transaction": _queue_url(aws, demo, "ledger", "post-transaction")}
    for url in queues.values():
        drain(sqs, url)
    run = uuid.uuid4().hex[:8]
    large, small = f"{run}-large", f"{run}-small"
    event = stream_event(
        record("1001", stored_item(f"acc-{run}", 1, "TransactionPosted",
                                   {"transaction_id": large, "amount": LARGE, "currency": "EUR"})),
        record("1002", stored_item(f"acc-{run}", 2, "TransactionPosted",
                                   {"transaction_id": small, "amount": SMALL, "currency": "EUR"})),
    )

    assert store_publisher.handler(event, None) == {"batchItemFailures": []}

    arrived = {name: sorted(m["detail"]["transaction_id"] for m in drain(sqs, url)) for name, url in queues.items()}
    assert arrived == {
        "project-balance": sorted([large, small]),  # ledger's own subscription, no filter
        "notify-customer": [large],  # notifications: amount >= 10000
        "post-transaction": [],  # subscribed to TransactionRequested only
    }


def test_delivered_message_is_the_envelope_with_plain_detail(demo, aws, publisher_env):
    sqs = aws("sqs")
    url = _queue_url(aws, demo, "notifications", "notify-customer")
    drain(sqs, url)
    item = stored_item("acc-envelope", 7, "TransactionPosted", {"transaction_id": "t-env", "amount": LARGE})
    store_publisher.handler(stream_event(record("2001", item)), None)
    (body,) = drain(sqs, url)  # raw delivery: the body is the envelope itself, no SNS wrapper
    assert body == {"version": "0", "id": "evt-2001", "source": "acme.ledger.store",
                    "detail-type": "TransactionPosted", "time": "2025-01-01T12:00:00Z",
                    "detail": {"aggregate_id": "acc-envelope", "revision": 7, "transaction_id": "t-env",
                               "amount": LARGE}}
