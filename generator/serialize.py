"""Template -> canonical YAML text: byte-identical for the same input on every run.

Sections come in CloudFormation's conventional order, resource attributes in a fixed order, and
every other mapping's keys sorted, so a reordering in svcgen's code never shows up as a diff.
"""

from __future__ import annotations

import functools
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


def pyyaml_text(data: Any) -> str:
    """`data` as PyYAML's emitter writes it with svcgen's dumper: the reference text."""
    return yaml.dump(data, Dumper=_Dumper, default_flow_style=False, sort_keys=False, width=4096,
                     allow_unicode=True, indent=2)


def to_yaml(template_dict: dict[str, Any]) -> str:
    """The canonical template as YAML: byte for byte what `pyyaml_text` writes, 20-30× faster.

    PyYAML's pure-Python emitter analyses every scalar again for each occurrence (~0.1 s for a
    service's template, most of a no-lint build). A template is only block mappings, block
    sequences and one-line scalars, whose layout never depends on where they stand; so the layout
    is written here, and each distinct scalar and key is written once by PyYAML itself
    (`_value`, `_key`, cached). Anything else — a scalar PyYAML would spread over several lines,
    a key it would write as a complex key — sends the whole template to PyYAML."""
    data = canonical(template_dict)
    out: list[str] = []
    try:
        _mapping(data, 0, out)
    except _NotSimple:
        return pyyaml_text(data)
    return "".join(out)


class _NotSimple(Exception):
    """A scalar or key whose text is not one line in every position: PyYAML writes the template."""


# What YAML counts as a line break: a scalar written with one is laid out by where it stands.
LINE_BREAKS = re.compile("[\r\n\x85\u2028\u2029]")


# A string PyYAML writes as it is, in any position: no indicator may start it (`-`, `?`, `:`, `#`,
# quotes, brackets ...), no `: `/` #`/space/line break inside, no `:` at its end, and the YAML 1.1
# resolver reads it back as a string (not `yes`, `null`, `1e3`, `.inf`, a date ...); at most 100
# characters (PyYAML writes a key from 123 on as a complex `? key`). Most of a template's scalars
# (names, types, ARNs, Fn:: keys) are such strings: they skip PyYAML's emitter.
AS_IS = re.compile(r"[A-Za-z_/][A-Za-z0-9_./:-]{0,99}(?<!:)")
_RESOLVER = yaml.resolver.Resolver()


def _as_is(value: str) -> bool:
    return (AS_IS.fullmatch(value) is not None
            and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str")


@functools.lru_cache(maxsize=1 << 16)
def _value(kind: type, value: Any, spelling: str = "") -> str:
    if kind is str and _as_is(value):
        return value
    text = pyyaml_text({"k": value})
    if not text.startswith("k: ") or not text.endswith("\n") or LINE_BREAKS.search(text[:-1]):
        raise _NotSimple
    return text[3:-1]


@functools.lru_cache(maxsize=1 << 16)
def _key(kind: type, value: Any) -> str:
    if kind is str and _as_is(value):
        return value
    text = pyyaml_text({value: 0})
    if not text.endswith(": 0\n") or LINE_BREAKS.search(text[:-1]):
        raise _NotSimple
    return text[:-4]


def _scalar(value: Any) -> str:
    try:
        # the type too (True == 1, but they are written differently), and a float's spelling (-0.0 == 0.0)
        return _value(type(value), value, repr(value) if isinstance(value, float) else "")
    except TypeError:  # unhashable: not a scalar a template holds
        raise _NotSimple from None


def _mapping(data: dict, indent: int, out: list[str], lead: str | None = None) -> None:
    """`key: value` lines at `indent`; the first one after `lead` (`- ` of a sequence item) if given."""
    pad = " " * indent
    for key, value in data.items():
        try:
            name = _key(type(key), key)
        except TypeError:
            raise _NotSimple from None
        start, lead = (lead if lead is not None else pad), None
        if isinstance(value, dict):
            if value:
                out.append(f"{start}{name}:\n")
                _mapping(value, indent + 2, out)
            else:
                out.append(f"{start}{name}: {{}}\n")
        elif isinstance(value, list):
            if value:
                out.append(f"{start}{name}:\n")
                _sequence(value, indent + 2, out)  # indented under its key (_Dumper.increase_indent)
            else:
                out.append(f"{start}{name}: []\n")
        else:
            out.append(f"{start}{name}: {_scalar(value)}\n")


def _sequence(items: list, indent: int, out: list[str], lead: str | None = None) -> None:
    pad = " " * indent
    for value in items:
        start, lead = (lead if lead is not None else pad) + "- ", None
        if isinstance(value, dict):
            if value:
                _mapping(value, indent + 2, out, start)
            else:
                out.append(f"{start}{{}}\n")
        elif isinstance(value, list):
            if value:
                _sequence(value, indent + 2, out, start)
            else:
                out.append(f"{start}[]\n")
        else:
            out.append(f"{start}{_scalar(value)}\n")
