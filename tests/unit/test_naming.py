from generator.naming import LIMITS, Names, PlatformNames, fit, logical
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
    assert stage_from_branch("feature/add") == "add"
    stage = stage_from_branch("feature/JIRA-12/add-retry-to-the-payment-flow")
    assert len(stage) <= 16 and stage[0].isalpha() and stage == stage.lower()
    assert stage == stage_from_branch("feature/JIRA-12/add-retry-to-the-payment-flow")
    assert stage != stage_from_branch("feature/JIRA-12/add-retry-to-the-payment-flux")
    assert stage_from_branch("123-fix")[0].isalpha()
