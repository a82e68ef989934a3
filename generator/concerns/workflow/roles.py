"""What every state machine of svcgen shares: its role's shape, logging and tracing permissions,
its log configuration, and its ARN."""

from __future__ import annotations

from troposphere import GetAtt, Sub
from troposphere.iam import Policy, Role
from troposphere.stepfunctions import (
    CloudWatchLogsLogGroup,
    LogDestination,
    LoggingConfiguration,
)

from generator import iam
from generator.concerns.workflow import defaults
from generator.render_context import Grant, arn

# Step Functions delivers its logs through CloudWatch Logs' vended-log APIs, which have no
# resource-level permissions: AWS documents exactly these actions on "*" (Step Functions
# developer guide, "IAM policies for logging to CloudWatch Logs").
LOG_DELIVERY_ACTIONS = ("logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups",
                        "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries",
                        "logs:PutResourcePolicy", "logs:UpdateLogDelivery")
# X-Ray has no resource-level permissions either.
TRACING_ACTIONS = ("xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords",
                   "xray:PutTraceSegments")


def state_machine_arn(name: str) -> Sub:
    """Built from the name, not Ref: a function may be both called by a workflow and allowed to
    start it (or decide its reviews), and a Ref would make that a dependency cycle."""
    return arn("states", f"stateMachine:{name}")


def service_role(title: str, name: str, description: str, principal: str, source_arn, statements: list[dict]) -> Role:
    """A role only `principal` may assume, and only for `source_arn` in this account (confused
    deputy guard), with exactly `statements`."""
    return Role(
        title,
        RoleName=name,
        Description=description,
        AssumeRolePolicyDocument={
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": principal},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": Sub("${AWS::AccountId}")},
                              "ArnLike": {"aws:SourceArn": source_arn}},
            }],
        },
        Policies=[Policy(PolicyName="least-privilege",
                         PolicyDocument={"Version": "2012-10-17", "Statement": statements})],
    )


def observability_statements() -> list[dict]:
    return [iam.statement(Grant(LOG_DELIVERY_ACTIONS, ("*",), sid="LogDelivery")),
            iam.statement(Grant(TRACING_ACTIONS, ("*",), sid="Tracing"))]


def logging(log_group_title: str) -> LoggingConfiguration:
    """Errors only, and never execution data (inputs, outputs, task tokens)."""
    return LoggingConfiguration(
        Level=defaults.WORKFLOW_LOG_LEVEL,
        IncludeExecutionData=False,
        Destinations=[LogDestination(CloudWatchLogsLogGroup=CloudWatchLogsLogGroup(
            LogGroupArn=GetAtt(log_group_title, "Arn")))],
    )
