"""send-payment: Calls the partner bank, which allows only 2 concurrent requests.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/send_payment.py) calls `handle` once per valid event from the queue. Raise to have
that event retried (after max_receive_count it moves to the dead-letter queue); add a second
parameter, `context`, if you need the Lambda context.
"""

from plumbing.models import TransactionPosted
from plumbing.observability import logger

# What svcgen set up for this function (import what you need):
#   from plumbing.publish import publish_payment_settled
#   from plumbing.publish import publish_payment_failed


def handle(event: TransactionPosted) -> None:
    # Sensitive fields are masked in the log line, so logging the event is safe.
    logger.info("event received", extra={"event": event})
