"""End-to-end: the onboarding workflow (accounts) and its cross-service starter (onboarding)
deploy on moto's CloudFormation; the state machine holds exactly the generated definition; an
ApplicationSubmitted milestone lands in the workflow's start queue.

moto 5.2.1 does not create AWS::Pipes::Pipe (KNOWN_MOTO_SKIPS), so the queue -> StartExecution
hop is not exercised here, and moto ignores a `Definition` object: moto_deployable turns it into
the DefinitionString AWS would have stored (with DefinitionSubstitutions applied).
"""

from __future__ import annotations

import json
import uuid

import pytest
from demo_stacks import deploy_demo, drain
from moto_compat import skipped_resources

from generator.concerns.workflow import asl as workflow_asl

BUS = "acme-dev-milestones"


@pytest.fixture(scope="module")
def deployed(demo_workspace, aws, moto_endpoint, moto_server_log):
    demo = deploy_demo(demo_workspace, aws, moto_endpoint, moto_server_log, only=["accounts", "onboarding"])
    accounts = demo.services["accounts"]
    return demo, accounts, next(wf for wf in accounts.workflows if wf.key == "onboard-customer")


def _exports(aws) -> dict[str, str]:
    return {e["Name"]: e["Value"] for e in aws("cloudformation").list_exports()["Exports"]}


def test_state_machine_holds_the_generated_definition_with_real_arns(deployed, aws):
    _, accounts, wf = deployed
    arn = _exports(aws)["acme-dev-accounts-onboard-customer-state-machine-arn"]
    machine = aws("stepfunctions").describe_state_machine(stateMachineArn=arn)
    assert machine["name"] == wf.name and machine["roleArn"].endswith(f":role/{wf.role_name}")
    values = {}
    for placeholder, (kind, key) in workflow_asl.substitutions(wf).items():
        if kind == "function":
            fn = next(f for f in accounts.functions if f.key == key)
            values[placeholder] = aws("lambda").get_function(FunctionName=fn.name)["Configuration"]["FunctionArn"]
        elif kind == "queue":  # the URL CloudFormation resolved (moto's differs from its endpoint's)
            values[placeholder] = _exports(aws)[f"acme-dev-accounts-{wf.key}-{key}-queue-url"]
        else:
            values[placeholder] = wf.semaphore.table_name
    expected = json.dumps(workflow_asl.definition(wf, {fn.key: fn.timeout for fn in accounts.functions}))
    for placeholder, value in values.items():
        expected = expected.replace(workflow_asl.placeholder(placeholder), value)
    assert json.loads(machine["definition"]) == json.loads(expected)
    assert "${" not in machine["definition"]
    # The comparison above takes its expectation from the generator itself (the definition and
    # its placeholders): here, independently, the deployed states name the resources the spec
    # (specs/accounts.yaml) means, by their deployed names.
    states = json.loads(machine["definition"])["States"]

    def function_arn(key: str) -> str:
        return aws("lambda").get_function(FunctionName=f"acme-dev-accounts-{key}")["Configuration"]["FunctionArn"]

    invoked = {name: state["Parameters"]["FunctionName"] for name, state in states.items()
               if state.get("Resource") == workflow_asl.LAMBDA_INVOKE}
    assert invoked == {"check-kyc": function_arn("check-kyc"), "undo check-kyc": function_arn("purge-kyc-data"),
                       "open-account": function_arn("open-account"),
                       "undo open-account": function_arn("revoke-account"),
                       "reject-application": function_arn("reject-application")}
    review_queue = "acme-dev-accounts-onboard-customer-compliance-review"
    aws("sqs").get_queue_url(QueueName=review_queue)  # deployed under that name
    assert states["compliance-review"]["Parameters"]["QueueUrl"].endswith(f"/123456789012/{review_queue}")
    tables = {state["Parameters"]["TableName"] for state in states.values()
              if state.get("Resource") == workflow_asl.DYNAMODB_UPDATE}
    assert tables == {"acme-dev-accounts-semaphores"}
    aws("dynamodb").describe_table(TableName="acme-dev-accounts-semaphores")  # deployed under that name


def test_semaphore_table_cleanup_machine_and_rule_on_the_default_bus_exist(deployed, aws):
    _, _, wf = deployed
    sem = wf.semaphore
    table = aws("dynamodb").describe_table(TableName=sem.table_name)["Table"]
    assert table["KeySchema"] == [{"AttributeName": "lock", "KeyType": "HASH"}]
    cleanup_arn = f"arn:aws:states:eu-west-1:123456789012:stateMachine:{sem.cleanup_name}"
    cleanup = aws("stepfunctions").describe_state_machine(stateMachineArn=cleanup_arn)
    assert json.loads(cleanup["definition"])["StartAt"] == workflow_asl.CLEANUP_RELEASE
    events = aws("events")
    rule = events.describe_rule(Name=sem.rule_name)  # default bus
    pattern = json.loads(rule["EventPattern"])
    assert pattern["source"] == ["aws.states"] and pattern["detail"]["status"] == ["ABORTED", "FAILED", "TIMED_OUT"]
    assert pattern["detail"]["stateMachineArn"] == [_exports(aws)["acme-dev-accounts-onboard-customer-state-machine-arn"]]
    (target,) = events.list_targets_by_rule(Rule=sem.rule_name)["Targets"]
    assert target["Arn"] == cleanup_arn


def test_application_submitted_lands_in_the_workflow_start_queue(deployed, aws):
    _, _, wf = deployed
    sqs = aws("sqs")
    url = sqs.get_queue_url(QueueName=wf.start_queue.name)["QueueUrl"]
    drain(sqs, url)
    marker = str(uuid.uuid4())
    response = aws("events").put_events(Entries=[{
        "EventBusName": BUS, "Source": "acme.onboarding", "DetailType": "ApplicationSubmitted",
        "Detail": json.dumps({"application_id": marker})}])
    assert response["FailedEntryCount"] == 0
    (body,) = drain(sqs, url)
    # the EventBridge envelope: what the pipe hands to StartExecution, `detail` becoming the ids
    assert body["source"] == "acme.onboarding" and body["detail-type"] == "ApplicationSubmitted"
    assert body["detail"] == {"application_id": marker}
    review_url = sqs.get_queue_url(QueueName=wf.pauses[0].queue.name)["QueueUrl"]
    assert drain(sqs, review_url) == []  # only the state machine sends reviews


def test_moto_skips_the_start_pipe_and_creates_every_other_workflow_resource(deployed, aws):
    template = _template(aws, "acme-dev-accounts")
    skipped = skipped_resources(template, aws("cloudformation"), "acme-dev-accounts")
    workflow_types = {"AWS::Pipes::Pipe", "AWS::StepFunctions::StateMachine", "AWS::DynamoDB::Table",
                      "AWS::Events::Rule", "AWS::IAM::Role", "AWS::SQS::Queue"}
    assert {k: v for k, v in skipped.items() if v in workflow_types} == {"OnboardCustomerStartPipe": "AWS::Pipes::Pipe"}


def test_cross_service_starter_gets_the_imported_workflow_arn(deployed, aws):
    demo, _, _ = deployed
    fn = next(f for f in demo.services["onboarding"].functions if f.key == "resubmit-application")
    env = aws("lambda").get_function(FunctionName=fn.name)["Configuration"]["Environment"]["Variables"]
    assert env["WORKFLOW_ONBOARD_CUSTOMER_ARN"] == _exports(aws)["acme-dev-accounts-onboard-customer-state-machine-arn"]
    exports = _exports(aws)
    assert "acme-dev-accounts-onboard-customer-compliance-review-queue-url" in exports


def _template(aws, stack_name: str) -> dict:
    body = aws("cloudformation").get_template(StackName=stack_name)["TemplateBody"]
    return body if isinstance(body, dict) else json.loads(body)
