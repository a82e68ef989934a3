"""send-payment: Calls the partner bank, which allows only 2 concurrent requests.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/send_payment.py) calls `handle` once per valid event from the queue. Raise to have
that event retried (after max_receive_count it moves to the dead-letter queue); add a second
parameter, `context`, if you need the Lambda context.

Idempotent on transaction_id (the spec's `idempotency:`): a redelivered TransactionPosted is
acknowledged without paying again.
"""

from plumbing.models import TransactionPosted
from plumbing.observability import logger
from plumbing.publish import publish_payment_failed, publish_payment_settled

from handlers import partner_bank


def handle(event: TransactionPosted) -> None:
    if event.kind != "outgoing-payment":
        return  # the rule only lets these through; this guards against a filter edited by hand
    payment_id = partner_bank.payment_id(event.transaction_id)
    # PartnerUnavailable is not caught: the record is retried (nothing was paid).
    answer = partner_bank.pay(payment_id, event.amount, event.currency, event.counterparty_iban)
    if answer.settled:
        publish_payment_settled(payment_id=payment_id, transaction_id=event.transaction_id,
                                account_id=event.account_id, amount=event.amount, currency=event.currency,
                                settled_at=answer.at)
    else:
        # A refusal is an answer, not an error: retrying would be refused again.
        publish_payment_failed(payment_id=payment_id, transaction_id=event.transaction_id,
                               account_id=event.account_id, reason=answer.reason)
    logger.info("payment sent", extra={"payment_id": payment_id, "transaction_id": event.transaction_id,
                                       "settled": answer.settled, "reason": answer.reason})
