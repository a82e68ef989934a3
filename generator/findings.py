"""A lint finding; its own module so that reading cached findings does not import cfn-lint."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Finding:
    rule_id: str  # cfn-lint ("E3002", "I3011"), cfn-lint-serverless ("ES1007") or svcgen ("SVC0001")
    severity: str  # "error" | "warning" | "informational"
    resource: str  # logical id of the resource the finding is on, "" if none
    path: str  # "Resources/Queue/Properties/VisibilityTimeout"
    line: int  # 1-based line in the template text
    message: str

    def render(self, template_file: str) -> str:
        """`file:line: RULE [resource] message` (no brackets when the finding has no resource)."""
        on = f" [{self.resource}]" if self.resource else ""
        return f"{template_file}:{self.line}: {self.rule_id}{on} {self.message}"
