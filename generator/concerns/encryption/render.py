"""The service's customer managed KMS key: encrypts its queues and its alerts topic.

A customer key (not `alias/aws/sqs`) because AWS-managed keys cannot grant EventBridge, SNS or
CloudWatch the right to encrypt into the queue/topic; rotation on (checkov CKV_AWS_7, cdk-nag
KMS5). Service principals may use it only on behalf of this account (`aws:SourceAccount`).
"""

from __future__ import annotations

from troposphere import AccountId, GetAtt, Ref, Sub
from troposphere.kms import Alias, Key

from generator.concerns.encryption import defaults
from generator.render_context import RenderContext

KEY = "EncryptionKey"
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

