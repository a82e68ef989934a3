import re

import pytest

from generator.errors import UsageError
from generator.naming import LIMITS, Names, PlatformNames, fit, logical
from generator.spec.platform import STAGE
from generator.stages import stage_from_branch


def test_short_names_are_untouched():
    assert fit("acme-dev-ledger-post", "function") == "acme-dev-ledger-post"


def test_long_names_are_cut_to_the_limit_with_a_stable_hash():
    long = "acme-dev-" + "x" * 100
    cut = fit(long, "function")
    assert len(cut) == LIMITS["function"]
    assert cut == fit(long, "function")  # stable
    assert cut != fit(long + "y", "function")  # unique per full name


def test_fifo_suffix_counts_towards_the_queue_limit():
    name = Names("acme", "dev", "s" * 32).queue("f" * 40, fifo=True)
    assert name.endswith(".fifo") and len(name) == LIMITS["queue"]


def test_every_name_kind_stays_within_its_limit_for_the_longest_inputs():
    names = Names("abcdefghij", "a" * 20, "s" * 32)
    fn = "f" * 40
    assert len(names.function(fn)) <= 64
    assert len(names.role(fn)) <= 64
    assert len(names.queue(fn, False)) <= 80 and len(names.dlq(fn, True)) <= 80
    assert len(names.rule(fn, "p" * 32, "E" * 64)) <= 64
    assert len(names.stack) <= 128
    assert len(PlatformNames("abcdefghij", "a" * 20, "b" * 40).archive) <= 48


def test_logical_ids_are_camel_case_and_stage_free():
    assert logical("post-transaction", "queue") == "PostTransactionQueue"
    assert Names("acme", "dev", "ledger").function("x") != Names("acme", "pr-1", "ledger").function("x")


def test_stage_from_branch_is_short_valid_and_stable():
    assert stage_from_branch("pr-42") == "pr-42"  # already a stage name: itself
    assert stage_from_branch("feature/add").startswith("add-")
    stage = stage_from_branch("feature/JIRA-12/add-retry-to-the-payment-flow")
    assert len(stage) <= 16 and stage[0].isalpha() and stage == stage.lower() and stage.startswith("jira-12")
    assert stage == stage_from_branch("feature/JIRA-12/add-retry-to-the-payment-flow")
    assert stage != stage_from_branch("feature/JIRA-12/add-retry-to-the-payment-flux")
    assert stage_from_branch("123-fix")[0].isalpha()


def test_two_branches_never_share_a_stage():
    branches = ["fix/JIRA-12", "feature/JIRA-12", "JIRA_12", "jira-12", "Jira-12", "jira_12", "jira-12/", "fix/",
                "feature/", "x-1a2b3", stage_from_branch("JIRA_12"), "feature/jira-12", "refs/heads/jira-12"]
    stages = [stage_from_branch(b) for b in branches]
    assert len(set(stages)) == len(branches), dict(zip(branches, stages))
    assert all(re.fullmatch(STAGE, s) and len(s) <= 16 for s in stages)
    # A branch that looks like a hashed stage is hashed itself, so it cannot take that stage.
    assert stage_from_branch(stage_from_branch("JIRA_12")) != stage_from_branch("JIRA_12")


def test_a_branch_without_letters_or_digits_is_refused():
    for branch in ("", "  ", "/", "ü"):
        with pytest.raises(UsageError, match="no letters or digits"):
            stage_from_branch(branch)


# --- cut names keep their start, their own name and their kind --------------------------------

ORG, LONG_STAGE, LONG_SERVICE = "abcdefghij", "a" * 20, "s" * 32  # the longest the specs allow
FN = "reconcile-ledger-with-partner-statements"  # 40 characters, the longest function name


def test_names_within_limits_are_unchanged():
    names = Names("acme", "dev", "ledger")
    assert names.function("post") == "acme-dev-ledger-post"
    assert names.role("post") == "acme-dev-ledger-post-role"
    assert names.queue("post", fifo=True) == "acme-dev-ledger-post.fifo"
    assert names.dlq("post", fifo=False) == "acme-dev-ledger-post-dlq"
    assert names.dlq("post", fifo=True) == "acme-dev-ledger-post-dlq.fifo"
    assert names.rule("post", "accounts", "AccountOpened") == "acme-dev-ledger-post-accounts-accountopened"
    assert names.export("post-function-arn") == "acme-dev-ledger-post-function-arn"
    assert names.stack == "acme-dev-ledger"


def test_a_role_and_its_function_stay_apart_and_end_as_they_should():
    names = Names("acme", "dev", "card-transactions-ledger")
    fn = "very-long-function-name-for-settling"
    function, role = names.function(fn), names.role(fn)
    assert len(function) == len(role) == LIMITS["function"] == LIMITS["role"]
    assert function.startswith("acme-dev-card-") and function.endswith(f"-{fn}")
    assert role.startswith("acme-dev-card-") and role.endswith(f"-{fn}-role")
    assert function != role and function[:-len(fn)] != role[:-len(fn) - 5]  # each its own hash
    # The service name gave way to the hash of the full name, not the function's name.
    assert re.fullmatch(r"acme-dev-card-[a-z-]*[0-9a-f]{8}-" + fn + "(-role)?", role)


def test_a_queue_and_its_dlq_stay_apart_and_keep_their_kind():
    names = Names("acme", "dev", "card-transactions-ledger")
    fn = "very-long-function-name-for-settling-x"
    for fifo in (False, True):
        queue, dlq = names.queue(fn, fifo), names.dlq(fn, fifo)
        end = ".fifo" if fifo else ""
        assert queue.endswith(f"-{fn}{end}") and dlq.endswith(f"-{fn}-dlq{end}")
        assert queue.startswith("acme-dev-") and dlq.startswith("acme-dev-") and queue != dlq


def test_the_own_name_is_cut_last_and_the_kind_never():
    names = Names(ORG, LONG_STAGE, LONG_SERVICE)
    role, function = names.role(FN), names.function(FN)
    assert role.startswith(f"{ORG}-{LONG_STAGE}-") and role.endswith("-role") and len(role) == 64
    # Without room for the whole function name even with the service gone, its start is kept.
    assert role[len(f"{ORG}-{LONG_STAGE}-") + 9:] == "reconcile-ledger-w-role"
    assert function[len(f"{ORG}-{LONG_STAGE}-") + 9:] == "reconcile-ledger-with-p"
    assert names.dlq(FN, True).endswith("-dlq.fifo") and names.queue(FN, True).endswith(".fifo")


def test_cut_names_are_deterministic_and_unique_per_full_name():
    a, b = Names(ORG, LONG_STAGE, LONG_SERVICE), Names(ORG, LONG_STAGE, LONG_SERVICE)
    assert a.role(FN) == b.role(FN) and a.function(FN) == b.function(FN)
    assert a.role(FN) != a.role(FN[:-1] + "z")  # same cut text, different full name: different hash
    assert Names(ORG, LONG_STAGE, "s" * 31 + "t").function(FN) != a.function(FN)


def _every_name(names: Names, fn: str, service: str) -> dict[str, list[str]]:
    return {
        "function": [names.function(fn), names.function(f"{fn}-start")],
        "role": [names.role(fn), names.role(f"{fn}-workflow"), names.role(f"{fn}-start-pipe"),
                 names.role("semaphore-cleanup-events")],
        "queue": [names.queue(fn, False), names.queue(fn, True), names.dlq(fn, False), names.dlq(fn, True),
                  names.physical("queue", "semaphore-cleanup-dlq")],
        "rule": [names.rule(fn, service, "E" * 64)],
        "alarm": [names.alarm(fn, service, "e" * 64, "failed")],
        "export": [names.export(f"{fn}-state-machine-arn")],
        "log_group": [names.log_group(fn), names.api_access_log_group()],
        "table": [names.physical("table", "idempotency")],
        "topic": [names.physical("topic", "alerts")],
        "state_machine": [names.physical("state_machine", fn)],
        "pipe": [names.physical("pipe", f"{fn}-start")],
        "api": [names.physical("api", "api")],
        "stack": [names.stack],
    }


def test_every_kind_stays_within_its_limit():
    for fn, service in ((FN, LONG_SERVICE), ("f" * 40, "s" * 32), ("ab", "cd")):
        names = Names(ORG, LONG_STAGE, service)
        for kind, made in _every_name(names, fn, service).items():
            for name in made:
                assert len(name) <= LIMITS[kind], (kind, name)
    for kind in LIMITS:  # and any kind a component may ask for
        assert len(Names(ORG, LONG_STAGE, LONG_SERVICE).physical(kind, "x" * 600, suffix="-dlq")) <= LIMITS[kind]
    platform = PlatformNames(ORG, LONG_STAGE, "b" * 41)
    assert len(platform.archive) <= LIMITS["archive"] and platform.archive.startswith(f"{ORG}-{LONG_STAGE}-")
    assert len(platform.bus) <= LIMITS["bus"] and len(platform.stack) <= LIMITS["stack"]


def test_unstructured_fit_keeps_its_start_and_suffix():
    cut = fit("x" * 100, "queue", ".fifo")
    assert len(cut) == LIMITS["queue"] and cut.startswith("x" * 60) and cut.endswith(".fifo")
