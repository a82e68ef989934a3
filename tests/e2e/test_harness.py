"""Tests of the e2e harness itself: the server, deployment, and every moto workaround.

Several tests pin a moto behaviour that a workaround in moto_compat.py depends on; when a
moto upgrade changes it, the failing test names the workaround to revisit.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import boto3
import pytest
from troposphere import Export, GetAtt, ImportValue, Output, Ref, Sub, Template
from troposphere import awslambda, cloudwatch, events, iam, kms, sns, sqs, stepfunctions

from moto_compat import (KNOWN_MOTO_SKIPS, StackDeployError, assert_nothing_unexpectedly_skipped,
                         deploy_stack, disable_event_source_mappings, materialize_skipped,
                         moto_deployable, skipped_resources)

ACCOUNT = "123456789012"  # moto's default account


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _deploy(aws, stack_name: str, template: dict, server_log=None) -> dict:
    body = json.dumps(moto_deployable(template))
    return deploy_stack(aws("cloudformation"), stack_name, body, server_log=server_log)


def _outputs(stack: dict) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _receive_all(sqs_client, queue_url: str) -> list[dict]:
    # WaitTimeSeconds=0 explicitly: a queue's ReceiveMessageWaitTimeSeconds would apply.
    return sqs_client.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0, AttributeNames=["All"],
        MessageAttributeNames=["All"]).get("Messages", [])


def _role(service_principal: str) -> iam.Role:
    return iam.Role("Role", AssumeRolePolicyDocument={"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": service_principal}}]})


def _messaging_template(prefix: str) -> dict:
    """Queue + DLQ behind an SNS subscription with a filter, and a bus rule into the queue."""
    t = Template()
    key = t.add_resource(kms.Key("Key", EnableKeyRotation=True, KeyPolicy={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "kms:*", "Resource": "*",
            "Principal": {"AWS": Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")}}]}))
    dlq = t.add_resource(sqs.Queue("Dlq", QueueName=f"{prefix}-dlq",
                                   MessageRetentionPeriod=1209600, KmsMasterKeyId=Ref(key)))
    queue = t.add_resource(sqs.Queue(
        "Queue", QueueName=f"{prefix}-q", VisibilityTimeout=60, KmsMasterKeyId=Ref(key),
        RedrivePolicy=sqs.RedrivePolicy(deadLetterTargetArn=GetAtt(dlq, "Arn"),
                                        maxReceiveCount=5)))
    topic = t.add_resource(sns.Topic("Topic", TopicName=f"{prefix}-topic",
                                     KmsMasterKeyId=Ref(key)))
    t.add_resource(sns.SubscriptionResource(
        "Subscription", TopicArn=Ref(topic), Protocol="sqs", Endpoint=GetAtt(queue, "Arn"),
        RawMessageDelivery=True, FilterPolicy={"type": ["TransactionRequested"]},
        RedrivePolicy={"deadLetterTargetArn": GetAtt(dlq, "Arn")}))
    t.add_resource(sqs.QueuePolicy("QueuePolicy", Queues=[Ref(queue)], PolicyDocument={
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": GetAtt(queue, "Arn"),
            "Condition": {"ArnEquals": {"aws:SourceArn": Ref(topic)}}}]}))
    t.add_resource(cloudwatch.Alarm(
        "DlqAlarm", Namespace="AWS/SQS", MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[cloudwatch.MetricDimension(Name="QueueName",
                                               Value=GetAtt(dlq, "QueueName"))],
        Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold="0",
        ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching",
        AlarmActions=[Ref(topic)]))
    bus = t.add_resource(events.EventBus("Bus", Name=f"{prefix}-bus"))
    t.add_resource(events.Rule(
        "Rule", EventBusName=Ref(bus),  # moto_deployable turns this Ref into GetAtt Name
        EventPattern={"source": ["accounts"], "detail-type": ["AccountOpened"],
                      "detail": {"tier": ["gold"]}},
        Targets=[events.Target(
            Id="queue", Arn=GetAtt(queue, "Arn"),
            RetryPolicy=events.RetryPolicy(MaximumRetryAttempts=185,
                                           MaximumEventAgeInSeconds=86400),
            DeadLetterConfig=events.DeadLetterConfig(Arn=GetAtt(dlq, "Arn")))]))
    for logical_id, value in {"QueueUrl": Ref(queue), "DlqUrl": Ref(dlq), "KeyId": Ref(key),
                              "TopicArn": Ref(topic), "BusName": Ref(bus)}.items():
        t.add_output(Output(logical_id, Value=value))
    return t.to_dict()


@pytest.fixture(scope="module")
def messaging(aws, moto_server_log):
    prefix = _name("harness")
    template = _messaging_template(prefix)
    stack = _deploy(aws, prefix, template, moto_server_log)
    return prefix, template, _outputs(stack)


def test_server_answers_on_loopback_and_nothing_reaches_aws(moto_endpoint, aws):
    assert moto_endpoint.startswith("http://127.0.0.1:")
    assert aws("sts").get_caller_identity()["Account"] == ACCOUNT
    # A client built without any arguments still goes to moto with dummy credentials.
    default_client = boto3.client("sqs")
    assert default_client.meta.endpoint_url == moto_endpoint
    assert default_client._request_signer._credentials.access_key == "testing"


def test_stack_deploys_with_outputs(messaging):
    prefix, _, outputs = messaging
    assert outputs["QueueUrl"].endswith(f"/{ACCOUNT}/{prefix}-q")
    assert outputs["TopicArn"] == f"arn:aws:sns:eu-west-1:{ACCOUNT}:{prefix}-topic"
    assert outputs["BusName"] == f"{prefix}-bus"  # AWS semantics, thanks to moto_deployable


def test_skip_detection_reports_exactly_the_skipped_resources(aws, messaging):
    prefix, template, _ = messaging
    assert skipped_resources(template, aws("cloudformation"), prefix) == {
        "Subscription": "AWS::SNS::Subscription",
        "QueuePolicy": "AWS::SQS::QueuePolicy",
        "DlqAlarm": "AWS::CloudWatch::Alarm",
    }
    assert_nothing_unexpectedly_skipped(template, aws("cloudformation"), prefix)
    with pytest.raises(AssertionError, match="AWS::SNS::Subscription"):
        assert_nothing_unexpectedly_skipped(template, aws("cloudformation"), prefix,
                                            known=frozenset())


def test_known_moto_skips_is_exactly_what_moto_skips(aws):
    """One resource of each known type: all skipped, none created. Fails when moto learns one."""
    resources = {f"R{i}": {"Type": rtype, "Properties": {}}
                 for i, rtype in enumerate(sorted(KNOWN_MOTO_SKIPS))}
    template = {"Resources": {**resources, "Q": {"Type": "AWS::SQS::Queue"}}}
    stack_name = _name("skips")
    _deploy(aws, stack_name, template)
    skipped = skipped_resources(template, aws("cloudformation"), stack_name)
    assert set(skipped.values()) == KNOWN_MOTO_SKIPS
    assert "Q" not in skipped


def test_materialized_subscription_delivers_only_matching_messages_raw(aws, messaging):
    prefix, template, outputs = messaging
    created = materialize_skipped(template, aws, prefix)
    assert set(created) == {"Subscription", "QueuePolicy", "DlqAlarm"}
    attributes = aws("sns").get_subscription_attributes(
        SubscriptionArn=created["Subscription"])["Attributes"]
    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": f"arn:aws:sqs:eu-west-1:{ACCOUNT}:{prefix}-dlq"}

    for event_type in ("TransactionRequested", "SomethingElse"):
        aws("sns").publish(TopicArn=outputs["TopicArn"], Message=json.dumps({"t": event_type}),
                           MessageAttributes={"type": {"DataType": "String",
                                                       "StringValue": event_type}})
    messages = _receive_all(aws("sqs"), outputs["QueueUrl"])
    assert [m["Body"] for m in messages] == ['{"t": "TransactionRequested"}']  # raw, filtered

    policy = json.loads(aws("sqs").get_queue_attributes(
        QueueUrl=outputs["QueueUrl"], AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy["Statement"][0]["Condition"] == {
        "ArnEquals": {"aws:SourceArn": outputs["TopicArn"]}}
    alarm, = aws("cloudwatch").describe_alarms(AlarmNames=[created["DlqAlarm"]])["MetricAlarms"]
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": f"{prefix}-dlq"}]


def test_materialize_resolves_imports_from_another_stack(aws):
    platform, service = _name("platform"), _name("service")
    exporting = Template()
    topic = exporting.add_resource(sns.Topic("Topic", TopicName=f"{platform}-topic"))
    exporting.add_output(Output("TopicArn", Value=Ref(topic),
                                Export=Export(Sub("${AWS::StackName}-topic-arn"))))
    _deploy(aws, platform, exporting.to_dict())

    importing = Template()
    queue = importing.add_resource(sqs.Queue("Queue", QueueName=f"{service}-q"))
    importing.add_resource(sns.SubscriptionResource(
        "Subscription", TopicArn=ImportValue(f"{platform}-topic-arn"), Protocol="sqs",
        Endpoint=GetAtt(queue, "Arn"), RawMessageDelivery=True))
    importing.add_output(Output("QueueUrl", Value=Ref(queue)))
    outputs = _outputs(_deploy(aws, service, importing.to_dict()))
    materialize_skipped(importing.to_dict(), aws, service)

    aws("sns").publish(TopicArn=f"arn:aws:sns:eu-west-1:{ACCOUNT}:{platform}-topic",
                       Message="hello")
    assert [m["Body"] for m in _receive_all(aws("sqs"), outputs["QueueUrl"])] == ["hello"]


def test_rule_on_custom_bus_delivers_matching_events_as_envelope(aws, messaging):
    prefix, _, outputs = messaging
    aws("sqs").purge_queue(QueueUrl=outputs["QueueUrl"])
    entries = [{"Source": "accounts", "DetailType": "AccountOpened",
                "Detail": json.dumps({"tier": tier, "id": tier}), "EventBusName": f"{prefix}-bus"}
               for tier in ("gold", "silver")]
    assert aws("events").put_events(Entries=entries)["FailedEntryCount"] == 0
    message, = _receive_all(aws("sqs"), outputs["QueueUrl"])
    body = json.loads(message["Body"])
    assert body["detail"] == {"tier": "gold", "id": "gold"}
    assert (body["source"], body["detail-type"]) == ("accounts", "AccountOpened")


def test_redrive_moves_a_poison_message_on_the_receive_after_max_receive_count(aws, messaging):
    _, _, outputs = messaging
    sqs_client = aws("sqs")
    sqs_client.purge_queue(QueueUrl=outputs["QueueUrl"])
    sqs_client.purge_queue(QueueUrl=outputs["DlqUrl"])
    sqs_client.send_message(QueueUrl=outputs["QueueUrl"], MessageBody="poison")
    for _ in range(5):  # maxReceiveCount receives without a delete
        assert sqs_client.receive_message(QueueUrl=outputs["QueueUrl"], VisibilityTimeout=0,
                                          WaitTimeSeconds=0)["Messages"]
    assert _receive_all(sqs_client, outputs["QueueUrl"]) == []  # this receive moves it
    assert [m["Body"] for m in _receive_all(sqs_client, outputs["DlqUrl"])] == ["poison"]


def test_failed_stack_raises_with_moto_error_and_is_rolled_back(aws, moto_server_log):
    stack_name = _name("broken")
    template = {"Resources": {  # moto (like AWS) rejects a FIFO queue with a standard DLQ
        "Dlq": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": f"{stack_name}-dlq"}},
        "Fifo": {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": f"{stack_name}.fifo", "FifoQueue": True,
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]},
                              "maxReceiveCount": 5}}}}}
    with pytest.raises(StackDeployError, match="Fifo queues cannot use non fifo"):
        _deploy(aws, stack_name, template, moto_server_log)
    queues = aws("sqs").list_queues(QueueNamePrefix=stack_name).get("QueueUrls", [])
    assert queues == []  # the DLQ created before the failure was rolled back
    aws("cloudformation").describe_stacks()  # a half-created stack would make this a 500


def test_moto_deployable_makes_key_policy_archive_and_definition_work(aws):
    stack_name = _name("adapted")
    t = Template()
    key = t.add_resource(kms.Key("Key", KeyPolicy={"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": Sub("arn:aws:iam::${AWS::AccountId}:root")},
        "Action": "kms:*", "Resource": "*"}]}))
    bus = t.add_resource(events.EventBus("Bus", Name=f"{stack_name}-bus"))
    t.add_resource(events.Archive("Archive", SourceArn=GetAtt(bus, "Arn"),
                                  EventPattern={"source": ["accounts"]}, RetentionDays=7))
    queue = t.add_resource(sqs.Queue("Queue", QueueName=f"{stack_name}-q"))
    role = t.add_resource(_role("states.amazonaws.com"))
    t.add_resource(stepfunctions.StateMachine(
        "Workflow", StateMachineName=f"{stack_name}-wf", RoleArn=GetAtt(role, "Arn"),
        Definition={"StartAt": "Send", "States": {"Send": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
            "Parameters": {"QueueUrl": "${QueueUrl}", "MessageBody.$": "$"}}}},
        DefinitionSubstitutions={"QueueUrl": Ref(queue)}))
    t.add_output(Output("KeyId", Value=Ref(key)))
    t.add_output(Output("QueueUrl", Value=Ref(queue)))
    outputs = _outputs(_deploy(aws, stack_name, t.to_dict()))

    assert aws("kms").describe_key(KeyId=outputs["KeyId"])["KeyMetadata"]["Enabled"]
    assert any(a["EventSourceArn"].endswith(f"/{stack_name}-bus")
               for a in aws("events").list_archives()["Archives"])
    definition = json.loads(aws("stepfunctions").describe_state_machine(
        stateMachineArn=f"arn:aws:states:eu-west-1:{ACCOUNT}:stateMachine:{stack_name}-wf"
    )["definition"])
    assert definition["States"]["Send"]["Parameters"]["QueueUrl"] == outputs["QueueUrl"]


def test_moto_still_needs_moto_deployable(aws, moto_server_log):
    """Pins the moto bugs moto_deployable works around; when this fails, revisit it."""
    stack_name = _name("quirks")
    bus = {"Type": "AWS::Events::EventBus", "Properties": {"Name": f"{stack_name}-bus"}}
    template = {"Resources": {"Bus": bus, "Workflow": {
        "Type": "AWS::StepFunctions::StateMachine", "Properties": {
            "StateMachineName": f"{stack_name}-wf", "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/x",
            "Definition": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}},
        "Outputs": {"BusRef": {"Value": {"Ref": "Bus"}}}}
    stack = deploy_stack(aws("cloudformation"), stack_name, json.dumps(template))
    assert "moto.events.models.EventBus object" in _outputs(stack)["BusRef"]
    assert aws("stepfunctions").describe_state_machine(
        stateMachineArn=f"arn:aws:states:eu-west-1:{ACCOUNT}:stateMachine:{stack_name}-wf"
    )["definition"] == ""

    archive = {"Type": "AWS::Events::Archive", "Properties": {
        "SourceArn": {"Fn::GetAtt": ["Bus", "Arn"]}, "EventPattern": {"source": ["x"]}}}
    with pytest.raises(StackDeployError, match=r"(?s)moto server traceback.*TypeError"):
        deploy_stack(aws("cloudformation"), f"{stack_name}-archive", json.dumps(
            {"Resources": {"Bus": dict(bus, Properties={"Name": f"{stack_name}-bus2"}),
                           "Archive": archive}}), server_log=moto_server_log)


def _lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


def test_disabled_event_source_mapping_stops_moto_phantom_receives(aws):
    stack_name = _name("esm")
    bucket = f"{stack_name}-artifacts"  # moto requires the code object to exist, like AWS
    aws("s3").create_bucket(Bucket=bucket,
                            CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    aws("s3").put_object(Bucket=bucket, Key="fn.zip", Body=_lambda_zip())
    t = Template()
    role = t.add_resource(_role("lambda.amazonaws.com"))
    function = t.add_resource(awslambda.Function(
        "Function", FunctionName=f"{stack_name}-fn", Runtime="python3.12", Handler="app.handler",
        Role=GetAtt(role, "Arn"), Code=awslambda.Code(S3Bucket=bucket, S3Key="fn.zip")))
    queue = t.add_resource(sqs.Queue("Queue", QueueName=f"{stack_name}-q"))
    t.add_resource(awslambda.EventSourceMapping(
        "Mapping", FunctionName=Ref(function), EventSourceArn=GetAtt(queue, "Arn"),
        BatchSize=10, FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig=awslambda.ScalingConfig(MaximumConcurrency=5)))
    t.add_output(Output("QueueUrl", Value=Ref(queue)))
    queue_url = _outputs(_deploy(aws, stack_name, t.to_dict()))["QueueUrl"]

    aws("sqs").send_message(QueueUrl=queue_url, MessageBody="before")  # moto "polls" once
    assert len(disable_event_source_mappings(aws, stack_name)) == 1
    aws("sqs").send_message(QueueUrl=queue_url, MessageBody="after")  # no poll any more
    counts = {m["Body"]: m["Attributes"]["ApproximateReceiveCount"]
              for m in _receive_all(aws("sqs"), queue_url)}
    assert counts == {"before": "2", "after": "1"}


def test_fresh_moto_resets_all_state(aws, fresh_moto):
    assert aws("cloudformation").list_stacks()["StackSummaries"] == []
    assert aws("sqs").list_queues().get("QueueUrls", []) == []
