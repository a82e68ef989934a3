"""The ledger's one rule about money: how a posting moves an account's balance.

Not a Lambda handler: the functions of this service share it, so post-transaction, get-balance,
project-balance and settle-balance can never disagree about a balance.

An account is an aggregate of the event store (aggregate id = account id). Its balance is a fold
of its TransactionPosted events; TransactionRequested events in the same aggregate are requests,
not money. Amounts in the contracts are positive minor units; the kind gives the direction:

| kind              | balance    | posted by post-transaction on                                 |
|-------------------|------------|---------------------------------------------------------------|
| opening           | 0          | AccountOpened (an account exists; it holds nothing yet)       |
| deposit           | + amount   | a stored TransactionRequested                                 |
| outgoing-payment  | 0          | a stored TransactionRequested; payments sends it to the       |
|                   |            | partner bank. The money moves only once the partner confirms: |
|                   |            | the ledger never hears of PaymentFailed, so debiting here     |
|                   |            | would lose the money of every failed payment.                 |
| payment-settled   | - amount   | PaymentSettled (the confirmed outgoing payment)               |
"""

from __future__ import annotations

from dataclasses import dataclass

from plumbing.models import TransactionPosted
from plumbing.store import StoredEvent, revision_of

EFFECT = {"opening": 0, "deposit": 1, "outgoing-payment": 0, "payment-settled": -1}
# What a TransactionRequested may ask for; the other kinds are the ledger's own.
REQUESTABLE = frozenset({"deposit", "outgoing-payment"})


@dataclass(frozen=True)
class Balance:
    account_id: str
    balance: int  # minor units
    currency: str
    revision: int  # the last revision of the account folded in


def effect(posting: TransactionPosted) -> int:
    return EFFECT[posting.kind] * posting.amount


def postings(events: list[StoredEvent]) -> list[TransactionPosted]:
    return [e.event for e in events if isinstance(e.event, TransactionPosted)]


def balance_of(account_id: str, events: list[StoredEvent]) -> Balance | None:
    """The balance after `events` (an account's aggregate, in revision order); None when the
    ledger has never posted anything to the account."""
    posted = postings(events)
    if not posted:
        return None
    return Balance(account_id, sum(effect(p) for p in posted), posted[0].currency, revision_of(events))
