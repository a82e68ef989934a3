"""Spec rules not covered by the bad-input corpus (warnings and name collisions)."""

from __future__ import annotations

import textwrap

from generator.spec.load import load_text
from generator.spec.model import ServiceSpec
from generator.spec.rules import check_spec
from generator.spec.validate import validate_document
from tests.unit.helpers import PLATFORM


def errors(text: str):
    doc = load_text(textwrap.dedent(text), "s.yaml")
    return [e.render() for e in check_spec(doc, validate_document(doc, ServiceSpec), PLATFORM)]


BASE = """
service: ledger
owner: team
description: d
functions:
  post:
    reserved_concurrency: 5
    subscribe: [{event: AccountOpened, from: accounts}]
"""


def test_reserved_concurrency_without_poller_cap_is_a_warning():
    assert errors(BASE) == [
        "s.yaml:7:5: functions.post.reserved_concurrency: warning: a queue consumer with reserved_concurrency "
        "should also cap its poller, got no queue.max_concurrency (add `queue: {max_concurrency: 5}`, "
        "at most reserved_concurrency)"]
    assert errors(BASE + "    queue: {max_concurrency: 5}\n") == []


def test_function_names_that_collide_as_logical_ids_are_rejected():
    text = BASE.replace("  post:", "  a-1b: {}\n  a1b: {}\n  post:")
    assert "s.yaml:7:3: functions.a1b: function names must differ in more than their dashes, got 'a1b' and " \
           "'a-1b', which both become resource names starting 'A1b' (rename one of them)" in errors(text)
