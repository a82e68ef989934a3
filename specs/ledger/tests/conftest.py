"""pytest setup for the ledger service: created once by svcgen, then yours."""

import json
import sys
from pathlib import Path

import pytest

CODE_DIR = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """Before any test module (and so any handler) is imported: the code directory on sys.path,
    as Lambda has it (and this one, for svcgen_support.py under any import mode), and the
    environment the deployed functions get, with test values and fake AWS credentials."""
    sys.path[:0] = [str(CODE_DIR), str(CODE_DIR / "tests")]
    from svcgen_support import use_test_environment

    use_test_environment()
    _cache_moto_event_paths()


def _cache_moto_event_paths():
    """moto delivers each event to a rule's target through 8 JSONPath expressions, and builds a
    new yacc parser for every one of them (~0.1 s per PutEvents). The expressions never change,
    so parsing each once keeps the suite fast; delivery itself is unchanged."""
    import functools

    import jsonpath_ng.ext

    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=None)(jsonpath_ng.ext.parse)


@pytest.fixture
def aws(local_aws):
    """Empty AWS for each test: every resource of the previous test is gone (svcgen_runtime's
    pytest plugin: in-memory moto, started once, with the plumbing's clients made inside it)."""


@pytest.fixture
def store(aws):
    """The event store table, laid out as the deployed one (concerns/event_store/render.py)."""
    import boto3

    from svcgen_support import ENVIRONMENT

    table = ENVIRONMENT["EVENT_STORE_TABLE"]
    boto3.client("dynamodb").create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "aggregate_id", "KeyType": "HASH"},
                   {"AttributeName": "revision", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "aggregate_id", "AttributeType": "S"},
                              {"AttributeName": "revision", "AttributeType": "N"}],
    )
    return StoreTable(table)


@pytest.fixture
def bus(aws):
    """The platform bus, with a rule sending everything this service publishes to a queue."""
    return BusCapture()


class StoreTable:
    def __init__(self, name: str) -> None:
        import boto3

        self.name = name
        self.table = boto3.resource("dynamodb").Table(name)

    def items(self, aggregate_id: str) -> list[dict]:
        """The raw items of an aggregate, in revision order (what is really in DynamoDB)."""
        from boto3.dynamodb.conditions import Key

        return self.table.query(KeyConditionExpression=Key("aggregate_id").eq(aggregate_id))["Items"]


class BusCapture:
    def __init__(self) -> None:
        import boto3

        from svcgen_support import ENVIRONMENT

        events, self.sqs = boto3.client("events"), boto3.client("sqs")
        bus = events.create_event_bus(Name=ENVIRONMENT["EVENT_BUS_NAME"])["EventBusArn"].split("/")[-1]
        self.queue_url = self.sqs.create_queue(QueueName="published")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url,
                                                  AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="published", EventBusName=bus,
                        EventPattern=json.dumps({"source": [ENVIRONMENT["EVENT_SOURCE"]]}))
        events.put_targets(Rule="published", EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}])

    def received(self) -> list[dict]:
        """Every envelope that reached the queue so far, in arrival order."""
        envelopes = []
        while messages := self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                                   WaitTimeSeconds=0).get("Messages", []):
            for message in messages:
                envelopes.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return envelopes
