"""generator/fleet/catalog.py (`svcgen catalog`): an AsyncAPI 3.0.0 document and a Backstage
catalog-info.yaml per service.

Every AsyncAPI document is validated against the official AsyncAPI 3.0.0 JSON Schema
(tests/schemas/asyncapi-3.0.0.json, the bundled schema of asyncapi/spec-json-schemas: every
definition it `$ref`s is inside it under its own `$id`, so a `referencing` registry made from the
file resolves them all, no network), and its own `$ref`s must point at something in the document
(the schema only checks that a `$ref` is a URI reference).

Goldens: tests/golden/fleet/catalog/<service>/ for the demo fleet (specs/, stage dev);
regenerate with `python -m pytest tests/unit/test_catalog.py --update-goldens`.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT7
from ruamel.yaml import YAML

from generator.cli import main
from generator.fleet.asyncapi import DECIMAL_PATTERN, payload_schema
from generator.fleet.catalog import catalog_files

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
GOLDEN = ROOT / "tests" / "golden" / "fleet" / "catalog"
SCHEMA = ROOT / "tests" / "schemas" / "asyncapi-3.0.0.json"
SERVICES = ("accounts", "ledger", "notifications", "onboarding", "payments")

# Backstage's validators (@backstage/catalog-model): entity names and tags.
NAME = re.compile(r"^[a-z0-9A-Z]([-_.]?[a-z0-9A-Z])*$")
TAG = re.compile(r"^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$")
ANNOTATION_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                            r"[a-z0-9A-Z]([-_.]?[a-z0-9A-Z])*$")

LEGACY = """\
service: legacy
owner: team-legacy
description: An old service still on python3.11.
runtime: python3.11
tags:
  system: core-banking
  cost-center: CC_42
publishes: [ThingHappened]
events:
  ThingHappened:
    version: 2
    description: A thing happened.
    fields:
      thing_id: {type: string}
      price: {type: decimal}
      labels: {type: list, items: date, required: false}
      meta: {type: object, required: false}
      ok: {type: boolean}
      ratio: {type: number, sensitive: true}
      on_day: {type: date}
      at: {type: datetime, description: when it happened}
functions:
  old-job:
    description: Runs every hour, on the old runtime.
    schedule: {expression: rate(1 hour)}
    publishes: [ThingHappened]
"""


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = json.loads(SCHEMA.read_text())
    registry = Registry().with_resource(schema["$id"], DRAFT7.create_resource(schema)).crawl()
    return Draft7Validator(schema, registry=registry)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, str]:
    """The demo fleet's catalog as svcgen catalog writes it: relative path -> text."""
    out = tmp_path_factory.mktemp("catalog")
    assert main(["catalog", "--out", str(out), str(SPECS)]) == 0
    return {p.relative_to(out).as_posix(): p.read_text() for p in sorted(out.rglob("*")) if p.is_file()}


def yaml_docs(text: str) -> list:
    return list(YAML(typ="safe", pure=True).load_all(text))


def schema_errors(validator: Draft7Validator, doc: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def reference_errors(doc: dict) -> list[str]:
    """Every `$ref` in `doc` resolves to a node of it; an operation's messages are its channel's."""
    problems = []

    def resolve(ref: str):
        if not ref.startswith("#/"):
            return None
        node = doc
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def walk(node, where):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str) and resolve(node["$ref"]) is None:
                problems.append(f"{where}: $ref {node['$ref']} resolves to nothing")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(doc, "#")
    for name, op in doc.get("operations", {}).items():
        channel = op.get("channel", {}).get("$ref", "")
        for message in op.get("messages", []):
            if not message["$ref"].startswith(channel + "/messages/"):
                problems.append(f"operations/{name}: message {message['$ref']} is not of its channel {channel}")
    return problems


# -- goldens and the command -------------------------------------------------------------------

def test_demo_catalog_matches_goldens(demo, request):
    if request.config.getoption("--update-goldens"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, text in demo.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text)
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_text() for p in sorted(GOLDEN.rglob("*")) if p.is_file()}
    assert sorted(demo) == sorted(golden) == sorted(f"{s}/{f}" for s in SERVICES
                                                    for f in ("asyncapi.yaml", "catalog-info.yaml"))
    for rel in demo:
        assert demo[rel] == golden[rel], f"{rel} differs from its golden; review and regenerate"


def test_catalog_command_writes_files_then_reports_them_identical(tmp_path, capsys):
    out = tmp_path / "cat"
    assert main(["catalog", "--out", str(out), str(SPECS)]) == 0
    first = capsys.readouterr().out
    assert first.count("created ") == 10 and "catalog of 5 services" in first
    assert (out / "ledger" / "asyncapi.yaml").is_file() and (out / "ledger" / "catalog-info.yaml").is_file()
    texts = {p: p.read_bytes() for p in out.rglob("*.yaml")}
    assert main(["catalog", "--out", str(out), str(SPECS)]) == 0
    second = capsys.readouterr().out
    assert second.count("identical ") == 10 and "created" not in second and "updated" not in second
    assert {p: p.read_bytes() for p in out.rglob("*.yaml")} == texts


def test_catalog_is_deterministic_whatever_the_order_of_views(demo_workspace):
    from generator.fleet.model import describe_fleet
    from generator.stages import resolve_stage

    views = describe_fleet(demo_workspace.services, demo_workspace.platform,
                           resolve_stage("dev", demo_workspace.platform))
    assert catalog_files(views, demo_workspace.platform) == catalog_files(list(reversed(views)),
                                                                          demo_workspace.platform)


# -- AsyncAPI ----------------------------------------------------------------------------------

@pytest.mark.parametrize("service", SERVICES)
def test_every_asyncapi_document_is_valid_asyncapi_300(service, demo, validator):
    (doc,) = yaml_docs(demo[f"{service}/asyncapi.yaml"])
    assert doc["asyncapi"] == "3.0.0"
    assert schema_errors(validator, doc) == []
    assert reference_errors(doc) == []
    for message in doc.get("components", {}).get("messages", {}).values():
        Draft7Validator.check_schema(message["payload"])  # a draft-07 schema, not only AsyncAPI's superset


def test_the_schema_validation_can_fail(demo, validator):
    (doc,) = yaml_docs(demo["ledger/asyncapi.yaml"])
    old = dict(doc, asyncapi="2.6.0")
    assert any("'3.0.0' was expected" in e for e in schema_errors(validator, old))

    no_channel = copy.deepcopy(doc)
    del no_channel["operations"]["send.ledger.BalanceSettled"]["channel"]
    assert schema_errors(validator, no_channel)

    bad_action = copy.deepcopy(doc)
    bad_action["operations"]["send.ledger.BalanceSettled"]["action"] = "publish"  # AsyncAPI 2's word
    assert schema_errors(validator, bad_action)

    stray = copy.deepcopy(doc)
    stray["channels"]["ledger.BalanceSettled"]["bus"] = "milestones"  # not an x- extension
    assert schema_errors(validator, stray)

    # a dangling $ref is a valid URI reference: the schema accepts it, the reference check does not
    dangling = copy.deepcopy(doc)
    del dangling["channels"]["ledger.BalanceSettled"]
    assert schema_errors(validator, dangling) == []
    assert any("#/channels/ledger.BalanceSettled" in e for e in reference_errors(dangling))


def test_ledger_sends_receives_and_fans_out(demo):
    (doc,) = yaml_docs(demo["ledger/asyncapi.yaml"])
    assert doc["info"]["title"] == "ledger events" and doc["info"]["version"] == "1.0.0"
    assert doc["info"]["contact"] == {"name": "team-core-banking", "email": "ledger-oncall@example.com"}
    assert doc["info"]["x-owner"] == "team-core-banking"
    assert doc["x-eventbridge"] == {"bus": "milestones", "region": "eu-west-1", "source": "acme.ledger"}
    assert "servers" not in doc  # AsyncAPI has no EventBridge binding
    ops = doc["operations"]
    assert {k: v["action"] for k, v in ops.items()} == {
        "send.ledger.BalanceSettled": "send", "send.ledger.TransactionPosted": "send",
        "send.ledger.store.TransactionPosted": "send", "send.ledger.store.TransactionRequested": "send",
        "receive.accounts.AccountOpened.post-transaction": "receive",
        "receive.accounts.AccountClosed.settle-balance": "receive",
        "receive.payments.PaymentSettled.post-transaction": "receive",
        "receive.ledger.store.TransactionRequested.post-transaction": "receive",
        "receive.ledger.store.TransactionPosted.project-balance": "receive"}
    assert ops["send.ledger.TransactionPosted"]["description"] == "Published by function post-transaction."
    store = doc["channels"]["ledger.store.TransactionPosted"]
    assert store["address"] == "TransactionPosted"
    assert store["x-envelope"] == {"source": "acme.ledger.store", "detail-type": "TransactionPosted"}
    stored = doc["components"]["messages"]["ledger.store.TransactionPosted"]["payload"]
    assert stored["required"][:2] == ["aggregate_id", "revision"]
    plain = doc["components"]["messages"]["ledger.TransactionPosted"]["payload"]
    assert "aggregate_id" not in plain["properties"]
    assert plain["properties"]["counterparty_iban"] == {"type": ["string", "null"], "x-sensitive": True}
    assert "counterparty_iban" not in plain["required"]
    assert plain["properties"]["posted_at"] == {"type": "string", "format": "date-time"}
    assert plain["properties"]["schema_version"]["const"] == 1 and "schema_version" in plain["required"]
    # a received event's payload is its publisher's contract
    opened = doc["components"]["messages"]["accounts.AccountOpened"]
    assert opened["x-publisher"] == "accounts"
    assert opened["payload"]["properties"]["iban"] == {"type": "string", "x-sensitive": True}


def test_a_subscriber_filter_is_on_its_operation(demo):
    (doc,) = yaml_docs(demo["notifications/asyncapi.yaml"])
    op = doc["operations"]["receive.ledger.store.TransactionPosted.notify-customer"]
    assert op["x-filter"] == {"amount": [{"numeric": [">=", 10000]}]}
    assert op["channel"] == {"$ref": "#/channels/ledger.store.TransactionPosted"}
    assert all(o["action"] == "receive" for o in doc["operations"].values())  # it publishes nothing
    assert doc["info"]["version"] == "1.0.0"


def test_a_workflow_receives_too(demo):
    (doc,) = yaml_docs(demo["accounts/asyncapi.yaml"])
    op = doc["operations"]["receive.onboarding.ApplicationSubmitted.onboard-customer"]
    assert op["summary"] == "onboard-customer (workflow) receives ApplicationSubmitted from onboarding"
    submitted = doc["components"]["messages"]["onboarding.ApplicationSubmitted"]["payload"]
    assert submitted["properties"]["date_of_birth"] == {"type": "string", "format": "date", "x-sensitive": True}


def test_a_publisher_outside_the_fleet_leaves_a_channel_without_payload(demo_workspace, validator):
    from generator.fleet.model import describe_fleet
    from generator.stages import resolve_stage

    views = describe_fleet(demo_workspace.services, demo_workspace.platform,
                           resolve_stage("dev", demo_workspace.platform))
    without_accounts = [v for v in views if v.service != "accounts"]
    files = catalog_files(without_accounts, demo_workspace.platform)
    assert "accounts/asyncapi.yaml" not in files
    (doc,) = yaml_docs(files["ledger/asyncapi.yaml"])
    channel = doc["channels"]["accounts.AccountOpened"]
    assert "messages" not in channel
    assert "accounts is not in this fleet" in channel["description"]
    op = doc["operations"]["receive.accounts.AccountOpened.post-transaction"]
    assert "messages" not in op and op["channel"] == {"$ref": "#/channels/accounts.AccountOpened"}
    assert "accounts.AccountOpened" not in doc["components"]["messages"]
    assert schema_errors(validator, doc) == [] and reference_errors(doc) == []
    (component, _) = yaml_docs(files["ledger/catalog-info.yaml"])
    assert component["spec"]["consumesApis"] == ["accounts-events", "payments-events"]


def test_every_contract_type_as_json_schema(tmp_path, capsys, validator):
    (tmp_path / "platform.yaml").write_text((SPECS / "platform.yaml").read_text())
    (tmp_path / "legacy.yaml").write_text(LEGACY)
    assert main(["catalog", "--out", str(tmp_path / "out"), str(tmp_path)]) == 0
    (doc,) = yaml_docs((tmp_path / "out" / "legacy" / "asyncapi.yaml").read_text())
    assert schema_errors(validator, doc) == [] and reference_errors(doc) == []
    assert doc["info"]["version"] == "2.0.0"  # the highest contract version, as a semver major
    assert doc["info"]["x-system"] == "core-banking"
    payload = doc["components"]["messages"]["legacy.ThingHappened"]["payload"]
    props = payload["properties"]
    assert props["price"] == {"type": "string", "pattern": DECIMAL_PATTERN}
    assert props["labels"] == {"type": ["array", "null"], "items": {"type": "string", "format": "date"}}
    assert props["meta"] == {"type": ["object", "null"]}
    assert props["ok"] == {"type": "boolean"}
    assert props["ratio"] == {"type": "number", "x-sensitive": True}
    assert props["on_day"] == {"type": "string", "format": "date"}
    assert props["at"] == {"type": "string", "format": "date-time", "description": "when it happened"}
    assert props["schema_version"]["const"] == 2
    assert payload["required"] == ["thing_id", "price", "ok", "ratio", "on_day", "at", "schema_version"]

    check = Draft7Validator(payload, format_checker=FormatChecker())
    good = {"thing_id": "t-1", "price": "12.34", "labels": None, "ok": True, "ratio": 0.5, "on_day": "2026-01-31",
            "at": "2026-01-31T10:00:00Z", "schema_version": 2, "unknown": "ignored by consumers"}
    assert list(check.iter_errors(good)) == []
    for change in ({"price": 12.34}, {"price": "12,34"}, {"schema_version": 1}, {"ok": "yes"},
                   {"labels": ["2026-13-45"]}, {"on_day": "yesterday"}):
        assert list(check.iter_errors({**good, **change})), change
    assert list(check.iter_errors({k: v for k, v in good.items() if k != "thing_id"}))

    (component, api) = yaml_docs((tmp_path / "out" / "legacy" / "catalog-info.yaml").read_text())
    assert component["spec"]["system"] == "core-banking" and "consumesApis" not in component["spec"]
    assert component["metadata"]["tags"] == ["cost-center:cc-42", "svcgen"]


def test_payload_schema_of_a_stored_event():
    schema = payload_schema({"version": 3, "fields": {"n": {"type": "integer", "required": True}}}, stored=True)
    assert schema["required"] == ["aggregate_id", "revision", "n", "schema_version"]
    assert list(schema["properties"]) == ["aggregate_id", "revision", "n", "schema_version"]
    assert schema["properties"]["schema_version"]["const"] == 3


# -- Backstage ---------------------------------------------------------------------------------

@pytest.mark.parametrize("service", SERVICES)
def test_backstage_descriptors_have_backstage_shape(service, demo):
    text = demo[f"{service}/catalog-info.yaml"]
    assert "\n---\n" in text
    component, api = yaml_docs(text)
    for entity in (component, api):
        assert entity["apiVersion"] == "backstage.io/v1alpha1"
        meta = entity["metadata"]
        assert NAME.match(meta["name"]) and len(meta["name"]) <= 63
        assert meta["tags"] and all(TAG.match(t) and len(t) <= 63 for t in meta["tags"])
        assert len(set(meta["tags"])) == len(meta["tags"])
        assert all(ANNOTATION_KEY.match(k) and isinstance(v, str) for k, v in meta["annotations"].items())
        assert meta["annotations"]["svcgen/spec-file"] == f"specs/{service}.yaml"
        assert isinstance(meta["description"], str) and meta["description"]
        spec = entity["spec"]
        assert spec["lifecycle"] == "production" and spec["owner"] and spec["system"] == "acme"
    assert component["kind"] == "Component" and component["metadata"]["name"] == service
    assert component["spec"]["type"] == "service"
    assert component["spec"]["providesApis"] == [f"{service}-events"]
    assert api["kind"] == "API" and api["metadata"]["name"] == f"{service}-events"
    assert api["spec"]["type"] == "asyncapi" and api["spec"]["definition"] == {"$text": "./asyncapi.yaml"}
    consumed = component["spec"].get("consumesApis", [])
    assert consumed == sorted(set(consumed)) and f"{service}-events" not in consumed
    assert all(NAME.match(name) for name in consumed)


def test_consumed_apis_are_the_publishers_subscribed_to(demo):
    consumed = {s: yaml_docs(demo[f"{s}/catalog-info.yaml"])[0]["spec"].get("consumesApis") for s in SERVICES}
    assert consumed == {
        "accounts": ["ledger-events", "onboarding-events"],
        "ledger": ["accounts-events", "payments-events"],  # its own store events are not a consumed API
        "notifications": ["accounts-events", "ledger-events", "onboarding-events", "payments-events"],
        "onboarding": ["accounts-events"],
        "payments": ["ledger-events"],
    }
    provided = {f"{s}-events" for s in SERVICES}
    assert set().union(*consumed.values()) <= provided


def test_tags_are_made_valid():
    from generator.fleet.backstage import tag

    assert tag("cost-center:CC_42") == "cost-center:cc-42"
    assert tag("data-classification:confidential") == "data-classification:confidential"
    assert tag("Team Name:Ünïcode  stuff!") == "team-name:-n-code-stuff"
    assert tag("a-_-b") == "a-b" and TAG.match(tag("Team Name:Ünïcode  stuff!"))
    assert len(tag("x" * 100)) == 63 and tag("---") == ""
