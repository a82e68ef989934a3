"""Template -> canonical YAML text: byte-identical for the same input on every run.

Sections come in CloudFormation's conventional order, resource attributes in a fixed order, and
every other mapping's keys sorted, so a reordering in svcgen's code never shows up as a diff.
"""

from __future__ import annotations

import io
import re
from typing import Any

from ruamel.yaml import YAML

SECTION_ORDER = ("AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings",
                 "Conditions", "Resources", "Outputs")
RESOURCE_ORDER = ("Type", "Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata",
                  "Properties")
# ruamel writes YAML 1.2, where these are strings; cfn-lint (PyYAML) reads YAML 1.1, where they are
# booleans (a Scheduler's `Mode: OFF` would arrive as false), so such strings are quoted. `y`/`n`
# are not among them: PyYAML reads them as strings (DynamoDB's `AttributeType: N` stays as it is).
YAML11_BOOLEANS = re.compile(r"^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")


def canonical(template_dict: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for section in SECTION_ORDER:
        if section not in template_dict:
            continue
        value = template_dict[section]
        if section in ("Resources", "Outputs", "Parameters"):
            out[section] = {k: _entry(value[k]) for k in sorted(value)}
        else:
            out[section] = _sorted(value)
    return out


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    ordered = [k for k in RESOURCE_ORDER if k in entry] + sorted(k for k in entry if k not in RESOURCE_ORDER)
    return {k: _sorted(entry[k]) for k in ordered}


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def to_yaml(template_dict: dict[str, Any]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False
    yaml.width = 4096  # never fold long strings: folding rules could differ between versions
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(str, _represent_str)
    buf = io.StringIO()
    yaml.dump(canonical(template_dict), buf)
    return buf.getvalue()


def _represent_str(representer, data: str):
    style = "'" if YAML11_BOOLEANS.match(data) else None
    return representer.represent_scalar("tag:yaml.org,2002:str", data, style=style)
