"""The service's customer managed KMS key: encrypts its queues and its alerts topic.

A customer key (not `alias/aws/sqs`) because AWS-managed keys cannot grant EventBridge, SNS or
CloudWatch the right to encrypt into the queue/topic; rotation on (checkov CKV_AWS_7, cdk-nag
KMS5). Service principals may use it only on behalf of this account (`aws:SourceAccount`).

Log groups (`log_group`): CloudWatch Logs encrypts with it (checkov CKV_AWS_158) only as the key
policy allows: the Region's `logs` principal, for exactly this service's log groups (the
`aws:logs:arn` encryption context, CloudWatch Logs' "Encrypt log data using AWS KMS"); each log
group rendered through `log_group` adds its ARN to that statement.
"""

from __future__ import annotations

from troposphere import AccountId, GetAtt, Ref, Sub
from troposphere.kms import Alias, Key
from troposphere.logs import LogGroup

from generator.concerns.encryption import defaults
from generator.render_context import RenderContext, arn

KEY = "EncryptionKey"
LOGS_SID = "LogsEncryptOwnLogGroups"
# Who delivers into this service's encrypted queues and topics.
DELIVERING_PRINCIPALS = ("events.amazonaws.com", "sns.amazonaws.com", "cloudwatch.amazonaws.com")


def render(ctx: RenderContext) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                # Without the account root statement the key becomes unmanageable (KMS docs).
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "DeliveringServicesEncrypt",
                "Effect": "Allow",
                "Principal": {"Service": list(DELIVERING_PRINCIPALS)},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": AccountId}},
            },
        ],
    }
    ctx.add(Key(
        KEY,
        Description=f"{ctx.svc.names.prefix}: queues and topics",
        EnableKeyRotation=True,
        PendingWindowInDays=defaults.KMS_PENDING_WINDOW_DAYS,
        KeyPolicy=policy,
    ), stateful=True)
    ctx.add(Alias("EncryptionKeyAlias", AliasName=f"alias/{ctx.svc.names.prefix}", TargetKeyId=Ref(KEY)))


def key_arn() -> GetAtt:
    return GetAtt(KEY, "Arn")



def log_group(ctx: RenderContext, title: str, name: str, origin: tuple) -> LogGroup:
    """One of the service's log groups: its retention, encrypted with the service's key, which
    lets CloudWatch Logs use it for this log group."""
    group = ctx.add(LogGroup(title, LogGroupName=name, RetentionInDays=ctx.svc.log_retention_days,
                             KmsKeyId=key_arn()), origin, stateful=True)
    _allow_logs(ctx, name)
    return group


def _allow_logs(ctx: RenderContext, name: str) -> None:
    """Add log group `name` to the key policy's statement for CloudWatch Logs (made at the first)."""
    key = ctx.template.resources.get(KEY)
    if not isinstance(key, Key):  # its logical ID was taken first: a collision SVC3001 reports
        return
    statements = key.KeyPolicy["Statement"]
    statement = next((s for s in statements if s.get("Sid") == LOGS_SID), None)
    if statement is None:
        statement = {
            "Sid": LOGS_SID,
            "Effect": "Allow",
            "Principal": {"Service": Sub("logs.${AWS::Region}.amazonaws.com")},
            "Action": list(defaults.LOGS_KEY_ACTIONS),
            "Resource": "*",
            "Condition": {"ArnEquals": {defaults.LOGS_CONTEXT_KEY: []}},
        }
        statements.append(statement)
    statement["Condition"]["ArnEquals"][defaults.LOGS_CONTEXT_KEY].append(arn("logs", f"log-group:{name}"))
