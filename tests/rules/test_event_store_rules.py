"""Event-store rules (SVC1301-SVC1303, SVC2301, SVC1310) and the store-fed FIFO queue rule
(SVC1120), each on a small build: a failing case at the right key and line, and a passing one."""

from __future__ import annotations

from generator.concerns.subscription.filter_grammar import SNS_MAX_COMBINATIONS
from tests.rules.harness import fails, passes, where

LEDGER = """\
service: ledger
owner: team-ledger
description: Keeps the ledger.
event_store:
  events: [TransactionRequested, TransactionPosted]
functions:
  project:
    subscribe:
      - store: TransactionPosted
"""


def ledger(store: str = "  events: [TransactionRequested, TransactionPosted]\n", subscribe: str = "TransactionPosted",
           access: str = "") -> str:
    """The ledger with its `event_store:` body (from line 5), and one function subscribing to
    `subscribe` on its own store (its `store:` line is 4 lines below the store's last line)."""
    return (
        "service: ledger\n"
        "owner: team-ledger\n"
        "description: Keeps the ledger.\n"
        + (f"event_store:\n{store}" if store else "")
        + "functions:\n"
        "  project:\n"
        + (f"    store_access: [{access}]\n" if access else "")
        + "    subscribe:\n"
        f"      - store: {subscribe}\n"
    )


def fraud(entries: str, queue: str = "") -> str:
    """Another service whose function `review` subscribes with `entries` (YAML list items,
    indented 6; the first item is on line 7)."""
    return (
        "service: fraud\n"
        "owner: team-fraud\n"
        "description: Reviews transfers.\n"
        "functions:\n"
        "  review:\n"
        "    subscribe:\n"
        f"{entries}"
        + (f"    queue:\n{queue}" if queue else "")
    )


# --- SVC1301: own store events exist ------------------------------------------------------------

def test_own_store_subscription_needs_the_event_in_the_store():
    (error,) = fails("SVC1301", ledger(subscribe="TransactionVoided"))
    assert where([error]) == [("ledger.yaml", 9, "functions.project.subscribe[0].store")]
    assert "got 'TransactionVoided'" in error.message
    assert error.hint == "event_store.events: TransactionRequested, TransactionPosted"


def test_own_store_subscription_needs_an_event_store():
    (error,) = fails("SVC1301", ledger(store=""))
    assert where([error]) == [("ledger.yaml", 7, "functions.project.subscribe[0].store")]
    assert "`from:`" in error.hint


def test_own_store_subscription_to_a_stored_event_passes():
    passes("SVC1301", ledger())
    passes("SVC1301", LEDGER)


# --- SVC1302: own store fans out ----------------------------------------------------------------

def test_own_store_subscription_needs_fan_out():
    (error,) = fails("SVC1302", ledger(store="  events: [TransactionPosted]\n  fan_out: false\n"))
    assert where([error]) == [("ledger.yaml", 10, "functions.project.subscribe[0].store")]
    assert "fan_out: false" in error.message


def test_own_store_subscription_with_fan_out_passes():
    passes("SVC1302", ledger(store="  events: [TransactionPosted]\n  fan_out: true\n"))
    passes("SVC1302", ledger())


# --- SVC1303: store_access needs a store --------------------------------------------------------

def test_store_access_needs_an_event_store():
    (error,) = fails("SVC1303", ledger(store="", access="read"))
    assert where([error]) == [("ledger.yaml", 6, "functions.project.store_access")]


def test_store_access_with_an_event_store_passes():
    passes("SVC1303", ledger(access="read, append"))


# --- SVC2301: another service's store -----------------------------------------------------------

def test_other_store_must_be_a_service_of_the_build():
    (error,) = fails("SVC2301", fraud("      - {store: TransactionPosted, from: ledger}\n"))
    assert where([error]) == [("fraud.yaml", 7, "functions.review.subscribe[0].from")]
    assert "got 'ledger'" in error.message


def test_other_store_must_fan_out():
    no_fan_out = ledger(store="  events: [TransactionPosted]\n  fan_out: false\n")
    (error,) = fails("SVC2301", fraud("      - {store: TransactionPosted, from: ledger}\n"), no_fan_out)
    assert where([error]) == [("fraud.yaml", 7, "functions.review.subscribe[0].from")]
    (error,) = fails("SVC2301", fraud("      - {store: TransactionPosted, from: ledger}\n"), ledger(store=""))
    assert "ledger must have an event store with fan_out" in error.message


def test_other_store_must_hold_the_event():
    (error,) = fails("SVC2301", fraud("      - {store: TransactionVoided, from: ledger}\n"), LEDGER)
    assert where([error]) == [("fraud.yaml", 7, "functions.review.subscribe[0].store")]
    assert error.hint == "ledger.yaml: TransactionRequested, TransactionPosted"


def test_other_store_subscription_passes():
    passes("SVC2301", fraud("      - {store: TransactionPosted, from: ledger}\n"), LEDGER)
    # own store entries are SVC1301's, whichever way they are written
    passes("SVC2301", ledger(subscribe="TransactionVoided"))


# --- SVC1310: the merged subscription's policy --------------------------------------------------

def _values(prefix: str, n: int) -> str:
    return "[" + ", ".join(f"{prefix}{i}" for i in range(n)) + "]"


def _two_filtered(n: int, m: int, publisher: str = "from: ledger, ") -> str:
    """Two store entries on one store, each filtering `kind` with n (m) values: each alone is
    n x 2 (m x 2) combinations (the filter's key is at depth 2); their union adds up."""
    return (f"      - {{store: TransactionPosted, {publisher}filter: {{kind: {_values('a', n)}}}}}\n"
            f"      - {{event: AccountOpened, from: accounts}}\n"
            f"      - {{store: TransactionRequested, {publisher}filter: {{kind: {_values('b', m)}}}}}\n")


def test_merged_store_subscription_over_150_combinations_fails_at_the_first_entry():
    # 40 x 2 = 80 each, within 150 alone (SVC1211 is silent); their `$or` is 80 + 80 = 160.
    (error,) = fails("SVC1310", fraud(_two_filtered(40, 40)), LEDGER)
    assert where([error]) == [("fraud.yaml", 7, "functions.review.subscribe[0]")]
    assert "the 2 `store:` entries of review on ledger's store are one SNS subscription" in error.message
    assert f"at most {SNS_MAX_COMBINATIONS} combinations of values, got 160" in error.message
    assert "merged with functions.review.subscribe[2] (line 9)" in error.hint
    passes("SVC1211", fraud(_two_filtered(40, 40)), LEDGER)


def test_merged_store_subscription_on_the_own_store_fails_too():
    spec = LEDGER.replace("      - store: TransactionPosted\n", _two_filtered(40, 40, publisher=""))
    (error,) = fails("SVC1310", spec)
    assert "on this service's store" in error.message


def test_merged_store_subscription_within_150_passes():
    passes("SVC1310", fraud(_two_filtered(30, 30)), LEDGER)  # 60 + 60
    # one shared filter: one alternative, 2 event types x 2 x 30 = 120
    shared = ("      - {store: TransactionPosted, from: ledger, filter: {kind: " + _values("a", 30) + "}}\n"
              "      - {store: TransactionRequested, from: ledger, filter: {kind: " + _values("a", 30) + "}}\n")
    passes("SVC1310", fraud(shared), LEDGER)
    # entries on two stores are two subscriptions, judged apart
    two_stores = ("      - {store: TransactionPosted, from: ledger, filter: {kind: " + _values("a", 40) + "}}\n"
                  "      - {store: TransactionPosted, from: payments, filter: {kind: " + _values("b", 40) + "}}\n")
    passes("SVC1310", fraud(two_stores), LEDGER)


def test_an_entry_over_the_limit_alone_is_left_to_svc1211():
    spec = fraud(_two_filtered(80, 1))  # 160 alone
    passes("SVC1310", spec, LEDGER)
    fails("SVC1211", spec, LEDGER)


# --- SVC1120: store events need a standard queue ------------------------------------------------

FIFO = "      fifo: true\n"


def test_fifo_queue_fed_only_by_store_events_fails_at_fifo():
    (error,) = fails("SVC1120", fraud("      - {store: TransactionPosted, from: ledger}\n", FIFO), LEDGER)
    assert where([error]) == [("fraud.yaml", 9, "functions.review.queue.fifo")]
    assert "subscribes only to store events (TransactionPosted)" in error.message
    assert error.hint.startswith("remove `fifo: true`")


def test_fifo_queue_fed_by_bus_and_store_events_fails_at_fifo():
    entries = ("      - {event: AccountOpened, from: accounts}\n"
               "      - store: TransactionPosted\n")
    spec = LEDGER.replace("      - store: TransactionPosted\n", entries) + "    queue:\n" + FIFO
    (error,) = fails("SVC1120", spec)
    assert where([error]) == [("ledger.yaml", 12, "functions.project.queue.fifo")]
    assert "beside bus events" in error.message
    assert "move the `store:` entries to another function" in error.hint


def test_standard_queue_with_store_events_and_fifo_queue_with_bus_events_pass():
    passes("SVC1120", fraud("      - {store: TransactionPosted, from: ledger}\n", "      batch_size: 5\n"), LEDGER)
    passes("SVC1120", fraud("      - {event: AccountOpened, from: accounts}\n", FIFO))
