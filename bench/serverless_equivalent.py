"""The Serverless Framework (v3) equivalent of a svcgen service spec, for benchmarks: a
`serverless.yml` and a tiny `handler.py` in a directory of their own, ready for an offline
`serverless package`.

The mapping keeps the two sides comparable, function for function:

* every spec function is one serverless function (`handler.handle`, python3.12, its `timeout`,
  `memory` and `reserved_concurrency`);
* an HTTP function (`http: GET /path`) gets an `httpApi` event with the same method and path;
* a subscriber (`subscribe:`, milestones from the bus or the service's own event store) gets an
  `sqs` event on a queue of its own, declared under `resources:` with a dead-letter queue and a
  redrive policy (FIFO when the spec's queue is; its batch size) — what svcgen puts in front of
  every subscriber. The EventBridge rule or stream that feeds the queue is not declared;
* a service with an `event_store:` gets a DynamoDB table with a stream under `resources:`;
* a workflow step or a directly invoked function is a function without events. Workflows' state
  machines are not written (Serverless needs the serverless-step-functions plugin for them), nor
  are IAM statements, alarms or KMS keys: the Serverless side is, if anything, lighter.

    python bench/serverless_equivalent.py SPEC DIR
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

HANDLER = "def handle(event, context):\n    return {\"statusCode\": 200, \"body\": \"ok\"}\n"


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("_", "-").split("-"))


def _queues(name: str, queue: dict) -> dict:
    """A subscriber's queue and dead-letter queue, as CloudFormation resources."""
    fifo = bool(queue.get("fifo"))
    dlq: dict = {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600}}
    main: dict = {"Type": "AWS::SQS::Queue", "Properties": {
        "VisibilityTimeout": 180,
        "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": [f"{name}DeadLetterQueue", "Arn"]},
                          "maxReceiveCount": queue.get("max_receive_count", 3)}}}
    if fifo:
        dlq["Properties"]["FifoQueue"] = True
        main["Properties"]["FifoQueue"] = True
    return {f"{name}Queue": main, f"{name}DeadLetterQueue": dlq}


def serverless_config(spec: dict) -> dict:
    """The serverless.yml (as a dict) of one svcgen service spec (as a dict)."""
    functions: dict = {}
    resources: dict = {}
    for name, body in (spec.get("functions") or {}).items():
        body = body or {}
        function: dict = {"handler": "handler.handle"}
        if "description" in body:
            function["description"] = body["description"]
        if "timeout" in body:
            function["timeout"] = body["timeout"]
        if "memory" in body:
            function["memorySize"] = body["memory"]
        if "reserved_concurrency" in body:
            function["reservedConcurrency"] = body["reserved_concurrency"]
        if "http" in body:
            function["events"] = [{"httpApi": body["http"]}]
        elif body.get("subscribe"):
            queue = body.get("queue") or {}
            logical = _pascal(name)
            resources.update(_queues(logical, queue))
            function["events"] = [{"sqs": {"arn": {"Fn::GetAtt": [f"{logical}Queue", "Arn"]},
                                           "batchSize": queue.get("batch_size", 10)}}]
        functions[name] = function
    if spec.get("event_store"):
        resources["EventStoreTable"] = {"Type": "AWS::DynamoDB::Table", "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "StreamSpecification": {"StreamViewType": "NEW_IMAGE"}}}
    config: dict = {
        "service": spec["service"],
        "frameworkVersion": "3",
        "provider": {"name": "aws", "runtime": "python3.12", "stage": "dev", "region": "eu-west-1"},
        "package": {"patterns": ["!**", "handler.py"]},
        "functions": functions,
    }
    if resources:
        config["resources"] = {"Resources": resources}
    return config


def write_equivalent(spec: Path, out: Path) -> Path:
    """`serverless.yml` and `handler.py` for the spec at `spec`, in `out` (created); returns `out`."""
    out.mkdir(parents=True, exist_ok=True)
    config = serverless_config(yaml.safe_load(spec.read_text()))
    (out / "serverless.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    (out / "handler.py").write_text(HANDLER)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("directory", type=Path)
    args = parser.parse_args()
    print(f"wrote {write_equivalent(args.spec, args.directory) / 'serverless.yml'}")


if __name__ == "__main__":
    main()
