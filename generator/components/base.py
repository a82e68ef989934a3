"""What every component renders into: one template, its origins, and the IAM each function needs.

Components never build IAM roles themselves; they *declare* what a function must be allowed to
do (`grant`), and `iam.py` turns the declarations into one least-privilege role per function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from troposphere import AWSObject, Export, Output, Sub, Tags, Template

from generator.resolve import ResolvedService

# Reason shown in template metadata for every cfn-lint finding accepted on purpose.
ACCEPTED = "svcgen"


@dataclass(frozen=True)
class Grant:
    actions: tuple[str, ...]
    resources: tuple[Any, ...]
    condition: dict[str, Any] | None = None
    sid: str = ""


@dataclass
class RenderContext:
    svc: ResolvedService
    template: Template = field(default_factory=Template)
    grants: dict[str, list[Grant]] = field(default_factory=dict)
    # logical id -> spec key path it came from, so lint findings can point back at the spec.
    origins: dict[str, tuple] = field(default_factory=dict)

    @property
    def persistent(self) -> bool:
        return self.svc.stage.persistent

    def add(self, resource: AWSObject, origin: tuple = (), stateful: bool = False) -> AWSObject:
        """Add a resource, tagged; stateful ones are retained in persistent stages only."""
        if "Tags" in resource.props and "Tags" not in resource.properties:
            resource.Tags = Tags(**self.tags())
        if stateful:
            policy = "Retain" if self.persistent else "Delete"
            resource.DeletionPolicy = policy
            resource.UpdateReplacePolicy = policy
        self.template.add_resource(resource)
        self.origins[resource.title] = origin
        return resource

    def tags(self) -> dict[str, str]:
        svc = self.svc
        base = {"service": svc.service, "owner": svc.owner, "stage": svc.stage.name, "managed-by": "svcgen"}
        return {**dict(svc.tags), **base}

    def grant(self, function_key: str, actions: list[str], resources: list[Any],
              condition: dict[str, Any] | None = None, sid: str = "") -> None:
        self.grants.setdefault(function_key, []).append(
            Grant(tuple(actions), tuple(resources), condition, sid)
        )

    def export(self, key: str, value: Any, description: str) -> None:
        """An output exported as `{org}-{stage}-{service}-{key}` for other stacks to import."""
        title = "".join(w[:1].upper() + w[1:] for w in key.split("-"))
        self.template.add_output(Output(
            title, Description=description, Value=value, Export=Export(self.svc.names.export(key)),
        ))


def arn(service: str, resource: str) -> Sub:
    """An ARN in this stack's partition, region and account."""
    return Sub(f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}")


def deny_insecure_transport(actions, resource) -> dict:
    """The statement every resource policy carries: nobody, not even an allowed principal, may
    use the resource without TLS (cfn_nag / cdk-nag SQS4, SNS3, S3 secure-transport rules)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": actions,
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def accept(resource: AWSObject, findings: dict[str, str]) -> None:
    """Suppress cfn-lint findings on one resource, each with the reason it is accepted."""
    metadata = dict(getattr(resource, "Metadata", {}) or {})
    metadata["cfn-lint"] = {"config": {"ignore_checks": sorted(findings)}}
    metadata[ACCEPTED] = {"accepted_findings": dict(sorted(findings.items()))}
    resource.Metadata = metadata
