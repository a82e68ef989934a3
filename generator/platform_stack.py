"""The platform stack of a stage. Service stacks import its exports, never hard-coded names, so a
bus rename is one change in platform.yaml.

- A persistent stage's: the milestone bus, its archive for replays, the bucket code packages
  are deployed from, and the bucket its S3 server access logs go to (who read or wrote which code
  package: checkov CKV_AWS_18, docs/security-scan.md).
- An ephemeral (PR) stage's, a light one: its own bus, so a PR stage never publishes into
  another stage nor consumes another stage's events (a PR's test payment must never reach dev's
  ledger). No archive (nothing replays into a PR stage) and no bucket: code is deployed from the
  parent's. With `stages.bridge_from_parent`, a rule on the parent's bus forwards every milestone
  into this bus, so the PR stage sees realistic traffic; no rule ever points the other way.
"""

from __future__ import annotations

from troposphere import Export, GetAtt, ImportValue, Output, Ref, Tags, Template
from troposphere.events import Archive, DeadLetterConfig, EventBus, RetryPolicy, Rule, Target
from troposphere.iam import Policy, Role
from troposphere.sqs import Queue
from troposphere.s3 import (
    Bucket, BucketEncryption, BucketPolicy, LifecycleConfiguration, LifecycleRule, LoggingConfiguration,
    NoncurrentVersionExpiration, OwnershipControls, OwnershipControlsRule, PublicAccessBlockConfiguration,
    ServerSideEncryptionByDefault, ServerSideEncryptionRule, VersioningConfiguration,
)

from generator.concerns.subscription import defaults as subscription_defaults
from generator.concerns.queue import defaults as queue_defaults, render as queue_render
from generator.render_context import accept, deny_insecure_transport
from generator.naming import PlatformNames
from generator.scan_skips import skip_checks
from generator.spec.platform import PlatformSpec
from generator.stages import Stage

# Old code packages are only needed for rollback; 30 days covers any realistic one.
ARTIFACT_NONCURRENT_DAYS = 30
# Access logs of the artifacts bucket are audit records of who read or replaced code that runs in
# the bank: kept a year (PCI DSS 10.5.1: audit logs kept at least 12 months), then expired.
ACCESS_LOG_RETENTION_DAYS = 365
ACCESS_LOG_PREFIX = "artifacts/"
# S3 delivers server access logs with the `logging.s3.amazonaws.com` principal; with ACLs disabled
# (BucketOwnerEnforced) the target bucket's policy must allow it, for this source bucket and
# account only (S3 user guide, "Permissions for log delivery").
LOG_DELIVERY_PRINCIPAL = "logging.s3.amazonaws.com"
ACCESS_LOGS_NOT_LOGGED = (
    "CKV_AWS_18",
    "This bucket is the target of the artifacts bucket's server access logs: logging its own access into itself "
    "would log every log delivery without end, and another bucket would only move the question. Only S3's log "
    "delivery writes to it (its bucket policy), it is versioned and retained, and its objects expire after a year.")


def render_platform(platform: PlatformSpec, stage: Stage) -> Template:
    names = PlatformNames(platform.org, stage.name, platform.bus.name)
    t = Template()
    t.set_version("2010-09-09")
    tags = Tags(**{"owner": "platform", "stage": stage.name, "managed-by": "svcgen"})
    t.add_resource(EventBus("Bus", Name=names.bus, Tags=tags))
    if not stage.persistent:
        bridged = platform.stages.bridge_from_parent
        t.set_description(f"{platform.org} platform ({stage.name}, ephemeral): its own milestone bus"
                          + (f", bridged one way from {stage.platform_stage}'s" if bridged else ""))
        if bridged:
            _bridge(t, platform, stage, tags)
        _bus_outputs(t, names)
        return t
    t.set_description(f"{platform.org} platform ({stage.name}): milestone bus, archive, artifacts bucket")
    # No EventPattern: the archive keeps every milestone so any consumer can be replayed.
    t.add_resource(Archive("BusArchive", ArchiveName=names.archive, SourceArn=GetAtt("Bus", "Arn"),
                           RetentionDays=platform.bus.archive_retention_days,
                           Description="Every milestone event, for replays"))
    _access_logs_bucket(t, tags)
    t.add_resource(Bucket(
        "ArtifactsBucket",
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        LifecycleConfiguration=LifecycleConfiguration(Rules=[LifecycleRule(
            Id="expire-old-packages", Status="Enabled",
            NoncurrentVersionExpiration=NoncurrentVersionExpiration(NoncurrentDays=ARTIFACT_NONCURRENT_DAYS))]),
        LoggingConfiguration=LoggingConfiguration(DestinationBucketName=Ref("AccessLogsBucket"),
                                                  LogFilePrefix=ACCESS_LOG_PREFIX),
        Tags=tags,
        **_private_bucket(),
    ))
    t.add_resource(BucketPolicy("ArtifactsBucketPolicy", Bucket=Ref("ArtifactsBucket"), PolicyDocument={
        "Version": "2012-10-17",
        "Statement": [deny_insecure_transport(
            "s3:*", [GetAtt("ArtifactsBucket", "Arn"), {"Fn::Sub": "${ArtifactsBucket.Arn}/*"}])],
    }))
    _bus_outputs(t, names)
    t.add_output(Output("ArtifactsBucketName", Description="Bucket code packages are deployed from",
                        Value=Ref("ArtifactsBucket"), Export=Export(names.artifacts_bucket_export)))
    return t


def _private_bucket() -> dict:
    """What both buckets have: SSE-S3 (the only encryption S3 delivers access logs into), versioning,
    no public access, no ACLs."""
    return dict(
        BucketEncryption=BucketEncryption(ServerSideEncryptionConfiguration=[ServerSideEncryptionRule(
            ServerSideEncryptionByDefault=ServerSideEncryptionByDefault(SSEAlgorithm="AES256"))]),
        VersioningConfiguration=VersioningConfiguration(Status="Enabled"),
        PublicAccessBlockConfiguration=PublicAccessBlockConfiguration(
            BlockPublicAcls=True, BlockPublicPolicy=True, IgnorePublicAcls=True, RestrictPublicBuckets=True),
        OwnershipControls=OwnershipControls(Rules=[OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]),
    )


def _access_logs_bucket(t: Template, tags: Tags) -> None:
    """The artifacts bucket's server access logs: only S3's log delivery, for that bucket of this
    account, may write them; TLS only."""
    t.add_resource(skip_checks(Bucket(
        "AccessLogsBucket",
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        LifecycleConfiguration=LifecycleConfiguration(Rules=[LifecycleRule(
            Id="expire-access-logs", Status="Enabled", ExpirationInDays=ACCESS_LOG_RETENTION_DAYS,
            NoncurrentVersionExpiration=NoncurrentVersionExpiration(NoncurrentDays=1))]),
        Tags=tags,
        **_private_bucket(),
    ), dict([ACCESS_LOGS_NOT_LOGGED])))
    logs = {"Fn::Sub": "${AccessLogsBucket.Arn}/" + ACCESS_LOG_PREFIX + "*"}
    t.add_resource(BucketPolicy("AccessLogsBucketPolicy", Bucket=Ref("AccessLogsBucket"), PolicyDocument={
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "S3LogDelivery",
                "Effect": "Allow",
                "Principal": {"Service": LOG_DELIVERY_PRINCIPAL},
                "Action": "s3:PutObject",
                "Resource": logs,
                "Condition": {"ArnLike": {"aws:SourceArn": GetAtt("ArtifactsBucket", "Arn")},
                              "StringEquals": {"aws:SourceAccount": Ref("AWS::AccountId")}},
            },
            deny_insecure_transport("s3:*", [GetAtt("AccessLogsBucket", "Arn"),
                                             {"Fn::Sub": "${AccessLogsBucket.Arn}/*"}]),
        ],
    }))


def _bus_outputs(t: Template, names: PlatformNames) -> None:
    # `Ref` of an EventBus is its name on AWS, but GetAtt Name is unambiguous everywhere.
    t.add_output(Output("BusName", Description="Name of the milestone bus", Value=GetAtt("Bus", "Name"),
                        Export=Export(names.bus_name_export)))
    t.add_output(Output("BusArn", Description="ARN of the milestone bus", Value=GetAtt("Bus", "Arn"),
                        Export=Export(names.bus_arn_export)))


def _bridge(t: Template, platform: PlatformSpec, stage: Stage, tags: Tags) -> None:
    """A rule on the parent's bus whose target is this stage's bus: every milestone published in
    the parent is also delivered here. EventBridge needs a role to put events on another bus."""
    parent = PlatformNames(platform.org, stage.platform_stage, platform.bus.name)
    role = t.add_resource(Role(
        "BridgeRole",
        AssumeRolePolicyDocument={"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        Policies=[Policy(PolicyName="PutOnStageBus", PolicyDocument={"Version": "2012-10-17", "Statement": [{
            "Sid": "PutOnStageBus", "Effect": "Allow", "Action": "events:PutEvents",
            "Resource": GetAtt("Bus", "Arn")}]})],
        Tags=tags,
    ))
    t.add_resource(Rule(
        "BridgeFromParent",
        Description=f"Every milestone on {stage.platform_stage}'s bus, forwarded to {stage.name}'s (one way)",
        EventBusName=ImportValue(parent.bus_name_export),
        # Every event of this account: the parent's services publish from it (a pattern must
        # match something; `account` is on every event).
        EventPattern={"account": [Ref("AWS::AccountId")]},
        State="ENABLED",
        Targets=[Target(
            Id="StageBus", Arn=GetAtt("Bus", "Arn"), RoleArn=GetAtt(role, "Arn"),
            RetryPolicy=RetryPolicy(MaximumRetryAttempts=subscription_defaults.RULE_MAX_RETRY_ATTEMPTS,
                                    MaximumEventAgeInSeconds=subscription_defaults.RULE_MAX_EVENT_AGE_SECONDS),
            DeadLetterConfig=DeadLetterConfig(Arn=GetAtt("BridgeDlq", "Arn")))],
    ))
    # Events the bridge could not deliver: a PR stage's test traffic, so no alarm; kept for a look,
    # and deleted with the stage (an ephemeral stage keeps nothing).
    dlq = t.add_resource(Queue("BridgeDlq", SqsManagedSseEnabled=True,
                               MessageRetentionPeriod=queue_defaults.DLQ_RETENTION_DAYS * 86400,
                               DeletionPolicy="Delete", UpdateReplacePolicy="Delete", Tags=tags))
    accept(dlq, queue_render.DLQ_HAS_NO_DLQ)
    t.add_resource(queue_render.policy("BridgeDlqPolicy", "BridgeDlq",
                                       {"events.amazonaws.com": [GetAtt("BridgeFromParent", "Arn")]}))
