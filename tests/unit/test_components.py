"""Each component's resources and defaults, on small specs (goldens cover whole templates)."""

from __future__ import annotations

from tests.unit.helpers import SUBSCRIBER, of_type, rendered, resolved


def test_function_has_explicit_limits_tracing_json_logs_and_own_log_group():
    t = rendered(SUBSCRIBER)
    fn = t["Resources"]["Post"]["Properties"]
    assert fn["Timeout"] == 20 and fn["MemorySize"] == 256
    assert fn["TracingConfig"] == {"Mode": "Active"}
    assert fn["LoggingConfig"]["LogFormat"] == "JSON"
    assert fn["LoggingConfig"]["LogGroup"] == {"Ref": "PostLogGroup"}
    env = fn["Environment"]["Variables"]
    assert env["POWERTOOLS_SERVICE_NAME"] == "ledger"
    assert env["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
    assert t["Resources"]["PostLogGroup"]["Properties"]["RetentionInDays"] == 30


def test_queue_defaults_follow_the_design_table():
    t = rendered(SUBSCRIBER)
    queue = t["Resources"]["PostQueue"]["Properties"]
    dlq = t["Resources"]["PostDlq"]["Properties"]
    assert queue["VisibilityTimeout"] == 6 * 20 + 5
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["PostDlq", "Arn"]}
    assert dlq["MessageRetentionPeriod"] == 1209600 > queue["MessageRetentionPeriod"]
    assert queue["KmsMasterKeyId"] == {"Ref": "EncryptionKey"} == dlq["KmsMasterKeyId"]
    assert "FifoQueue" not in queue and "FifoQueue" not in dlq


def test_fifo_queue_gets_fifo_dlq_and_no_batching_window():
    t = rendered(SUBSCRIBER.replace("queue: {batching_window: 5, max_concurrency: 4}",
                                    "queue: {fifo: true, batch_size: 10}"))
    assert t["Resources"]["PostQueue"]["Properties"]["FifoQueue"] is True
    assert t["Resources"]["PostDlq"]["Properties"]["FifoQueue"] is True
    assert t["Resources"]["PostQueue"]["Properties"]["QueueName"].endswith(".fifo")
    assert "MaximumBatchingWindowInSeconds" not in t["Resources"]["PostEventSource"]["Properties"]
    target = t["Resources"]["PostAccountsAccountOpenedRule"]["Properties"]["Targets"][0]
    assert target["SqsParameters"] == {"MessageGroupId": "post"}


def test_event_source_reports_batch_failures_and_caps_concurrency():
    esm = rendered(SUBSCRIBER)["Resources"]["PostEventSource"]["Properties"]
    assert esm["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert esm["ScalingConfig"] == {"MaximumConcurrency": 4}
    assert esm["BatchSize"] == 10 and esm["MaximumBatchingWindowInSeconds"] == 5


def test_rules_match_source_and_detail_type_with_filter_retry_and_standard_dlq():
    t = rendered(SUBSCRIBER)
    rule = t["Resources"]["PostPaymentsPaymentSettledRule"]["Properties"]
    assert rule["EventPattern"] == {"source": ["acme.payments"], "detail-type": ["PaymentSettled"],
                                    "detail": {"currency": ["GBP"]}}
    assert rule["EventBusName"] == {"Fn::ImportValue": "acme-dev-platform-bus-name"}
    target = rule["Targets"][0]
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["EventsDlq", "Arn"]}}
    assert "FifoQueue" not in t["Resources"]["EventsDlq"]["Properties"]


def test_queue_policy_grants_only_events_for_its_rules_and_denies_plain_http():
    statements = rendered(SUBSCRIBER)["Resources"]["PostQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allow, deny = statements
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert allow["Condition"]["ArnEquals"]["aws:SourceArn"] == [
        {"Fn::GetAtt": ["PostAccountsAccountOpenedRule", "Arn"]},
        {"Fn::GetAtt": ["PostPaymentsPaymentSettledRule", "Arn"]}]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_kms_key_rotates_and_lets_delivering_services_encrypt():
    key = rendered(SUBSCRIBER)["Resources"]["EncryptionKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    principals = key["KeyPolicy"]["Statement"][1]["Principal"]["Service"]
    assert set(principals) == {"events.amazonaws.com", "sns.amazonaws.com", "cloudwatch.amazonaws.com"}


def test_iam_is_one_role_per_function_with_exact_resources():
    t = rendered(SUBSCRIBER)
    roles = of_type(t, "AWS::IAM::Role")
    assert set(roles) == {"PostRole", "ReportRole"}
    post = roles["PostRole"]["Properties"]
    assert "ManagedPolicyArns" not in post
    statements = {s["Sid"]: s for s in post["Policies"][0]["PolicyDocument"]["Statement"]}
    assert statements["ConsumeOwnQueue"]["Resource"] == [{"Fn::GetAtt": ["PostQueue", "Arn"]}]
    assert statements["OwnLogGroup"]["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    wildcard = [s for s in statements.values() if "*" in s["Resource"]]
    assert [s["Sid"] for s in wildcard] == ["Tracing"]  # X-Ray only
    report = {s["Sid"] for s in roles["ReportRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]}
    assert "ConsumeOwnQueue" not in report


def test_publishing_is_limited_to_own_source_and_declared_events():
    statements = rendered(SUBSCRIBER)["Resources"]["ReportRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    publish = next(s for s in statements if s["Sid"] == "PublishOwnMilestones")
    assert publish["Action"] == ["events:PutEvents"]
    assert publish["Resource"] == [{"Fn::ImportValue": "acme-dev-platform-bus-arn"}]
    assert publish["Condition"] == {"StringEquals": {"events:source": "acme.ledger"},
                                    "ForAllValues:StringEquals": {"events:detail-type": ["TransactionPosted"]}}


def test_alarms_cover_dlq_age_errors_throttles_and_rules_in_persistent_stages():
    alarms = of_type(rendered(SUBSCRIBER), "AWS::CloudWatch::Alarm")
    metrics = sorted(a["Properties"]["MetricName"] for a in alarms.values())
    assert metrics == ["ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesVisible",
                       "ApproximateNumberOfMessagesVisible", "Errors", "Errors", "FailedInvocations",
                       "FailedInvocations", "Throttles", "Throttles"]
    assert {a["Properties"]["TreatMissingData"] for a in alarms.values()} == {"notBreaching"}


def test_ephemeral_stage_drops_reserved_concurrency_alarms_and_retention():
    t = rendered(SUBSCRIBER, stage="pr-7")
    assert "ReservedConcurrentExecutions" not in t["Resources"]["Post"]["Properties"]
    assert not of_type(t, "AWS::CloudWatch::Alarm") and not of_type(t, "AWS::SNS::Topic")
    assert t["Resources"]["PostDlq"]["DeletionPolicy"] == "Delete"
    assert t["Resources"]["PostLogGroup"]["Properties"]["RetentionInDays"] == 3
    # every stage has its own bus: a PR stage never consumes its parent's events
    assert t["Resources"]["PostAccountsAccountOpenedRule"]["Properties"]["EventBusName"] == {
        "Fn::ImportValue": "acme-pr-7-platform-bus-name"}
    assert rendered(SUBSCRIBER)["Resources"]["PostDlq"]["DeletionPolicy"] == "Retain"


def test_logical_ids_are_the_same_in_every_stage():
    assert set(rendered(SUBSCRIBER)["Resources"]) - set(rendered(SUBSCRIBER, "pr-7")["Resources"]) == {
        name for name in rendered(SUBSCRIBER)["Resources"] if "Alarm" in name or "AlertsTopic" in name}


def test_outputs_are_exported_under_the_naming_convention():
    outputs = rendered(SUBSCRIBER)["Outputs"]
    assert outputs["PostQueueUrl"]["Export"]["Name"] == "acme-dev-ledger-post-queue-url"
    assert outputs["PostQueueArn"]["Export"]["Name"] == "acme-dev-ledger-post-queue-arn"
    assert outputs["ReportFunctionArn"]["Export"]["Name"] == "acme-dev-ledger-report-function-arn"


def test_resolved_values_come_from_spec_then_platform_then_defaults():
    svc = resolved(SUBSCRIBER)
    post = svc.functions[0]
    assert post.timeout == 20 and post.memory == 256
    assert post.queue.max_receive_count == 5 and post.queue.batch_size == 10
    assert post.handler == "handlers.post.handle" and post.entry == "plumbing.post.handler"


def test_idempotent_consumer_gets_a_ttl_table_exact_grants_and_its_name():
    t = rendered(SUBSCRIBER.replace("    queue: {batching_window: 5, max_concurrency: 4}\n",
                                    "    queue: {batching_window: 5, max_concurrency: 4}\n"
                                    "    idempotency: {key: account_id}\n"))
    table = t["Resources"]["IdempotencyTable"]
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert table["Properties"]["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert table["DeletionPolicy"] == "Retain"
    statements = {s["Sid"]: s for s in t["Resources"]["PostRole"]["Properties"]["Policies"][0]
                  ["PolicyDocument"]["Statement"]}
    assert statements["IdempotencyRecords"]["Action"] == [
        "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert statements["IdempotencyRecords"]["Resource"] == [{"Fn::GetAtt": ["IdempotencyTable", "Arn"]}]
    env = t["Resources"]["Post"]["Properties"]["Environment"]["Variables"]
    assert env["IDEMPOTENCY_TABLE"] == {"Ref": "IdempotencyTable"}
    report = {s["Sid"] for s in t["Resources"]["ReportRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]}
    assert "IdempotencyRecords" not in report
    assert "IdempotencyTable" not in rendered(SUBSCRIBER)["Resources"]
