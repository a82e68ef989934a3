"""JSON Schemas generated from the models, for editors (yaml-language-server `$schema` modeline).

Specs point at their schema relatively, so the modeline holds no path of the machine it was
written on: a platform repository keeps `service.schema.json` and `platform.schema.json` beside
its specs (`svcgen init` and `svcgen new` write them there, `svcgen schema` refreshes them).
svcgen's own checkout keeps them under generator/schema/, where its demo and examples point; a
test fails when those copies are stale.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.spec.model import ServiceSpec
from generator.spec.platform import PlatformSpec

SCHEMA_DIR = Path(__file__).parent / "schema"
SERVICE_SCHEMA, PLATFORM_SCHEMA = "service.schema.json", "platform.schema.json"
SCHEMAS = {SERVICE_SCHEMA: (ServiceSpec, "svcgen service spec"),
           PLATFORM_SCHEMA: (PlatformSpec, "svcgen platform.yaml")}
# svcgen's source checkout (an editable install): the package's parent holding svcgen's pyproject.
_CHECKOUT = Path(__file__).resolve().parents[1]


def schema_texts() -> dict[str, str]:
    texts = {}
    for filename, (model, title) in SCHEMAS.items():
        schema = model.model_json_schema(by_alias=True, mode="validation")
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": title}
        texts[filename] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return texts


def in_checkout(directory: Path) -> bool:
    """Whether `directory` is inside svcgen's own source checkout (never true for an installed
    wheel: its package sits in site-packages, beside no pyproject.toml)."""
    if not (_CHECKOUT / "pyproject.toml").is_file() or not (_CHECKOUT / "generator").is_dir():
        return False
    return directory.resolve().is_relative_to(_CHECKOUT)


def schema_home(spec_dir: Path) -> Path:
    """Where the specs in `spec_dir` find their schemas: beside them in a platform repository,
    generator/schema/ inside svcgen's checkout."""
    return SCHEMA_DIR if in_checkout(spec_dir) else spec_dir
