"""record-account: Links the opened account back to the application.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/record_account.py) calls `handle` once per valid event from the queue. Raise to have
that event retried (after max_receive_count it moves to the dead-letter queue); add a second
parameter, `context`, if you need the Lambda context.

onboarding keeps no state (its spec has no store or table): the link is this structured log
line, one per account, which log queries join on application_id.
"""

from plumbing.models import AccountOpened
from plumbing.observability import logger


def handle(event: AccountOpened) -> None:
    # The whole event goes into the line; the logger masks its IBAN (a sensitive field).
    logger.info("application linked to account",
                extra={"application_id": event.application_id, "account_id": event.account_id, "account": event})
