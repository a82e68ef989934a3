"""Template -> canonical YAML text: byte-identical for the same input on every run.

Sections come in CloudFormation's conventional order, resource attributes in a fixed order, and
every other mapping's keys sorted, so a reordering in svcgen's code never shows up as a diff.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

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


class _Dumper(yaml.SafeDumper):
    """Block style throughout, sequences indented under their key (`key:` / `  - item`), strings
    that YAML 1.1 would read as booleans quoted, and a quoted string holding `'` double-quoted."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        if style == "'" and "'" in self.event.value:
            return '"'
        return style


def _represent_str(dumper: yaml.SafeDumper, data: str):
    style = "'" if YAML11_BOOLEANS.match(data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def to_yaml(template_dict: dict[str, Any]) -> str:
    # PyYAML's emitter: the same text ruamel's wrote (the goldens did not change), in half the time.
    return yaml.dump(canonical(template_dict), Dumper=_Dumper, default_flow_style=False, sort_keys=False,
                     width=4096, allow_unicode=True, indent=2)
