"""Accounts as aggregates of the event store (not a Lambda handler; the account functions use it).

An account's id is derived from its application's id, so every step that touches the account of
an application (open, revoke) finds the same aggregate however often it is retried, and two
executions for one application open one account.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from plumbing.models import AccountClosed, AccountOpened
from plumbing.store import ConcurrencyConflict, StoredEvent, append, load, revision_of

# The bank's code in the IBANs of its accounts (a German BLZ: 8 digits).
BANK_CODE = "37040044"
T = TypeVar("T")


def account_id(application_id: str) -> str:
    return "acc-" + _digest(application_id)[:16]


def customer_id(application_id: str) -> str:
    return "cus-" + _digest("customer:" + application_id)[:16]


def iban(account: str) -> str:
    """A German IBAN with valid check digits (ISO 13616, mod 97) for the account."""
    bban = BANK_CODE + str(int(_digest(account), 16))[:10]
    check = 98 - int(bban + "131400") % 97  # "DE00" moved to the end, letters as numbers (D=13, E=14)
    return f"DE{check:02d}{bban}"


def opened(events: list[StoredEvent]) -> AccountOpened | None:
    return next((e.event for e in events if isinstance(e.event, AccountOpened)), None)


def closed(events: list[StoredEvent]) -> AccountClosed | None:
    return next((e.event for e in events if isinstance(e.event, AccountClosed)), None)


def open_account(application_id: str) -> AccountOpened:
    """The application's account: appends AccountOpened, unless the account is open already."""
    account = account_id(application_id)
    events = load(account)
    if (existing := opened(events)) is not None:
        return existing
    event = AccountOpened(account_id=account, application_id=application_id,
                          customer_id=customer_id(application_id), iban=iban(account), currency="EUR",
                          opened_at=datetime.now(UTC))
    append(account, revision_of(events), event)
    return event


def close_account(account: str, reason: str) -> tuple[AccountClosed | None, bool]:
    """(AccountClosed, whether it was appended just now); (None, False) for an account never opened."""
    events = load(account)
    if opened(events) is None:
        return None, False
    if (existing := closed(events)) is not None:
        return existing, False
    event = AccountClosed(account_id=account, closed_at=datetime.now(UTC), reason=reason)
    append(account, revision_of(events), event)
    return event, True


def once_more_on_conflict(decide: Callable[[], T]) -> T:
    """For workflow steps: a step's own errors are not retried (they compensate the onboarding),
    and the other writer is most likely a retry of this very step, so load and decide again."""
    try:
        return decide()
    except ConcurrencyConflict:
        return decide()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
