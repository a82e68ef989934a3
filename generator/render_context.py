"""What every component renders into: one template, its origins, and the IAM each function needs.

Components never build IAM roles themselves; they *declare* what a function must be allowed to
do (`grant`), and `iam.py` turns the declarations into one least-privilege role per function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from troposphere import AWSObject, Export, Output, Sub, Tags, Template

from generator.resolve import ResolvedService

# Reason shown in template metadata for every cfn-lint finding accepted on purpose.
ACCEPTED = "svcgen"
# Tags svcgen puts on every taggable resource (RenderContext.tags); they win over a spec's tags of
# the same key, and count towards AWS's 50 tags per resource (rule SVC1012).
SVCGEN_TAG_KEYS = ("service", "owner", "stage", "managed-by")


@dataclass(frozen=True)
class Grant:
    actions: tuple[str, ...]
    resources: tuple[Any, ...]
    condition: dict[str, Any] | None = None
    sid: str = ""


@dataclass(frozen=True)
class Collision:
    """Two things rendered under one logical ID (a function named `charge-role` next to `charge`,
    whose role is `ChargeRole`). CloudFormation needs each logical ID once: Resources and
    Parameters share one namespace (both are `Ref`'s targets), Outputs have their own. The first
    one stays in the template, the other is left out and recorded here; rule SVC3001 reports it
    at the spec key that made it."""

    section: str  # "Resources" | "Outputs"
    title: str
    kept_type: str  # AWS type, or "Parameter" / "Output"
    kept_origin: tuple
    dropped_type: str
    dropped_origin: tuple


class RenderTemplate(Template):
    """A troposphere Template that neither caps nor raises.

    troposphere raises ValueError at its own copies of CloudFormation's quotas (MAX_RESOURCES 500,
    MAX_OUTPUTS, MAX_PARAMETERS, MAX_MAPPINGS 200, checked in `add_*`) and on a duplicate title, in
    the middle of rendering, with a traceback that names neither the spec nor what to change. Here
    every quota is a template rule on the finished template (generator/concerns/service/limits.py,
    pointing at the spec and saying what to split), and a duplicate title is kept as a `Collision`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.collisions: list[Collision] = []

    def add_resource(self, resource):
        return self._update(self.resources, resource)

    def add_output(self, output):
        return self._update(self.outputs, output)

    def add_parameter(self, parameter):
        return self._update(self.parameters, parameter)

    def add_mapping(self, name: str, mapping: dict[str, Any]) -> None:
        self.mappings.setdefault(name, {}).update(mapping)

    def _update(self, d, values):
        # Only reached with a duplicate by a caller that bypasses RenderContext.add/export (which
        # record the collision with both origins): record it without origins instead of raising.
        for value in values if isinstance(values, list) else [values]:
            if value.title in d:
                section = "Outputs" if d is self.outputs else "Resources"
                self.collisions.append(Collision(section, value.title, _kind(d[value.title]), (),
                                                 _kind(value), ()))
            else:
                d[value.title] = value
        return values


def _kind(thing: Any) -> str:
    """`AWS::SQS::Queue`, or "Parameter" / "Output" for those."""
    return getattr(thing, "resource_type", None) or type(thing).__name__


@dataclass
class RenderContext:
    svc: ResolvedService
    template: Template = field(default_factory=RenderTemplate)
    grants: dict[str, list[Grant]] = field(default_factory=dict)
    # logical id -> spec key path it came from, so lint findings can point back at the spec.
    # Outputs are in it too (the origin of the resource their value refers to), unless a resource
    # of the same logical ID is.
    origins: dict[str, tuple] = field(default_factory=dict)
    output_origins: dict[str, tuple] = field(default_factory=dict)  # output logical id -> spec key path

    def __post_init__(self) -> None:
        if not hasattr(self.template, "collisions"):  # a plain troposphere Template handed in
            self.template.collisions = []

    @property
    def persistent(self) -> bool:
        return self.svc.stage.persistent

    @property
    def collisions(self) -> list[Collision]:
        """Every logical ID rendered twice, in render order. Kept on the template, so contexts that
        share a template (the event store's publisher role) share them."""
        return self.template.collisions

    def add(self, resource: AWSObject, origin: tuple = (), stateful: bool = False) -> AWSObject:
        """Add a resource, tagged; stateful ones are retained in persistent stages only. A second
        resource (or parameter) of the same logical ID is not added: the collision is recorded
        (`collisions`) and rendering goes on, so rule SVC3001 can point at the spec."""
        title = resource.title
        existing = self.template.resources.get(title, self.template.parameters.get(title))
        if existing is not None:
            self.collisions.append(Collision("Resources", title, _kind(existing), self.origins.get(title, ()),
                                             _kind(resource), tuple(origin)))
            return resource
        if "Tags" in resource.props and "Tags" not in resource.properties:
            resource.Tags = Tags(**self.tags())
        if stateful:
            policy = "Retain" if self.persistent else "Delete"
            resource.DeletionPolicy = policy
            resource.UpdateReplacePolicy = policy
        self.template.add_resource(resource)
        self.origins[title] = origin
        return resource

    def tags(self) -> dict[str, str]:
        svc = self.svc
        base = dict(zip(SVCGEN_TAG_KEYS, (svc.service, svc.owner, svc.stage.name, "svcgen")))
        return {**dict(svc.tags), **base}

    def grant(self, function_key: str, actions: list[str], resources: list[Any],
              condition: dict[str, Any] | None = None, sid: str = "") -> None:
        self.grants.setdefault(function_key, []).append(
            Grant(tuple(actions), tuple(resources), condition, sid)
        )

    def export(self, key: str, value: Any, description: str) -> None:
        """An output exported as `{org}-{stage}-{service}-{key}` for other stacks to import. Its
        origin is that of the resource its value refers to; a second output of the same logical ID
        is recorded as a collision, like a resource's."""
        title = "".join(w[:1].upper() + w[1:] for w in key.split("-"))
        referenced = _referenced(value)
        origin = self.origins.get(referenced, ()) if referenced else ()
        if title in self.template.outputs:
            self.collisions.append(Collision("Outputs", title, "Output", self.output_origins.get(title, ()),
                                             "Output", origin))
            return
        self.template.add_output(Output(
            title, Description=description, Value=value, Export=Export(self.svc.names.export(key)),
        ))
        self.output_origins[title] = origin
        self.origins.setdefault(title, origin)


def _referenced(value: Any) -> str | None:
    """The logical ID an output's value refers to: `Ref`, `Fn::GetAtt`, or the first `${Id}` of a
    `Fn::Sub`."""
    data = getattr(value, "data", None)
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("Ref"), str):
        return data["Ref"]
    if isinstance(data.get("Fn::GetAtt"), list) and data["Fn::GetAtt"]:
        return data["Fn::GetAtt"][0]
    sub = data.get("Fn::Sub")
    match = re.search(r"\$\{([A-Za-z0-9]+)[}.]", sub if isinstance(sub, str) else "")
    return match.group(1) if match and not match.group(1).startswith("AWS") else None


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
