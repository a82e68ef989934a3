"""The platform team's rules (SVC4xxx, check/platform_rules.py): each fails and passes on small
fleets, at its configured severity, and `off` silences it."""

from __future__ import annotations

import datetime
import textwrap

import pytest

from generator.check.platform_rules import CheckContext, PlatformRule
from generator.rules import registry
from generator.spec.load import load_text
from generator.spec.model import ServiceSpec
from generator.spec.validate import validate_document
from generator.stages import resolve_stage
from tests.rules.harness import ACCOUNTS, fleet_of

PLATFORM = "org: acme\n"
TODAY = datetime.date(2026, 11, 30)
SUBSCRIBER = """
service: ledger
owner: team
description: d
alerts: {email: [oncall@example.com]}
functions:
  post:
    subscribe: [{event: AccountOpened, from: accounts}]
"""


def run(rule_id: str, *texts: str, platform: str = PLATFORM, today: datetime.date = TODAY,
        baseline: dict | None = None):
    rule = registry.rule(rule_id)
    assert isinstance(rule, PlatformRule), rule_id
    fleet = fleet_of(*texts, platform=platform)
    ctx = CheckContext(fleet, fleet.services, resolve_stage("dev", fleet.platform), today, baseline or {})
    found = rule.run(ctx)
    assert all(e.rule == rule_id for e in found)
    return sorted(found)


def fails(rule_id: str, *texts: str, **kwargs):
    found = run(rule_id, *texts, **kwargs)
    assert found, f"{rule_id} found nothing"
    return found


def passes(rule_id: str, *texts: str, **kwargs) -> None:
    found = run(rule_id, *texts, **kwargs)
    assert found == [], [e.render() for e in found]


def spec(name: str = "ledger", functions: str = "  post: {}\n", extra: str = "") -> str:
    return f"service: {name}\nowner: team\ndescription: d\n{extra}functions:\n{functions}"


def baseline_of(text: str) -> dict:
    parsed = validate_document(load_text(textwrap.dedent(text), "base.yaml"), ServiceSpec)
    return {parsed.service: parsed}


# --- SVC4001 naming -------------------------------------------------------------------------------

NAMING = "org: acme\nrules:\n  naming: {service: '^[a-z]+$', function: '^[a-z]+(-[a-z]+)*$'}\n"


def test_svc4001_names_match_the_patterns():
    passes("SVC4001", spec(functions="  post-entry: {}\n"), platform=NAMING)
    found = fails("SVC4001", spec("ledger-2", functions="  post2: {}\n"), platform=NAMING)
    assert [(e.path, e.line) for e in found] == [("service", 1), ("functions.post2", 5)]
    assert "service names must match '^[a-z]+$', got 'ledger-2'" in found[0].message


def test_svc4001_checks_nothing_unless_configured():
    passes("SVC4001", spec("ledger-2", functions="  post2: {}\n"))


def test_a_bad_pattern_is_an_error_of_platform_yaml():
    from generator.errors import SpecErrors
    from generator.spec.platform import PlatformSpec

    with pytest.raises(SpecErrors, match=r"rules.naming.service: must be a regular expression"):
        validate_document(load_text("org: acme\nrules: {naming: {service: '[a-'}}\n", "platform.yaml"), PlatformSpec)


# --- SVC4002 runtime sunset ----------------------------------------------------------------------

SUNSET = ("org: acme\nruntimes:\n  allowed: [python3.12]\n  deprecated: [python3.11]\n"
          "  sunset: {python3.11: 2026-10-31}\n")


def test_svc4002_a_runtime_past_its_sunset_is_an_error():
    found = fails("SVC4002", spec(extra="runtime: python3.11\n"), platform=SUNSET)
    assert found[0].severity == "error" and found[0].path == "runtime"
    assert "past its sunset (2026-10-31), got 'python3.11' on 2026-11-30" in found[0].message


def test_svc4002_before_and_on_the_sunset_day_it_passes():
    passes("SVC4002", spec(extra="runtime: python3.11\n"), platform=SUNSET, today=datetime.date(2026, 10, 31))
    passes("SVC4002", spec(extra="runtime: python3.12\n"), platform=SUNSET)


def test_a_sunset_names_a_deprecated_runtime():
    from generator.errors import SpecErrors
    from generator.spec.platform import PlatformSpec

    with pytest.raises(SpecErrors, match="runtimes.sunset: must name a runtime of runtimes.deprecated"):
        validate_document(load_text("org: acme\nruntimes: {sunset: {python3.12: 2026-01-01}}\n", "p.yaml"),
                          PlatformSpec)


# --- SVC4003 tags and owners --------------------------------------------------------------------

TAGS = "org: acme\nrules:\n  tags: {required: [cost-center], owners: [team, team-ledger]}\n"


def test_svc4003_required_tags_and_known_owners():
    passes("SVC4003", spec(extra="tags: {cost-center: cc-1}\n"), platform=TAGS)
    found = fails("SVC4003", spec().replace("owner: team", "owner: nobody"), platform=TAGS)
    by_path = {e.path: e for e in found}
    assert sorted(by_path) == ["owner", "tags"]
    assert "got no cost-center" in by_path["tags"].message


# --- SVC4004 limits ------------------------------------------------------------------------------

LIMITS = "org: acme\ndefaults: {function: {timeout: 60}}\nrules:\n  limits: {max_timeout: 30, max_memory: 1024}\n"


def test_svc4004_limits_count_the_defaults():
    found = fails("SVC4004", spec(functions="  post: {memory: 2048}\n  get: {timeout: 5}\n"), platform=LIMITS)
    assert sorted((e.path, e.message) for e in found) == [
        ("functions.post.memory", "memory must be ≤ 1024 MB, got 2048"),
        ("functions.post.timeout", "timeout must be ≤ 30 s, got 60")]
    passes("SVC4004", spec(functions="  post: {timeout: 30, memory: 1024}\n"), platform=LIMITS)


# --- SVC4005 / SVC4006 concurrency ---------------------------------------------------------------

BUDGET = "org: acme\nrules:\n  concurrency: {per_service: 300, fleet_budget: 400}\n"


def test_svc4005_one_service_reserves_at_most_per_service():
    found = fails("SVC4005", spec(functions="  aa: {reserved_concurrency: 200}\n  bb: {reserved_concurrency: 150}\n"),
                  platform=BUDGET)
    assert "must be ≤ 300, got 350 (aa=200, bb=150)" in found[0].message
    passes("SVC4005", spec(functions="  aa: {reserved_concurrency: 300}\n"), platform=BUDGET)


def test_svc4006_the_fleet_budget_fails_where_each_service_alone_passes():
    one = spec("ledger", functions="  aa: {reserved_concurrency: 250}\n")
    two = spec("payments", functions="  bb: {reserved_concurrency: 250}\n")
    passes("SVC4006", one, platform=BUDGET)
    passes("SVC4006", two, platform=BUDGET)
    found = fails("SVC4006", one, two, platform=BUDGET)
    assert [e.file for e in found] == ["ledger.yaml", "payments.yaml"]
    assert "must be ≤ 400, got 500 (ledger.aa=250, payments.bb=250)" in found[0].message


# --- SVC4007 alarm recipients --------------------------------------------------------------------

def test_svc4007_a_subscriber_names_who_hears_of_its_dlq():
    passes("SVC4007", ACCOUNTS, SUBSCRIBER)
    found = fails("SVC4007", ACCOUNTS, SUBSCRIBER.replace("alerts: {email: [oncall@example.com]}\n", ""))
    assert found[0].path == "alerts" and "post subscribes to AccountOpened" in found[0].message


# --- SVC4008 FIFO reason ------------------------------------------------------------------------

FIFO = SUBSCRIBER + "    queue: {fifo: true}\n"


def test_svc4008_a_fifo_queue_states_its_reason():
    found = fails("SVC4008", ACCOUNTS, FIFO)
    assert found[0].path == "functions.post.queue.fifo"
    passes("SVC4008", ACCOUNTS, FIFO.replace("fifo: true", "fifo: true, fifo_reason: postings in order"))


# --- SVC4009 unconsumed events ------------------------------------------------------------------

def test_svc4009_a_published_event_nobody_consumes_is_a_warning():
    found = fails("SVC4009", ACCOUNTS)
    assert found[0].severity == "warning" and found[0].path == "publishes[0]"
    passes("SVC4009", ACCOUNTS, SUBSCRIBER)


def test_svc4009_severity_is_configurable_and_off_silences_it():
    found = fails("SVC4009", ACCOUNTS, platform="org: acme\nrules: {unconsumed_events: {severity: error}}\n")
    assert found[0].severity == "error"
    passes("SVC4009", ACCOUNTS, platform="org: acme\nrules: {unconsumed_events: {severity: 'off'}}\n")


def test_svc4009_a_fanned_out_store_event_nobody_consumes():
    store = spec("books", extra="event_store: {events: [Posted], fan_out: true}\n"
                                "events: {Posted: {fields: {id: {type: string}}}}\n")
    found = fails("SVC4009", store)
    assert found[0].path == "event_store.events[0]"


# --- SVC4010 contract versions ------------------------------------------------------------------

RETYPED = ACCOUNTS.replace("account_id: {type: string}", "account_id: {type: integer}")


def test_svc4010_a_retyped_field_with_subscribers_needs_a_new_version():
    found = fails("SVC4010", RETYPED, SUBSCRIBER, baseline=baseline_of(ACCOUNTS))
    assert found[0].path == "events.AccountOpened.fields.account_id.type"
    assert "field 'account_id' retyped from string to integer at version 1" in found[0].message
    assert "subscribers: ledger" in found[0].hint


def test_svc4010_removed_and_made_optional_fields_break_readers_added_ones_do_not():
    two = ACCOUNTS.replace("{account_id: {type: string}}", "{account_id: {type: string}, iban: {type: string}}")
    removed = fails("SVC4010", ACCOUNTS, SUBSCRIBER, baseline=baseline_of(two))
    assert "field 'iban' removed" in removed[0].message
    optional = ACCOUNTS.replace("{type: string}", "{type: string, required: false}")
    assert "made optional" in fails("SVC4010", optional, SUBSCRIBER, baseline=baseline_of(ACCOUNTS))[0].message
    passes("SVC4010", two, SUBSCRIBER, baseline=baseline_of(ACCOUNTS))


def test_svc4010_passes_with_a_new_version_or_without_subscribers():
    bumped = RETYPED.replace("AccountOpened: {fields", "AccountOpened: {version: 2, fields")
    passes("SVC4010", bumped, SUBSCRIBER, baseline=baseline_of(ACCOUNTS))
    passes("SVC4010", RETYPED, baseline=baseline_of(ACCOUNTS))
    passes("SVC4010", RETYPED, SUBSCRIBER)  # no baseline: nothing to compare with
