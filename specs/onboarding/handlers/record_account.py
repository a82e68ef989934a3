"""record-account: Links the opened account back to the application.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/record_account.py) calls `handle` once per valid event from the queue. Raise to have
that event retried (after max_receive_count it moves to the dead-letter queue); add a second
parameter, `context`, if you need the Lambda context.
"""

from plumbing.models import AccountOpened
from plumbing.observability import logger

# What svcgen set up for this function (import what you need):
#   from plumbing.publish import publish_application_submitted


def handle(event: AccountOpened) -> None:
    # Sensitive fields are masked in the log line, so logging the event is safe.
    logger.info("event received", extra={"event": event})
