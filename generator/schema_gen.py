"""JSON Schemas generated from the models, for editors (yaml-language-server `$schema` modeline).

The checked-in copies under generator/schema/ are what scaffolded specs point at; a test fails
when they are stale, and `svcgen schema` regenerates them.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.spec.model import ServiceSpec
from generator.spec.platform import PlatformSpec

SCHEMA_DIR = Path(__file__).parent / "schema"
SCHEMAS = {"service.schema.json": (ServiceSpec, "svcgen service spec"),
           "platform.schema.json": (PlatformSpec, "svcgen platform.yaml")}


def schema_texts() -> dict[str, str]:
    texts = {}
    for filename, (model, title) in SCHEMAS.items():
        schema = model.model_json_schema(by_alias=True, mode="validation")
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": title}
        texts[filename] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return texts
