"""The resources around a workflow: state machine, roles, review queues, start pipe, semaphore,
cleanup, alarms, outputs, and what starters and reviewers may do."""

from __future__ import annotations

import pytest

from generator.render import render_service
from generator.concerns.workflow.resolve import workflow_export
from generator.resolve import resolve_service
from generator.serialize import to_yaml
from generator.stages import resolve_stage
from tests.unit.helpers import of_type, rendered

SM_ARN = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:acme-dev-accounts-onboard-customer"


def _demo(workspace, service: str, stage: str = "dev") -> dict:
    item = next(i for i in workspace.services if i.spec.service == service)
    svc = resolve_service(item.spec, workspace.platform, resolve_stage(stage, workspace.platform))
    return render_service(svc).template.to_dict()


@pytest.fixture(scope="module")
def accounts(demo_workspace) -> dict:
    return _demo(demo_workspace, "accounts")


def _statements(template: dict, role: str) -> dict[str, dict]:
    policy = template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]
    return {s["Sid"]: s for s in policy["Statement"]}


def test_state_machine_is_standard_named_and_exported_under_the_name_importers_compute(accounts):
    machine = accounts["Resources"]["OnboardCustomerStateMachine"]["Properties"]
    assert machine["StateMachineType"] == "STANDARD"
    assert machine["StateMachineName"] == "acme-dev-accounts-onboard-customer"
    assert machine["DefinitionSubstitutions"]["CheckKycArn"] == {"Fn::GetAtt": ["CheckKyc", "Arn"]}
    assert machine["DefinitionSubstitutions"]["SemaphoreTable"] == {"Ref": "SemaphoreTable"}
    output = accounts["Outputs"]["OnboardCustomerStateMachineArn"]
    assert output["Value"] == {"Ref": "OnboardCustomerStateMachine"}
    assert output["Export"]["Name"] == workflow_export("acme", "dev", "accounts", "onboard-customer")


def test_state_machine_role_invokes_exactly_its_steps_and_compensations(accounts):
    statements = _statements(accounts, "OnboardCustomerStateMachineRole")
    invoked = {r["Fn::GetAtt"][0] for r in statements["InvokeOwnSteps"]["Resource"]}
    assert invoked == {"CheckKyc", "PurgeKycData", "OpenAccount", "RevokeAccount", "RejectApplication"}
    assert statements["InvokeOwnSteps"]["Action"] == ["lambda:InvokeFunction"]
    assert statements["SendReviews"]["Resource"] == [{"Fn::GetAtt": ["OnboardCustomerComplianceReviewQueue", "Arn"]}]
    assert statements["Semaphore"]["Action"] == ["dynamodb:UpdateItem"]
    trust = accounts["Resources"]["OnboardCustomerStateMachineRole"]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "states.amazonaws.com"}
    assert trust["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"] == {"Fn::Sub": SM_ARN}


def test_no_template_of_the_demo_holds_a_null(demo_workspace):
    """CloudFormation rejects null values anywhere in a template (ASL's `ResultPath: null` too)."""
    def nulls(node, path=""):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from nulls(value, f"{path}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from nulls(value, f"{path}/{i}")
        elif node is None:
            yield path
    for item in demo_workspace.services:
        for stage in ("dev", "pr-9"):
            assert not list(nulls(_demo(demo_workspace, item.spec.service, stage))), item.spec.service


def test_wildcard_resources_only_where_aws_has_no_resource_level_permissions(accounts):
    for title in of_type(accounts, "AWS::IAM::Role"):
        for sid, statement in _statements(accounts, title).items():
            if "*" in statement["Resource"]:
                assert sid in {"LogDelivery", "Tracing"}, (title, sid)
                assert all(a.startswith(("logs:", "xray:")) for a in statement["Action"])


def test_review_queue_has_dlq_key_tls_only_policy_and_outlives_the_pause(accounts):
    queue = accounts["Resources"]["OnboardCustomerComplianceReviewQueue"]["Properties"]
    assert queue["KmsMasterKeyId"] == {"Ref": "EncryptionKey"}
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["OnboardCustomerComplianceReviewDlq", "Arn"]}
    assert queue["MessageRetentionPeriod"] > 3 * 86400  # the pause waits 3 days
    policy = accounts["Resources"]["OnboardCustomerComplianceReviewQueuePolicy"]["Properties"]["PolicyDocument"]
    assert [s["Sid"] for s in policy["Statement"]] == ["DenyInsecureTransport"]
    assert "OnboardCustomerComplianceReviewQueueUrl" in accounts["Outputs"]


def test_reviewer_may_decide_on_this_state_machine_and_receive_its_reviews(accounts):
    statements = _statements(accounts, "ReviewDecisionRole")
    decide = statements["OnboardCustomerComplianceReviewDecide"]
    assert decide["Action"] == ["states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"]
    assert decide["Resource"] == [{"Fn::Sub": SM_ARN}]
    assert statements["OnboardCustomerComplianceReviewReceive"]["Resource"] == [
        {"Fn::GetAtt": ["OnboardCustomerComplianceReviewQueue", "Arn"]}]
    env = accounts["Resources"]["ReviewDecision"]["Properties"]["Environment"]["Variables"]
    assert env["COMPLIANCE_REVIEW_QUEUE_URL"] == {"Ref": "OnboardCustomerComplianceReviewQueue"}
    others = _statements(accounts, "OpenAccountRole")
    assert not any(a.startswith("states:") for s in others.values() for a in s["Action"])


def test_another_services_starter_imports_the_workflow_arn(demo_workspace):
    onboarding = _demo(demo_workspace, "onboarding")
    exported = {"Fn::ImportValue": workflow_export("acme", "dev", "accounts", "onboard-customer")}
    start = _statements(onboarding, "ResubmitApplicationRole")["StartAccountsOnboardCustomer"]
    assert start["Action"] == ["states:StartExecution"] and start["Resource"] == [exported]
    env = onboarding["Resources"]["ResubmitApplication"]["Properties"]["Environment"]["Variables"]
    assert env["WORKFLOW_ONBOARD_CUSTOMER_ARN"] == exported


def test_event_start_goes_through_a_pipe_with_its_own_least_privilege_role(accounts):
    pipe = accounts["Resources"]["OnboardCustomerStartPipe"]["Properties"]
    assert pipe["Source"] == {"Fn::GetAtt": ["OnboardCustomerStartQueue", "Arn"]}
    assert pipe["Target"] == {"Ref": "OnboardCustomerStateMachine"}
    assert pipe["SourceParameters"] == {"SqsQueueParameters": {"BatchSize": 1}}
    assert pipe["TargetParameters"] == {"InputTemplate": "{\"ids\": {\"application_id\": \"<$.body.detail.application_id>\"}}", "StepFunctionStateMachineParameters": {
        "InvocationType": "FIRE_AND_FORGET"}}
    # a map, as AWS::Pipes::Pipe wants (not the list of Key/Value pairs other resources take)
    assert pipe["Tags"] == {"cost-center": "cc-accounts", "managed-by": "svcgen", "owner": "team-accounts",
                            "service": "accounts", "stage": "dev"}
    statements = _statements(accounts, "OnboardCustomerStartPipeRole")
    assert statements["StartWorkflow"]["Resource"] == [{"Fn::Sub": SM_ARN}]
    assert set(statements) == {"ReadStartQueue", "DecryptStartQueue", "StartWorkflow"}
    rule = accounts["Resources"]["OnboardCustomerStartOnboardingApplicationSubmittedRule"]["Properties"]
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["OnboardCustomerStartQueue", "Arn"]}


def test_semaphore_table_is_on_demand_recoverable_encrypted_and_kept_in_persistent_stages(accounts, demo_workspace):
    table = accounts["Resources"]["SemaphoreTable"]
    assert table["DeletionPolicy"] == "Retain"
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert _demo(demo_workspace, "accounts", "pr-9")["Resources"]["SemaphoreTable"]["DeletionPolicy"] == "Delete"


def test_ended_executions_trigger_the_cleanup_from_the_default_bus(accounts):
    rule = accounts["Resources"]["SemaphoreCleanupRule"]["Properties"]
    assert "EventBusName" not in rule  # Step Functions sends status changes to the default bus
    assert rule["EventPattern"] == {
        "source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"],
        "detail": {"status": ["ABORTED", "FAILED", "TIMED_OUT"], "stateMachineArn": [{"Ref": "OnboardCustomerStateMachine"}]}}
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Ref": "SemaphoreCleanupStateMachine"}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["SemaphoreCleanupDlq", "Arn"]}}
    assert "RetryPolicy" in target and "RoleArn" in target
    cleanup = accounts["Resources"]["SemaphoreCleanupStateMachine"]["Properties"]
    assert cleanup["StateMachineType"] == "EXPRESS"
    assert set(_statements(accounts, "SemaphoreCleanupStateMachineRole")) == {"Semaphore", "TableKey", "LogDelivery",
                                                                              "Tracing"}


def test_alarms_on_failed_and_timed_out_executions_only_in_persistent_stages(accounts, demo_workspace):
    alarms = {a["Properties"]["MetricName"]: a["Properties"] for t, a in of_type(accounts, "AWS::CloudWatch::Alarm").items()
              if t.startswith("OnboardCustomerStateMachine")}
    assert set(alarms) == {"ExecutionsFailed", "ExecutionsTimedOut"}
    for alarm in alarms.values():
        assert alarm["Namespace"] == "AWS/States" and alarm["TreatMissingData"] == "notBreaching"
        assert alarm["Dimensions"] == [{"Name": "StateMachineArn", "Value": {"Ref": "OnboardCustomerStateMachine"}}]
    for title in ("OnboardCustomerComplianceReviewDlqMessagesAlarm", "OnboardCustomerStartDlqMessagesAlarm",
                  "SemaphoreCleanupStateMachineFailedAlarm"):
        assert title in accounts["Resources"]
    ephemeral = _demo(demo_workspace, "accounts", "pr-9")
    assert not of_type(ephemeral, "AWS::CloudWatch::Alarm")


TANGLED = """
service: payments
owner: team-payments
description: test
functions:
  screen: {}
  release: {}
  refund: {}
  reviewer:
    starts: [settle]
  kick-off:
    starts: [settle]
workflows:
  settle:
    started_by:
      - {event: WireRequested, from: ledger}
    steps:
      - call: screen
      - choose: route
        field: steps.screen.result.risk
        when:
          high:
            - pause: compliance-review
              timeout: 1d
              reviewer: reviewer
        otherwise: []
      - call: reviewer
      - call: release
        compensate: refund
"""


@pytest.mark.e2e  # cfn-lint over a rendered template: the slow tier
def test_functions_that_are_called_and_start_or_review_the_same_workflow_make_no_cycle(linter):
    template = rendered(TANGLED)
    findings = linter.lint(to_yaml(template), "template.yaml")
    assert not findings, [(f.rule_id, f.message) for f in findings]
    env = template["Resources"]["KickOff"]["Properties"]["Environment"]["Variables"]
    assert env["WORKFLOW_SETTLE_ARN"] == {"Fn::Sub": SM_ARN.replace("accounts-onboard-customer", "payments-settle")}
    assert "SemaphoreTable" not in template["Resources"]  # no max_concurrent_executions, no semaphore
    assert "EventsDlqMessagesAlarm" in template["Resources"]  # only a workflow subscribes here
    states = template["Resources"]["SettleStateMachine"]["Properties"]["Definition"]["States"]
    assert states["route"]["Default"] == "reviewer"  # `otherwise: []`: continue, do not fail
