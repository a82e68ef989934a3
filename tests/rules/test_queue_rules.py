"""Queue rules (SVC1101–SVC1109), each with a failing and a passing case."""

from __future__ import annotations

from tests.rules.harness import ACCOUNTS, fails, passes, where

PUBLISHER = ACCOUNTS


def consumer(queue: str = "", extra: str = "") -> str:
    return f"""
service: ledger
owner: team
description: d
functions:
  post:
{extra}    subscribe: [{{event: AccountOpened, from: accounts}}]
    queue: {{{queue}}}
"""


def test_svc1101_queue_needs_a_subscription():
    lonely = "service: ledger\nowner: team\ndescription: d\nfunctions:\n  post:\n    queue: {fifo: false}\n"
    assert where(fails("SVC1101", lonely)) == [("ledger.yaml", 6, "functions.post.queue")]
    passes("SVC1101", consumer("fifo: false"), PUBLISHER)


def test_svc1102_dlq_has_the_queue_type():
    (error,) = fails("SVC1102", consumer("fifo: true, dlq: {fifo: false}"), PUBLISHER)
    assert error.path == "functions.post.queue.dlq.fifo" and "a FIFO queue needs a FIFO DLQ" in error.message
    passes("SVC1102", consumer("fifo: true, dlq: {fifo: true}"), PUBLISHER)


def test_svc1103_fifo_batch_at_most_10():
    (error,) = fails("SVC1103", consumer("fifo: true, batch_size: 11"), PUBLISHER)
    assert error.path == "functions.post.queue.batch_size"
    passes("SVC1103", consumer("fifo: true, batch_size: 10"), PUBLISHER)
    passes("SVC1103", consumer("batch_size: 11, batching_window: 1"), PUBLISHER)


def test_svc1104_fifo_has_no_batching_window():
    (error,) = fails("SVC1104", consumer("fifo: true, batching_window: 2"), PUBLISHER)
    assert error.path == "functions.post.queue.batching_window"
    passes("SVC1104", consumer("fifo: true, batching_window: 0"), PUBLISHER)


def test_svc1105_message_group_only_on_fifo():
    (error,) = fails("SVC1105", consumer("message_group: accounts"), PUBLISHER)
    assert error.path == "functions.post.queue.message_group"
    passes("SVC1105", consumer("fifo: true, message_group: accounts"), PUBLISHER)


def test_svc1106_large_batch_needs_a_window():
    (error,) = fails("SVC1106", consumer("batch_size: 50"), PUBLISHER)
    assert "a batch size above 10 needs batching_window ≥ 1, got batch_size 50" in error.message
    passes("SVC1106", consumer("batch_size: 50, batching_window: 1"), PUBLISHER)


def test_svc1107_poller_within_reserved_concurrency():
    (error,) = fails("SVC1107", consumer("max_concurrency: 6", "    reserved_concurrency: 5\n"), PUBLISHER)
    assert (error.path, error.message) == ("functions.post.queue.max_concurrency",
                                           "must be ≤ reserved_concurrency (5), got 6")
    passes("SVC1107", consumer("max_concurrency: 5", "    reserved_concurrency: 5\n"), PUBLISHER)


def test_svc1108_reserved_consumer_caps_its_poller_is_a_warning():
    (warning,) = fails("SVC1108", consumer("", "    reserved_concurrency: 5\n"), PUBLISHER)
    assert warning.severity == "warning" and warning.path == "functions.post.reserved_concurrency"
    assert warning.hint.startswith("add `queue: {max_concurrency: 5}`")
    passes("SVC1108", consumer("max_concurrency: 5", "    reserved_concurrency: 5\n"), PUBLISHER)


def test_svc1109_queue_retention_below_the_dlq():
    (error,) = fails("SVC1109", consumer("retention_days: 13, dlq: {retention_days: 13}"), PUBLISHER)
    assert error.path == "functions.post.queue.retention_days"
    (default,) = fails("SVC1109", consumer("dlq: {retention_days: 4}"), PUBLISHER)
    assert (default.path, default.message) == ("functions.post.queue.dlq.retention_days",
                                               "must be above the queue's retention (4 days, the default), got 4")
    passes("SVC1109", consumer("retention_days: 13, dlq: {retention_days: 14}"), PUBLISHER)
