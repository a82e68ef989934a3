"""Tests of record-account: created once by svcgen, then yours to extend."""

import json

from plumbing.record_account import handler
from svcgen_runtime.testing import envelope, lambda_context, sqs_event, sqs_record
from svcgen_support import invalid_envelope, sample_detail

IBAN = "DE89370400440532013000"


def test_valid_events_are_handled_and_an_invalid_one_is_reported_alone():
    records = [
        sqs_record(envelope("acme.accounts", "AccountOpened", sample_detail("acme.accounts", "AccountOpened")),
                   "message-1"),
        # Last: on a FIFO queue a failure also holds back the later records of its group.
        sqs_record(invalid_envelope("acme.accounts", "AccountOpened"), "message-invalid"),
    ]

    response = handler(sqs_event(records), lambda_context("record-account"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "message-invalid"}]}


def test_the_account_is_linked_to_its_application_in_a_masked_log_line(logs):
    detail = sample_detail("acme.accounts", "AccountOpened") | {"application_id": "app-7", "account_id": "acc-7",
                                                               "iban": IBAN}

    handler(sqs_event([sqs_record(envelope("acme.accounts", "AccountOpened", detail), "message-1")]),
            lambda_context("record-account"))

    [link] = [line for line in map(json.loads, logs.getvalue().splitlines())
              if line["message"] == "application linked to account"]
    assert (link["application_id"], link["account_id"]) == ("app-7", "acc-7")
    assert link["account"]["iban"] == "*****" and link["account"]["customer_id"] == detail["customer_id"]
    assert IBAN not in logs.getvalue()
