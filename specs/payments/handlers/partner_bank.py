"""A stand-in for the partner bank's payments API (not a Lambda handler; send-payment uses it).

Deterministic, like the partner's sandbox, so retries and tests get the same answer. The real
client would call PARTNER_URL with the payment id as the partner's idempotency key (the same
transaction always gets the same payment id, so a repeated request cannot pay twice there
either). Sandbox rules: the partner refuses a payment without a beneficiary IBAN, in another
currency than EUR, or above LIMIT; it confirms every other one at once.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

LIMIT = 1_000_000_00  # minor units: 1,000,000.00 EUR


class PartnerUnavailable(Exception):
    """The partner did not answer (timeout, 5xx, throttled): try again later; nothing was paid."""


@dataclass(frozen=True)
class Answer:
    settled: bool
    at: datetime
    reason: str = ""


def payment_id(transaction_id: str) -> str:
    return "pay-" + hashlib.sha256(transaction_id.encode()).hexdigest()[:16]


def pay(payment: str, amount: int, currency: str, beneficiary_iban: str | None) -> Answer:
    now = datetime.now(UTC)
    if not beneficiary_iban:
        return Answer(False, now, "no beneficiary IBAN")
    if currency != "EUR":
        return Answer(False, now, f"currency {currency} is not supported")
    if amount > LIMIT:
        return Answer(False, now, "amount above the partner's limit")
    return Answer(True, now)
