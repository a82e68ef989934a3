"""Checkov findings svcgen accepts on purpose, written into the resource they are about.

checkov (an independent IaC scanner a bank's pipeline may run over svcgen's templates) reads a
CloudFormation resource's `Metadata: {checkov: {skip: [{id, comment}]}}` and reports each skipped
check with its comment instead of failing it (checkov/cloudformation/context_parser.py,
`collect_skip_comments`; a skip without a comment shows as "No comment provided"). As with the
cfn-lint findings svcgen accepts (render_context.accept), a concern never writes that metadata
itself: it calls `skip_checks` with each check's reason, kept in its defaults.py. What checkov
reports on svcgen's output, and what was fixed or accepted, is docs/security-scan.md; rules
SVC3010–SVC3014 (generator/concerns/service/checkov_rules.py) refuse a template that would
regress.
"""

from __future__ import annotations

import re
from typing import Any

from troposphere import AWSObject

METADATA_KEY = "checkov"
CHECK_ID = re.compile(r"CKV2?_AWS_\d+")


def skip_checks(resource: AWSObject, reasons: dict[str, str]) -> AWSObject:
    """Accept checkov checks on one resource, each with its reason. A second call for the same
    check replaces its reason: a function's invoker states how the function is invoked (the
    function concern states it for a function nothing invokes, the concern that wires a trigger
    replaces it)."""
    metadata = dict(getattr(resource, "Metadata", {}) or {})
    skips = {s["id"]: s["comment"] for s in metadata.get(METADATA_KEY, {}).get("skip", [])}
    skips.update(reasons)
    metadata[METADATA_KEY] = {"skip": [{"id": check, "comment": skips[check]} for check in sorted(skips)]}
    resource.Metadata = metadata
    return resource


def skipped(resource: dict[str, Any]) -> dict[str, str]:
    """check ID -> comment of every checkov skip of a rendered resource (template data)."""
    metadata = resource.get("Metadata")
    skip = metadata.get(METADATA_KEY, {}).get("skip", []) if isinstance(metadata, dict) else []
    return {str(s.get("id")): s.get("comment") for s in skip if isinstance(s, dict)} if isinstance(skip, list) else {}
