"""The platform stack of a persistent stage: the shared milestone bus, its archive for replays,
and the bucket code packages are deployed from. Service stacks import its exports, never
hard-coded names, so a bus rename is one change in platform.yaml.
"""

from __future__ import annotations

from troposphere import Export, GetAtt, Output, Ref, Tags, Template
from troposphere.events import Archive, EventBus
from troposphere.s3 import (
    Bucket, BucketEncryption, BucketPolicy, LifecycleConfiguration, LifecycleRule,
    NoncurrentVersionExpiration, OwnershipControls, OwnershipControlsRule, PublicAccessBlockConfiguration,
    ServerSideEncryptionByDefault, ServerSideEncryptionRule, VersioningConfiguration,
)

from generator.render_context import deny_insecure_transport
from generator.naming import PlatformNames
from generator.spec.platform import PlatformSpec

# Old code packages are only needed for rollback; 30 days covers any realistic one.
ARTIFACT_NONCURRENT_DAYS = 30


def render_platform(platform: PlatformSpec, stage: str) -> Template:
    names = PlatformNames(platform.org, stage, platform.bus.name)
    t = Template()
    t.set_version("2010-09-09")
    t.set_description(f"{platform.org} platform ({stage}): milestone bus, archive, artifacts bucket")
    tags = Tags(**{"owner": "platform", "stage": stage, "managed-by": "svcgen"})
    t.add_resource(EventBus("Bus", Name=names.bus, Tags=tags))
    # No EventPattern: the archive keeps every milestone so any consumer can be replayed.
    t.add_resource(Archive("BusArchive", ArchiveName=names.archive, SourceArn=GetAtt("Bus", "Arn"),
                           RetentionDays=platform.bus.archive_retention_days,
                           Description="Every milestone event, for replays"))
    t.add_resource(Bucket(
        "ArtifactsBucket",
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
        BucketEncryption=BucketEncryption(ServerSideEncryptionConfiguration=[ServerSideEncryptionRule(
            ServerSideEncryptionByDefault=ServerSideEncryptionByDefault(SSEAlgorithm="AES256"))]),
        VersioningConfiguration=VersioningConfiguration(Status="Enabled"),
        PublicAccessBlockConfiguration=PublicAccessBlockConfiguration(
            BlockPublicAcls=True, BlockPublicPolicy=True, IgnorePublicAcls=True, RestrictPublicBuckets=True),
        OwnershipControls=OwnershipControls(Rules=[OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]),
        LifecycleConfiguration=LifecycleConfiguration(Rules=[LifecycleRule(
            Id="expire-old-packages", Status="Enabled",
            NoncurrentVersionExpiration=NoncurrentVersionExpiration(NoncurrentDays=ARTIFACT_NONCURRENT_DAYS))]),
        Tags=tags,
    ))
    t.add_resource(BucketPolicy("ArtifactsBucketPolicy", Bucket=Ref("ArtifactsBucket"), PolicyDocument={
        "Version": "2012-10-17",
        "Statement": [deny_insecure_transport(
            "s3:*", [GetAtt("ArtifactsBucket", "Arn"), {"Fn::Sub": "${ArtifactsBucket.Arn}/*"}])],
    }))
    # `Ref` of an EventBus is its name on AWS, but GetAtt Name is unambiguous everywhere.
    t.add_output(Output("BusName", Description="Name of the milestone bus", Value=GetAtt("Bus", "Name"),
                        Export=Export(names.bus_name_export)))
    t.add_output(Output("BusArn", Description="ARN of the milestone bus", Value=GetAtt("Bus", "Arn"),
                        Export=Export(names.bus_arn_export)))
    t.add_output(Output("ArtifactsBucketName", Description="Bucket code packages are deployed from",
                        Value=Ref("ArtifactsBucket"), Export=Export(names.artifacts_bucket_export)))
    return t
