"""Service and fleet-budget rules (SVC1901, SVC1902, SVC2901, SVC2902) and idempotency (SVC1601)."""

from __future__ import annotations

from tests.rules.harness import fails, passes, where

PLATFORM = "org: acme\nruntimes: {default: python3.12, allowed: [python3.12], deprecated: [python3.11]}\n"


def service(name: str = "ledger", extra: str = "", fn: str = "{}") -> str:
    return f"service: {name}\nowner: team\ndescription: d\n{extra}functions:\n  post: {fn}\n"


def test_svc1901_runtime_is_the_platforms():
    (error,) = fails("SVC1901", service(extra="runtime: python3.9\n"), platform=PLATFORM)
    assert error.path == "runtime" and error.hint == "allowed: python3.12; deprecated but accepted: python3.11"
    passes("SVC1901", service(extra="runtime: python3.11\n"), platform=PLATFORM)
    passes("SVC1901", service(), platform=PLATFORM)


def test_svc1902_deprecated_runtime_is_a_warning():
    (warning,) = fails("SVC1902", service(extra="runtime: python3.11\n"), platform=PLATFORM)
    assert warning.severity == "warning" and warning.hint == "move to one of: python3.12"
    passes("SVC1902", service(extra="runtime: python3.12\n"), platform=PLATFORM)


def test_svc1902_names_the_sunset_when_the_platform_set_one():
    sunset = PLATFORM.replace("deprecated: [python3.11]}", "deprecated: [python3.11], sunset: {python3.11: 2026-10-31}}")
    (warning,) = fails("SVC1902", service(extra="runtime: python3.11\n"), platform=sunset)
    assert warning.message == ("runtime 'python3.11' is deprecated by the platform (its sunset: 2026-10-31; from the "
                               "day after, `svcgen check` fails)")


def test_svc2901_service_names_unique():
    first, second = service(), service(fn="{timeout: 3}")
    (error,) = fails("SVC2901", first, second)
    assert error.message == "service names must be unique in a build, got 'ledger', already defined in ledger.yaml"
    passes("SVC2901", service("ledger"), service("cards"))


def test_svc2902_reserved_concurrency_fits_the_account():
    platform = "org: acme\nlambda: {account_concurrency_limit: 200}\n"
    heavy = [service(name, fn="{reserved_concurrency: 60}") for name in ("ledger", "cards")]
    (error,) = fails("SVC2902", *heavy, platform=platform)
    assert where([error]) == [("platform.yaml", 2, "lambda.account_concurrency_limit")]
    assert "must be ≤ 100 (this limit − 100 that AWS keeps unreserved), got 120" in error.message
    passes("SVC2902", service("ledger", fn="{reserved_concurrency: 50}"),
           service("cards", fn="{reserved_concurrency: 50}"), platform=platform)


PUBLISHER = """
service: accounts
owner: team
description: d
publishes: [AccountOpened]
events:
  AccountOpened:
    fields: {account_id: {type: string}, note: {type: string, required: false}}
functions: {open: {}}
"""


def test_svc1601_idempotency_key_is_a_required_field_of_every_consumed_event():
    def consumer(key: str, subscribe: bool = True) -> str:
        sub = "    subscribe: [{event: AccountOpened, from: accounts}]\n" if subscribe else ""
        return f"service: ledger\nowner: team\ndescription: d\nfunctions:\n  post:\n{sub}    idempotency: {{key: {key}}}\n"

    (optional,) = fails("SVC1601", consumer("note"), PUBLISHER)
    assert (optional.path, optional.message) == (
        "functions.post.idempotency.key",
        "must be a required field of every consumed event, got 'note' which AccountOpened of accounts does not require")
    (not_consumer,) = fails("SVC1601", consumer("account_id", subscribe=False), PUBLISHER)
    assert "idempotency is for queue consumers" in not_consumer.message
    passes("SVC1601", consumer("account_id"), PUBLISHER)
