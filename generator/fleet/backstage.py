"""A service's Backstage descriptors (catalog-info.yaml): its Component and its events API.

- Component `<service>`: type service, lifecycle production, owner (the spec's `owner`, a
  Backstage group), system (the `system` tag, else the platform's org), `providesApis`
  [<service>-events] and `consumesApis` [<publisher>-events] for each other service whose bus or
  store events it subscribes to (a publisher outside the fleet too: its API is named the same
  way wherever its own catalog is generated).
- API `<service>-events`: type asyncapi, its definition the AsyncAPI document next to it
  (`$text: ./asyncapi.yaml`, which Backstage reads relative to this file).

Names and tags follow Backstage's validators (catalog-model's CommonValidatorFunctions): a name
^[a-z0-9A-Z]([-_.]?[a-z0-9A-Z])*$ of at most 63 characters, a tag ^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$ of
at most 63; spec tags `key: value` become `key:value` tags with any other character replaced by `-`.
"""

from __future__ import annotations

import re
from typing import Any

from generator.fleet.model import spec_location

API_VERSION = "backstage.io/v1alpha1"
LIFECYCLE = "production"
ANNOTATION_PREFIX = "svcgen"  # a valid annotation prefix (a DNS label) that claims no domain
TAG_MAX = 63


def api_name(service: str) -> str:
    return f"{service}-events"


def entities(view, platform) -> list[dict[str, Any]]:
    """The Component and the API entity of `view`, in that order."""
    consumed = sorted({s.publisher for s in view.subscriptions if s.publisher != view.service})
    metadata = _metadata(view, platform)
    component = {
        "apiVersion": API_VERSION,
        "kind": "Component",
        "metadata": {"name": view.service, **metadata},
        "spec": {
            "type": "service",
            "lifecycle": LIFECYCLE,
            "owner": view.owner,
            "system": view.system,
            "providesApis": [api_name(view.service)],
        },
    }
    if consumed:
        component["spec"]["consumesApis"] = [api_name(p) for p in consumed]
    api = {
        "apiVersion": API_VERSION,
        "kind": "API",
        "metadata": {"name": api_name(view.service), **metadata,
                     "description": f"The events {view.service} sends and receives (AsyncAPI 3.0)."},
        "spec": {
            "type": "asyncapi",
            "lifecycle": LIFECYCLE,
            "owner": view.owner,
            "system": view.system,
            "definition": {"$text": "./asyncapi.yaml"},
        },
    }
    return [component, api]


def _metadata(view, platform) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if view.description:
        metadata["description"] = view.description
    metadata["tags"] = tags(view)
    metadata["annotations"] = dict(sorted({
        f"{ANNOTATION_PREFIX}/spec-file": spec_location(view.spec_file),
        f"{ANNOTATION_PREFIX}/event-source": f"{platform.org}.{view.service}",
        f"{ANNOTATION_PREFIX}/region": platform.region,
    }.items()))
    if view.alert_emails:
        metadata["links"] = [{"url": f"mailto:{email}", "title": "on-call alerts"} for email in view.alert_emails]
    return metadata


def tags(view) -> list[str]:
    """`svcgen`, and each spec tag but `system` (the entity's system) as `key:value`, sorted."""
    found = {"svcgen"} | {tag(f"{k}:{v}") for k, v in view.tags.items() if k != "system"}
    return sorted(t for t in found if t)


def tag(text: str) -> str:
    """`text` as a valid Backstage tag ("" when nothing is left)."""
    cleaned = re.sub(r"[^a-z0-9:+#]+", "-", text.lower()).strip("-")
    return cleaned[:TAG_MAX].rstrip("-")
