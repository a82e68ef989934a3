"""Build resolved services and rendered templates from inline YAML, for component tests."""

from __future__ import annotations

import textwrap

from generator.render import render_service
from generator.resolve import resolve_service
from generator.spec.load import load_text
from generator.spec.model import ServiceSpec
from generator.spec.platform import PlatformSpec
from generator.spec.validate import validate_document
from generator.stages import resolve_stage

PLATFORM = PlatformSpec.model_validate({"org": "acme"})


def spec(text: str) -> ServiceSpec:
    return validate_document(load_text(textwrap.dedent(text), "spec.yaml"), ServiceSpec)


def resolved(text: str, stage: str = "dev"):
    return resolve_service(spec(text), PLATFORM, resolve_stage(stage, PLATFORM))


def rendered(text: str, stage: str = "dev") -> dict:
    """The template as a dict, with troposphere objects turned into plain data."""
    return render_service(resolved(text, stage)).template.to_dict()


def of_type(template: dict, kind: str) -> dict:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


SUBSCRIBER = """
service: ledger
owner: team-core
description: test
publishes: [TransactionPosted]
functions:
  post:
    timeout: 20
    reserved_concurrency: 10
    subscribe:
      - {event: AccountOpened, from: accounts}
      - {event: PaymentSettled, from: payments, filter: {currency: [GBP]}}
    queue: {batching_window: 5, max_concurrency: 4}
  report: {}
alerts: {email: [oncall@example.com]}
"""
