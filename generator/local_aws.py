"""Local AWS for `svcgen invoke`: an in-memory emulation (moto) inside the child process, with
the resources the function's environment names, so a real handler can append to its event
store, publish on its bus or start a workflow, and the user sees what it did.

The child runs `PRELUDE` before the handler and `REPORT` after it. Nothing leaves the process:
moto intercepts every AWS SDK call in memory.
"""

from __future__ import annotations

import importlib.util

# Runs in the child, before the handler. Environment placeholders (`local-…`) become real names
# and ARNs of the emulated resources.
PRELUDE = r'''
import os
from moto import mock_aws

_local_aws = mock_aws()
_local_aws.start()
import boto3

def _local_resources():
    dynamodb, made = boto3.client("dynamodb"), []
    if os.environ.get("EVENT_STORE_TABLE"):
        dynamodb.create_table(TableName=os.environ["EVENT_STORE_TABLE"], BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "aggregate_id", "AttributeType": "S"},
                                                    {"AttributeName": "revision", "AttributeType": "N"}],
                              KeySchema=[{"AttributeName": "aggregate_id", "KeyType": "HASH"},
                                         {"AttributeName": "revision", "KeyType": "RANGE"}])
        made.append("event store table " + os.environ["EVENT_STORE_TABLE"])
    if os.environ.get("IDEMPOTENCY_TABLE"):
        dynamodb.create_table(TableName=os.environ["IDEMPOTENCY_TABLE"], BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        made.append("idempotency table " + os.environ["IDEMPOTENCY_TABLE"])
    if os.environ.get("EVENT_BUS_NAME"):
        events, sqs = boto3.client("events"), boto3.client("sqs")
        bus = os.environ["EVENT_BUS_NAME"]
        events.create_event_bus(Name=bus)
        tap = sqs.create_queue(QueueName="local-bus-tap")["QueueUrl"]
        tap_arn = sqs.get_queue_attributes(QueueUrl=tap, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="local-bus-tap", EventBusName=bus, EventPattern='{"source": [{"prefix": ""}]}')
        events.put_targets(Rule="local-bus-tap", EventBusName=bus, Targets=[{"Id": "tap", "Arn": tap_arn}])
        os.environ["SVCGEN_LOCAL_BUS_TAP"] = tap
        made.append("event bus " + bus)
    if os.environ.get("STORE_TOPIC_ARN"):
        os.environ["STORE_TOPIC_ARN"] = boto3.client("sns").create_topic(Name="local-store-topic")["TopicArn"]
        made.append("store topic")
    for name in [n for n in os.environ if n.startswith("WORKFLOW_") and n.endswith("_ARN")]:
        role = "arn:aws:iam::123456789012:role/local-workflow"
        definition = '{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}'
        machine = name[len("WORKFLOW_"):-len("_ARN")].lower().replace("_", "-")
        os.environ[name] = boto3.client("stepfunctions").create_state_machine(
            name=machine, definition=definition, roleArn=role)["stateMachineArn"]
        made.append("workflow " + machine)
    if made:
        print("local AWS (in memory): " + ", ".join(made), file=sys.stderr)

_local_resources()
'''

# Runs in the child after the handler: what it changed in the emulated AWS.
REPORT = r'''
def _local_report():
    if os.environ.get("EVENT_STORE_TABLE"):
        items = boto3.client("dynamodb").scan(TableName=os.environ["EVENT_STORE_TABLE"])["Items"]
        for item in items:
            print(f"local AWS: event store: {item['aggregate_id']['S']} revision {item['revision']['N']} "
                  f"{item.get('type', {}).get('S', '?')}", file=sys.stderr)
    tap = os.environ.get("SVCGEN_LOCAL_BUS_TAP")
    if tap:
        for message in boto3.client("sqs").receive_message(QueueUrl=tap, MaxNumberOfMessages=10).get("Messages", []):
            body = json.loads(message["Body"])
            print(f"local AWS: published {body['detail-type']} from {body['source']}", file=sys.stderr)
    for name in [n for n in os.environ if n.startswith("WORKFLOW_") and n.endswith("_ARN")]:
        runs = boto3.client("stepfunctions").list_executions(stateMachineArn=os.environ[name])["executions"]
        for run in runs:
            print(f"local AWS: started workflow execution {run['name']}", file=sys.stderr)

_local_report()
'''


def available() -> bool:
    """moto comes with `svcgen[test]`; without it, invoke falls back to no AWS at all."""
    return importlib.util.find_spec("moto") is not None
