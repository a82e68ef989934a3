"""notify-customer: Sends an e-mail or push message for each milestone a customer cares about.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/notify_customer.py) calls `handle` once per valid event from the queue. Raise to have
that event retried (after max_receive_count it moves to the dead-letter queue); add a second
parameter, `context`, if you need the Lambda context.
"""

from plumbing.models import (
    AccountClosed,
    AccountOpened,
    ApplicationRejected,
    ApplicationSubmitted,
    PaymentFailed,
    PaymentSettled,
    StoredTransactionPosted,
)
from plumbing.observability import logger

# The events this function subscribes to.
Received = (
    AccountOpened
    | AccountClosed
    | ApplicationSubmitted
    | ApplicationRejected
    | PaymentSettled
    | PaymentFailed
    | StoredTransactionPosted
)


def handle(event: Received) -> None:
    # Sensitive fields are masked in the log line, so logging the event is safe.
    logger.info("event received", extra={"event": event})
