"""close-account: Closes an account once its balance is settled.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/close_account.py) calls `handle` once per valid event from the queue. Raise to have
that event retried (after max_receive_count it moves to the dead-letter queue); add a second
parameter, `context`, if you need the Lambda context.
"""

from plumbing.models import BalanceSettled
from plumbing.observability import logger

# What svcgen set up for this function (import what you need):
#   from plumbing.publish import publish_account_opened
#   from plumbing.publish import publish_account_closed
#   from plumbing.publish import publish_application_rejected
#   from plumbing.store import ConcurrencyConflict, append, load, revision_of  # event store: append, read


def handle(event: BalanceSettled) -> None:
    # Sensitive fields are masked in the log line, so logging the event is safe.
    logger.info("event received", extra={"event": event})
