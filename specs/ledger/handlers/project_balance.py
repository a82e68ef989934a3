"""project-balance: Keeps the balance read model up to date from posted transactions.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/project_balance.py) calls `handle` once per valid event from the queue. Raise to have
that event retried (after max_receive_count it moves to the dead-letter queue); add a second
parameter, `context`, if you need the Lambda context.
"""

from plumbing.models import StoredTransactionPosted
from plumbing.observability import logger

# What svcgen set up for this function (import what you need):
#   from plumbing.publish import publish_transaction_posted
#   from plumbing.publish import publish_balance_settled
#   from plumbing.store import load  # event store: read


def handle(event: StoredTransactionPosted) -> None:
    # Sensitive fields are masked in the log line, so logging the event is safe.
    logger.info("event received", extra={"event": event})
