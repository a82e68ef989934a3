"""The per-service cache (generator/service_cache.py) is safe: a service's products come from it
only while nothing they depend on changed, and what comes from it is byte for byte what the
pipeline makes without it, findings included.

The fleet here is four small services: `orders` publishes, `billing` subscribes to it, `audit`
subscribes to `billing` (and so only indirectly to what `orders` publishes), `lonely` refers to
nobody.
"""

from __future__ import annotations

import os
import pickle
import shutil
import time
from pathlib import Path

import pytest

from generator import build_cache, pipeline, version
from generator.errors import SpecErrors
from generator.service_cache import ServiceCache, dependencies
from generator.workspace import read_workspace

PLATFORM = """\
org: acme
region: eu-west-1
runtimes: {default: python3.12, allowed: [python3.12]}
stages: {persistent: [dev, prod], ephemeral_parent: dev}
"""
ORDERS = """\
service: orders
owner: team-a
description: Takes orders.
publishes: [OrderPlaced]
events:
  OrderPlaced:
    fields: {order_id: {type: string}}
functions:
  place: {description: Places an order.}
"""
BILLING = """\
service: billing
owner: team-b
description: Bills orders.
publishes: [OrderBilled]
events:
  OrderBilled:
    fields: {order_id: {type: string}}
functions:
  bill:
    subscribe: [{event: OrderPlaced, from: orders}]
"""
AUDIT = """\
service: audit
owner: team-c
description: Audits bills.
functions:
  record:
    subscribe: [{event: OrderBilled, from: billing}]
"""
LONELY = """\
service: lonely
owner: team-d
description: Refers to nobody.
functions:
  tick: {}
"""
SERVICES = {"orders", "billing", "audit", "lonely"}


def write_fleet(specs: Path) -> Path:
    specs.mkdir()
    for name, text in {"platform": PLATFORM, "orders": ORDERS, "billing": BILLING, "audit": AUDIT,
                       "lonely": LONELY}.items():
        (specs / f"{name}.yaml").write_text(text)
    return specs


@pytest.fixture
def fleet(tmp_path, monkeypatch) -> Path:
    """The fleet's specs, as `specs/` of the current directory: every path a build sees (and every
    cache key) is the same in each test's directory, so each can start from `warm_cache`."""
    monkeypatch.chdir(tmp_path)
    return write_fleet(Path("specs"))


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory) -> Path:
    """The cache the check of the fleet leaves, made once for the module."""
    root = tmp_path_factory.mktemp("warm")
    cwd = os.getcwd()
    os.chdir(root)
    try:
        checked(write_fleet(Path("specs")), Path("out"))
    finally:
        os.chdir(cwd)
    return root / "out"


@pytest.fixture
def out(fleet, warm_cache) -> Path:
    """A copy of `warm_cache`: a check of the unchanged fleet makes nothing."""
    shutil.copytree(warm_cache, "out")
    return Path("out")


def checked(specs: Path, out: Path | None, stage: str = "dev"):
    """(the check phase's result, the cache it used: None without `out`)."""
    cache = ServiceCache(out) if out is not None else None
    ws = read_workspace([specs], cache=cache)
    result = pipeline.check(ws, stage)
    if cache is not None:
        cache.flush()  # what a build that succeeded does
    return result, cache


def rendered(cache: ServiceCache) -> set[str]:
    return {service for product, service in cache.made if product == "template" and service != "platform"}


def products(result) -> list:
    """Everything the check phase hands on: each template's text (the bytes written) and what the
    rules and later phases read of it, the code files, the warnings."""
    artifacts = [(a.stack, a.relpath, a.text.encode(), a.doc, a.origins, a.template, a.collisions, a.svc)
                 for a in result.artifacts]
    return [artifacts, [(f.path, f.body.encode(), f.owner, f.comment) for f in result.code], result.warnings]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_service_depends_on_the_services_it_refers_to(fleet):
    ws = read_workspace([fleet])
    by_name = {s.spec.service: s for s in ws.services}
    assert [d.spec.service for d in dependencies(by_name["audit"], ws.services)] == ["billing"]
    assert [d.spec.service for d in dependencies(by_name["billing"], ws.services)] == ["orders"]
    assert dependencies(by_name["lonely"], ws.services) == []


@pytest.mark.parametrize("change, remade", [
    # the service's own spec: it alone (nobody refers to lonely)
    (lambda specs, mp: edit(specs / "lonely.yaml", "Refers to nobody.", "Still alone."), {"lonely"}),
    # a spec others refer to: it, and exactly the services that refer to it (not audit, which refers to
    # billing): here a contract billing's generated models are made from
    (lambda specs, mp: edit(specs / "orders.yaml", "{order_id: {type: string}}",
                            "{order_id: {type: string}, total: {type: integer}}"), {"orders", "billing"}),
    (lambda specs, mp: edit(specs / "billing.yaml", "Bills orders.", "Bills."), {"billing", "audit"}),
    # what every service depends on
    (lambda specs, mp: edit(specs / "platform.yaml", "org: acme", "org: acne"), SERVICES),
    (lambda specs, mp: mp.setattr(build_cache, "svcgen_digest", lambda: "another svcgen"), SERVICES),
    (lambda specs, mp: mp.setattr(version, "svcgen_version", lambda: "99.0"), SERVICES),  # manifests quote it
    (lambda specs, mp: mp.setattr(build_cache, "SHAPING_DISTRIBUTIONS", ("troposphere", "pip")), SERVICES),
    (lambda specs, mp: mp.setattr(build_cache.sys, "version", "3.99 (another Python)"), SERVICES),
], ids=["own-spec", "referenced-spec", "referenced-spec-2", "platform", "svcgen", "version", "libraries", "python"])
def test_a_change_remakes_exactly_the_services_that_depend_on_it(fleet, out, monkeypatch, change, remade):
    change(fleet, monkeypatch)
    after, cache = checked(fleet, out)
    assert rendered(cache) == remade
    assert {s for p, s in cache.made if p == "code"} == remade
    assert {s for _, s in cache.made} - {"platform"} == remade  # every other product too
    assert products(after) == products(checked(fleet, None)[0])  # what comes from the cache is what is made


def test_another_stage_is_rendered_anew_and_each_stage_kept_apart(fleet, out):
    prod, cache = checked(fleet, out, "prod")
    assert rendered(cache) == SERVICES
    ephemeral, cache = checked(fleet, out, "pr-7")
    assert rendered(cache) == SERVICES and products(ephemeral) == products(checked(fleet, None, "pr-7")[0])
    assert checked(fleet, out, "prod")[1].made == [] and checked(fleet, out, "dev")[1].made == []


def test_a_build_with_the_cache_writes_byte_for_byte_what_one_without_it_writes(fleet, tmp_path):
    out = tmp_path / "out"
    pipeline.build(read_workspace([fleet], cache=ServiceCache(out)), "dev", out, lint=False)
    edit(fleet / "orders.yaml", "Places an order.", "Places one.")
    cached = ServiceCache(out)
    pipeline.build(read_workspace([fleet], cache=cached), "dev", out, lint=False)
    assert rendered(cached) == {"orders", "billing"}
    fresh = tmp_path / "fresh"
    pipeline.build(read_workspace([fleet]), "dev", fresh, lint=False)
    written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file() and ".svcgen-cache" not in p.parts)
    assert written == sorted(p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file())
    assert len(written) == 9 and all((out / p).read_bytes() == (fresh / p).read_bytes() for p in written)


def test_an_unreadable_or_corrupt_entry_is_a_miss(fleet, out):
    first, cache = checked(fleet, out)
    assert cache.made == [] and products(first) == products(checked(fleet, None)[0])
    entries = [p for p in (out / ".svcgen-cache").rglob("*.pickle")]
    assert entries
    for index, path in enumerate(entries):
        path.write_bytes([b"", b"garbage", pickle.dumps(("another key", 1))][index % 3])
    again, cache = checked(fleet, out)
    assert rendered(cache) == SERVICES and products(again) == products(first)


def test_the_cache_reports_exactly_the_findings_made_without_it(fleet, tmp_path):
    """Spec, fleet and template rules alike, from a cold and a warm cache: SVC2910 (a fleet rule
    that renders every service) compares names kept in the cache."""
    # `lonely` + function `clash-tick` and service `lonely-clash` + function `tick` spell one name
    edit(fleet / "lonely.yaml", "  tick: {}", "  tick: {}\n  clash-tick: {}")
    (fleet / "lonely-clash.yaml").write_text(LONELY.replace("service: lonely", "service: lonely-clash"))
    edit(fleet / "billing.yaml", "from: orders}", "from: orders}\n    timeout: 1000")  # a spec error
    out = tmp_path / "out"
    with pytest.raises(SpecErrors) as uncached:
        checked(fleet, None)
    errors = [e.render() for e in uncached.value.errors]
    assert any("[SVC2910]" in e for e in errors) and any("billing.yaml" in e for e in errors)
    for _ in range(2):  # cold, then warm
        cache = ServiceCache(out)
        with pytest.raises(SpecErrors) as cached:
            pipeline.check(read_workspace([fleet], cache=cache), "dev")
        cache.flush()
        assert [e.render() for e in cached.value.errors] == errors
    assert cache.made == []


def test_a_dry_run_reads_the_cache_and_writes_none(fleet, tmp_path):
    out = tmp_path / "out"
    cache = ServiceCache(out, keep=False)
    pipeline.build(read_workspace([fleet], cache=cache), "dev", out, lint=False, dry_run=True)
    assert not out.exists()


def test_a_handler_edited_since_the_last_build_is_reviewed_again(fleet, tmp_path):
    """What user_code.review found is kept by the handler's and test's bytes: a handler whose
    signature no longer fits its function warns at once, as without the cache."""
    out = tmp_path / "out"
    for _ in range(2):  # the second build reviews from the cache
        result = pipeline.build(read_workspace([fleet], cache=ServiceCache(out)), "dev", out, lint=False)
        assert result.warnings == []
    handler = fleet / "lonely" / "handlers" / "tick.py"
    edit(handler, "def handle(", "def handle(extra, ")
    warned = pipeline.build(read_workspace([fleet], cache=ServiceCache(out)), "dev", out, lint=False).warnings
    assert [w.file for w in warned] == [str(handler)]
    assert warned == pipeline.build(read_workspace([fleet]), "dev", out, lint=False).warnings


def test_entries_no_build_used_for_a_month_are_removed_once_a_day(fleet, out):
    root = out / ".svcgen-cache"
    used = next(root.rglob("*.pickle"))
    unused = root / "services" / "ab" / "ab-left-by-an-older-spec.pickle"
    unused.parent.mkdir(parents=True, exist_ok=True)
    unused.write_bytes(b"")
    month_ago, two_days_ago = time.time() - 31 * 86400, time.time() - 2 * 86400
    for path in (used, unused):
        os.utime(path, (month_ago, month_ago))
    os.utime(root / "services-pruned", (two_days_ago, two_days_ago))
    assert checked(fleet, out)[1].made == []
    assert used.exists() and not unused.exists()  # read by this build: used now
