"""What each stack of a build exports and imports, from the rendered templates themselves.

Reading the rendered templates (not the specs) means the report can never drift from what is
deployed. `check_imports` is the safety net behind the spec rules: every `Fn::ImportValue` in a
build must name an export some stack of the build (or, for an ephemeral stage, its parent's
platform stack) provides.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from generator.platform_stack import render_platform
from generator.stages import resolve_stage
from generator.errors import SpecError
from generator.artifacts import PLATFORM_DIR, Artifact, render_one


@dataclass(frozen=True)
class Export:
    name: str
    output: str
    description: str


@dataclass(frozen=True)
class Import:
    name: str
    provider: str  # stack (service or "platform") that exports it, "" if unknown


@dataclass
class StackInterface:
    stack: str
    exports: list[Export] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)


def interfaces(artifacts: list[Artifact], ws, stage, imported: dict | None = None) -> list[StackInterface]:
    """Each artifact's exports and imports. `imported`: stack -> its `import_names`, where the
    caller has them (a build keeps them per service: walking every template is most of this)."""
    imported = imported or {}
    templates = {a.stack: a.template for a in artifacts}
    if PLATFORM_DIR not in templates:
        templates[PLATFORM_DIR] = render_platform(ws.platform, stage).to_dict()
    if not stage.persistent:  # the parent's platform stack: its artifacts bucket (and bus, for a bridge)
        parent = resolve_stage(stage.platform_stage, ws.platform)
        templates[f"{PLATFORM_DIR} ({parent.name})"] = render_platform(ws.platform, parent).to_dict()
    for item in ws.services:  # context services: deployed on their own, but their exports count
        if item.spec.service not in templates:
            templates[item.spec.service] = render_one(item, ws, stage).template
    providers = {e.name: stack for stack, t in templates.items() for e in exports_of(t)}
    result = []
    for artifact in artifacts:
        names = imported.get(artifact.stack)
        names = sorted(set(import_names(artifact.template) if names is None else names))
        result.append(StackInterface(artifact.stack, exports_of(artifact.template),
                                     [Import(n, providers.get(n, "")) for n in names]))
    return result


def check_imports(artifacts: list[Artifact], ws, stage, imported: dict | None = None) -> list[SpecError]:
    """An import nobody exports would fail at deploy time; report it at the spec line instead.
    `imported`: as for `interfaces`."""
    errors = []
    for item in interfaces(artifacts, ws, stage, imported):
        artifact = next(a for a in artifacts if a.stack == item.stack)
        for missing in (i for i in item.imports if not i.provider):
            path = _origin_of_import(artifact, missing.name)
            doc = artifact.doc
            if doc is None:
                continue
            errors.append(doc.error(path, f"imports {missing.name!r}, which no stack in this build exports",
                                    "add the providing service to the build, or fix the reference"))
    return errors


def render_table(items: list[StackInterface]) -> str:
    lines = []
    for item in items:
        lines.append(f"{item.stack}")
        lines.append(f"  exports ({len(item.exports)}):")
        width = max((len(e.name) for e in item.exports), default=0)
        lines += [f"    {e.name:<{width}}  {e.description}" for e in item.exports]
        lines.append(f"  imports ({len(item.imports)}):")
        width = max((len(i.name) for i in item.imports), default=0)
        lines += [f"    {i.name:<{width}}  from {i.provider or 'NOBODY (missing export)'}" for i in item.imports]
    return "\n".join(lines)


def render_json(items: list[StackInterface], stage: str) -> str:
    data = {"stage": stage, "stacks": {i.stack: {"exports": [asdict(e) for e in i.exports],
                                                 "imports": [asdict(m) for m in i.imports]} for i in items}}
    return json.dumps(data, indent=2, sort_keys=True)


def exports_of(template: dict) -> list[Export]:
    """The exports a template declares (also of a template read back from a deployed stack)."""
    found = []
    for key, output in sorted((template.get("Outputs") or {}).items()):
        name = (output.get("Export") or {}).get("Name") if isinstance(output, dict) else None
        if isinstance(name, str):
            found.append(Export(name, key, output.get("Description", "")))
    return found


def import_names(node: Any):
    """Every export name a template (or any part of one) imports with Fn::ImportValue."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Fn::ImportValue" and isinstance(value, str):
                yield value
            else:
                yield from import_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from import_names(value)


def _origin_of_import(artifact: Artifact, name: str) -> tuple:
    for logical_id, resource in artifact.template.get("Resources", {}).items():
        if name in set(import_names(resource)):
            return artifact.origins.get(logical_id, ())
    return ()
