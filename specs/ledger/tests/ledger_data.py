"""Postings written straight into the test's store, through the generated store client."""

from datetime import UTC, datetime

from plumbing.models import TransactionPosted, TransactionRequested
from plumbing.store import append, load, revision_of


def post(account_id: str, kind: str, amount: int, transaction_id: str = "") -> int:
    """Append a posting to the account; returns its revision."""
    return append(account_id, revision_of(load(account_id)), TransactionPosted(
        transaction_id=transaction_id or f"{account_id}:{kind}:{amount}", account_id=account_id, amount=amount,
        currency="EUR", kind=kind, posted_at=datetime(2024, 1, 1, tzinfo=UTC)))


def request(account_id: str, kind: str, amount: int, transaction_id: str) -> int:
    return append(account_id, revision_of(load(account_id)), TransactionRequested(
        transaction_id=transaction_id, account_id=account_id, amount=amount, currency="EUR", kind=kind))


def a_paid_account(account_id: str = "acc-1") -> int:
    """Opened, 100.00 deposited, a 25.00 payment ordered and settled: 75.00. Returns the revision."""
    post(account_id, "opening", 0)
    post(account_id, "deposit", 10_000)
    request(account_id, "outgoing-payment", 2_500, "tx-pay")
    post(account_id, "outgoing-payment", 2_500, "tx-pay")
    return post(account_id, "payment-settled", 2_500, "tx-pay:settled")
