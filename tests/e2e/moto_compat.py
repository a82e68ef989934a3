"""Everything the end-to-end harness does only because moto 5.2.1 is not AWS.

The template transform (`moto_deployable`, KNOWN_MOTO_SKIPS) lives in the product,
generator/deploy/local/compat.py, where `svcgen deploy --local` uses it; what stays here is the
harness's own: creating one stack by hand, and creating skipped resources through the service
APIs for tests that need them. Rendered templates stay plain CloudFormation, and each
function compensates for one measured moto difference. tests/e2e/test_harness.py pins these
behaviours down, so a moto upgrade that changes one of them fails loudly there.

Typical use in a test (``aws`` is the client factory fixture from conftest.py):

    deploy_stack(aws("cloudformation"), name, json.dumps(moto_deployable(template)))
    assert_nothing_unexpectedly_skipped(template, aws("cloudformation"), name)
    materialize_skipped(template, aws, name)           # SNS subscriptions, policies, alarms
    disable_event_source_mappings(aws, name)           # the test is the queue consumer
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

# The template transform is the product's (the moto target of `svcgen deploy --local` applies it);
# the tests import it, and the server's environment, from here as before.
from generator.deploy.local.compat import (  # noqa: F401 (re-exported)
    KNOWN_MOTO_SKIPS, MOTO_VERSION, REF_AS_ATTRIBUTE, SERVER_ENV, SKIPPED_PLACEHOLDER, is_intrinsic,
    moto_deployable,
)

# moto's HTTP 500 pages are HTML, which botocore fails to parse: ResponseParserError, a plain
# Exception rather than a BotoCoreError.
_AWS_ERRORS = (ClientError, BotoCoreError, ResponseParserError)

class StackDeployError(AssertionError):
    """A stack did not reach CREATE_COMPLETE; the message carries everything moto told us."""


# --- deployment ------------------------------------------------------------------------

def deploy_stack(cfn_client, stack_name: str, template_body: str,
                 parameters: dict | None = None, *, timeout_s: float = 60.0,
                 server_log: Path | None = None) -> dict:
    """Create a stack, wait for CREATE_COMPLETE, return its describe_stacks entry.

    moto creates every resource synchronously inside CreateStack. A failing resource turns
    into an error response (often a bare HTTP 500) while the stack stays CREATE_IN_PROGRESS
    with the resources created so far, and may even break DescribeStacks for everyone. So on
    failure we delete the stack (the rollback AWS would do) and raise StackDeployError with
    the error, the stack events and moto's traceback from ``server_log``.
    """
    log_offset = Path(server_log).stat().st_size if server_log else 0
    try:
        cfn_client.create_stack(
            StackName=stack_name, TemplateBody=template_body,
            Parameters=[{"ParameterKey": k, "ParameterValue": str(v)}
                        for k, v in (parameters or {}).items()],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"])
    except _AWS_ERRORS as exc:
        _fail(cfn_client, stack_name, f"CreateStack failed: {exc}", server_log, log_offset)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            stack = cfn_client.describe_stacks(StackName=stack_name)["Stacks"][0]
        except _AWS_ERRORS as exc:
            _fail(cfn_client, stack_name, f"DescribeStacks failed: {exc}", server_log,
                  log_offset)
        if stack["StackStatus"] == "CREATE_COMPLETE":
            return stack
        if not stack["StackStatus"].endswith("IN_PROGRESS") or time.monotonic() > deadline:
            _fail(cfn_client, stack_name, f"stack is {stack['StackStatus']}", server_log,
                  log_offset)
        time.sleep(0.2)


def _fail(cfn_client, stack_name: str, reason: str, server_log: Path | None,
          log_offset: int) -> None:
    try:
        events = cfn_client.describe_stack_events(StackName=stack_name)["StackEvents"]
        event_lines = [f"  {e['LogicalResourceId']} {e['ResourceStatus']} "
                       f"{e.get('ResourceStatusReason', '')}" for e in events]
    except _AWS_ERRORS as exc:
        event_lines = [f"  (no events: {exc})"]
    try:
        cfn_client.delete_stack(StackName=stack_name)
        rollback = "deleted the stack and the resources moto had created (emulated rollback)"
    except _AWS_ERRORS as exc:
        rollback = f"could not delete the stack: {exc}"
    raise StackDeployError(f"stack {stack_name!r} not created: {reason}\nevents:\n"
                           + "\n".join(event_lines) + f"\n{rollback}"
                           + _server_traceback(server_log, log_offset))


def _server_traceback(server_log: Path | None, offset: int, wait_s: float = 2.0) -> str:
    """moto's last traceback written since ``offset`` (moto's HTTP 500 bodies say nothing).

    The server may finish writing it a moment after its 500 reached the client (seen under
    a loaded full suite), so a log without a complete traceback is read again for a while."""
    if server_log is None:
        return ""
    deadline = time.monotonic() + wait_s
    while True:
        with open(server_log, "rb") as log:
            log.seek(offset)
            lines = log.read().decode(errors="replace").splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("Traceback")]
        # Traceback lines are indented; the exception line is the first one that is not.
        end = next((i for i in range(starts[-1] + 1, len(lines)) if not lines[i].startswith(" ")),
                   None) if starts else None
        if end is not None:
            return "\nmoto server traceback:\n" + "\n".join(lines[starts[-1]:end + 1])
        if time.monotonic() >= deadline:
            return "" if not starts else "\nmoto server traceback:\n" + "\n".join(lines[starts[-1]:])
        time.sleep(0.1)


# --- silently skipped resources --------------------------------------------------------

def skipped_resources(template: dict, cfn_client, stack_name: str) -> dict[str, str]:
    """Logical ids of ``template`` that moto did not create, mapped to their type.

    moto lists a skipped resource with an empty LogicalResourceId, so we compare ids. A
    resource with a Condition is left out: when false it is legitimately absent, and this
    helper does not evaluate conditions.
    """
    created = {r["LogicalResourceId"] for r in _paginate(
        cfn_client, "list_stack_resources", "StackResourceSummaries", StackName=stack_name)}
    return {logical_id: res["Type"] for logical_id, res in template["Resources"].items()
            if logical_id not in created and "Condition" not in res}


def assert_nothing_unexpectedly_skipped(template: dict, cfn_client, stack_name: str,
                                        known: frozenset[str] = KNOWN_MOTO_SKIPS) -> None:
    """Fail when moto skipped a type we have not accepted, so a new gap is never silent."""
    unexpected = {logical_id: rtype for logical_id, rtype
                  in skipped_resources(template, cfn_client, stack_name).items()
                  if rtype not in known}
    assert not unexpected, (
        f"moto {MOTO_VERSION} silently skipped {unexpected} in stack {stack_name!r}; "
        "decide whether the e2e tests need them (materialize_skipped) and add the types "
        "to KNOWN_MOTO_SKIPS")


def materialize_skipped(template: dict, aws: Callable[[str], Any],
                        stack_name: str) -> dict[str, str]:
    """Create, through the service APIs, the skipped resources whose behaviour tests need.

    This replays what real CloudFormation would have created from the template: the same
    properties with Ref / Fn::GetAtt / Fn::Sub / Fn::ImportValue resolved against the
    deployed stack (its physical ids, parameters and the account's exports). Covered:
    SNS subscriptions (FilterPolicy, FilterPolicyScope, RawMessageDelivery, RedrivePolicy),
    queue and topic policies (moto does not enforce them; kept so tests can inspect them)
    and CloudWatch alarms. Returns logical id -> physical id of what was created.
    """
    resolver = _Resolver(template, aws, stack_name)
    created = {}
    for logical_id, rtype in skipped_resources(template, aws("cloudformation"), stack_name).items():
        if rtype in _MATERIALIZERS:
            props = resolver.resolve(template["Resources"][logical_id].get("Properties", {}))
            created[logical_id] = _MATERIALIZERS[rtype](aws, props, f"{stack_name}-{logical_id}")
            resolver.physical[logical_id] = created[logical_id]
    return created


def _subscription(aws, props: dict, _default_name: str) -> str:
    attributes = {}
    # moto's SetSubscriptionAttributes accepts only these names (sns/models.py).
    for name in ("FilterPolicyScope", "FilterPolicy", "RawMessageDelivery", "RedrivePolicy",
                 "DeliveryPolicy", "SubscriptionRoleArn"):
        if name in props:
            value = props[name]
            attributes[name] = (json.dumps(value) if isinstance(value, dict)
                                else str(value).lower() if isinstance(value, bool) else value)
    return aws("sns").subscribe(TopicArn=props["TopicArn"], Protocol=props["Protocol"],
                                Endpoint=props["Endpoint"], Attributes=attributes,
                                ReturnSubscriptionArn=True)["SubscriptionArn"]


def _queue_policy(aws, props: dict, _default_name: str) -> str:
    for url in props["Queues"]:
        aws("sqs").set_queue_attributes(
            QueueUrl=url, Attributes={"Policy": json.dumps(props["PolicyDocument"])})
    return ",".join(props["Queues"])


def _topic_policy(aws, props: dict, _default_name: str) -> str:
    for arn in props["Topics"]:
        aws("sns").set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                                        AttributeValue=json.dumps(props["PolicyDocument"]))
    return ",".join(props["Topics"])


def _alarm(aws, props: dict, default_name: str) -> str:
    kwargs = dict(props, AlarmName=props.get("AlarmName", default_name))
    for name in ("Period", "EvaluationPeriods", "DatapointsToAlarm"):
        if name in kwargs:
            kwargs[name] = int(kwargs[name])  # CloudFormation accepts numbers as strings
    if "Threshold" in kwargs:
        kwargs["Threshold"] = float(kwargs["Threshold"])
    aws("cloudwatch").put_metric_alarm(**kwargs)
    return kwargs["AlarmName"]


_MATERIALIZERS = {
    "AWS::SNS::Subscription": _subscription,
    "AWS::SQS::QueuePolicy": _queue_policy,
    "AWS::SNS::TopicPolicy": _topic_policy,
    "AWS::CloudWatch::Alarm": _alarm,
}


def disable_event_source_mappings(aws: Callable[[str], Any], stack_name: str) -> list[str]:
    """Disable the stack's Lambda event source mappings; return their UUIDs.

    Without Docker moto still "polls" on every SendMessage to a mapped queue: it receives a
    batch (raising ApproximateReceiveCount), fails to invoke, and makes the messages visible
    again (sqs/models.py Queue.add_message), so messages drift to the DLQ at random. With the
    mappings disabled the test is the only consumer. (DynamoDB stream mappings ignore the
    flag in moto: dynamodb/models/table.py StreamShard.add.)
    """
    uuids = [r["PhysicalResourceId"] for r in _paginate(
        aws("cloudformation"), "list_stack_resources", "StackResourceSummaries",
        StackName=stack_name) if r["ResourceType"] == "AWS::Lambda::EventSourceMapping"]
    for uuid in uuids:
        aws("lambda").update_event_source_mapping(UUID=uuid, Enabled=False)
    return uuids


# --- resolving intrinsic functions against a deployed stack -----------------------------

_NO_VALUE = object()


class _Resolver:
    """Resolves a template fragment to the values CloudFormation would have passed."""

    def __init__(self, template: dict, aws: Callable[[str], Any], stack_name: str):
        cfn = aws("cloudformation")
        stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
        self.aws, self.resources = aws, template["Resources"]
        _, _, _, self.region, self.account, _ = stack["StackId"].split(":", 5)
        self.pseudo = {"AWS::Region": self.region, "AWS::AccountId": self.account,
                       "AWS::StackName": stack_name, "AWS::StackId": stack["StackId"],
                       "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com",
                       "AWS::NoValue": _NO_VALUE}
        self.pseudo.update({p["ParameterKey"]: p["ParameterValue"]
                            for p in stack.get("Parameters", [])})
        self.physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in _paginate(
            cfn, "list_stack_resources", "StackResourceSummaries", StackName=stack_name)
            if r["LogicalResourceId"]}
        self.exports = {e["Name"]: e["Value"]
                        for e in _paginate(cfn, "list_exports", "Exports")}

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in map(self.resolve, node) if v is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if is_intrinsic(node):
            (name, arg), = node.items()
            handler = getattr(self, "_" + name.replace("Fn::", "fn_"), None)
            if handler is None:
                raise NotImplementedError(f"materialize_skipped cannot resolve {name}")
            return handler(arg)
        resolved = {k: self.resolve(v) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v is not _NO_VALUE}

    def _Ref(self, name: str) -> Any:
        if name in self.pseudo:
            return self.pseudo[name]
        rtype = self.resources[name]["Type"]
        if rtype in REF_AS_ATTRIBUTE:
            return self._fn_GetAtt([name, REF_AS_ATTRIBUTE[rtype]])
        if not self.physical.get(name):
            if rtype in KNOWN_MOTO_SKIPS and rtype not in _MATERIALIZERS:
                # Never created here either (e.g. an HTTP API an alarm's ApiId dimension names):
                # the same placeholder moto_deployable puts in the stack for this reference.
                return SKIPPED_PLACEHOLDER + name
            raise LookupError(f"no physical id for {name} ({rtype}); skipped or not yet created")
        return self.physical[name]

    def _fn_GetAtt(self, arg: Any) -> str:
        logical_id, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
        rtype = self.resources[logical_id]["Type"]
        getter = _ATTRIBUTES.get((rtype, attribute))
        if getter is None:
            raise NotImplementedError(f"materialize_skipped cannot resolve {rtype}.{attribute}")
        props = self.resources[logical_id].get("Properties", {})
        return getter(self, self.physical.get(logical_id, ""), props)

    def _fn_Sub(self, arg: Any) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else arg
        values = {k: self.resolve(v) for k, v in variables.items()}

        def substitute(match: re.Match) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in values:
                return str(values[name])
            return str(self._fn_GetAtt(name) if "." in name else self._Ref(name))
        return re.sub(r"\$\{([^}]+)\}", substitute, text)

    def _fn_ImportValue(self, arg: Any) -> str:
        return self.exports[self.resolve(arg)]

    def _fn_Join(self, arg: list) -> str:
        return arg[0].join(str(v) for v in self.resolve(arg[1]))

    def _fn_Select(self, arg: list) -> Any:
        return self.resolve(arg[1])[int(self.resolve(arg[0]))]

    def _fn_ToJsonString(self, arg: Any) -> str:
        return json.dumps(self.resolve(arg))

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:aws:{service}:{self.region if region else ''}:{self.account}:{resource}"


# (type, attribute) -> value, in AWS's format, from the physical id / template properties.
_ATTRIBUTES: dict[tuple[str, str], Callable[[_Resolver, str, dict], str]] = {
    ("AWS::SQS::Queue", "Arn"): lambda r, pid, p: r.arn("sqs", pid.rsplit("/", 1)[-1]),
    ("AWS::SQS::Queue", "QueueName"): lambda r, pid, p: pid.rsplit("/", 1)[-1],
    ("AWS::SQS::Queue", "QueueUrl"): lambda r, pid, p: pid,
    ("AWS::SNS::Topic", "TopicArn"): lambda r, pid, p: pid,
    ("AWS::SNS::Topic", "TopicName"): lambda r, pid, p: pid.rsplit(":", 1)[-1],
    ("AWS::KMS::Key", "Arn"): lambda r, pid, p: r.arn("kms", f"key/{pid}"),
    ("AWS::KMS::Key", "KeyId"): lambda r, pid, p: pid,
    ("AWS::Lambda::Function", "Arn"): lambda r, pid, p: r.arn("lambda", f"function:{pid}"),
    ("AWS::IAM::Role", "Arn"): lambda r, pid, p: r.arn(
        "iam", f"role{r.resolve(p.get('Path', '/'))}{pid}", region=False),
    ("AWS::DynamoDB::Table", "Arn"): lambda r, pid, p: r.arn("dynamodb", f"table/{pid}"),
    ("AWS::DynamoDB::Table", "StreamArn"): lambda r, pid, p: r.aws("dynamodb").describe_table(
        TableName=pid)["Table"]["LatestStreamArn"],
    ("AWS::Events::EventBus", "Name"): lambda r, pid, p: r.resolve(p["Name"]),
    ("AWS::Events::Rule", "Arn"): lambda r, pid, p: r.aws("events").describe_rule(
        Name=r.resolve(p.get("Name", pid)), EventBusName=r.resolve(p.get("EventBusName", "default")))["Arn"],
    ("AWS::Events::EventBus", "Arn"): lambda r, pid, p: r.arn(
        "events", f"event-bus/{r.resolve(p['Name'])}"),
    ("AWS::Logs::LogGroup", "Arn"): lambda r, pid, p: r.arn("logs", f"log-group:{pid}:*"),
    ("AWS::StepFunctions::StateMachine", "Arn"): lambda r, pid, p: pid,
    ("AWS::StepFunctions::StateMachine", "Name"): lambda r, pid, p: pid.rsplit(":", 1)[-1],
    ("AWS::S3::Bucket", "Arn"): lambda r, pid, p: f"arn:aws:s3:::{pid}",
}


def _paginate(client, operation: str, key: str, **kwargs) -> list:
    return [item for page in client.get_paginator(operation).paginate(**kwargs)
            for item in page.get(key, [])]
