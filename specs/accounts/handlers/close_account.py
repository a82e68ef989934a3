"""close-account: Closes an account once its balance is settled.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/close_account.py) calls `handle` once per valid event from the queue. Raise to have
that event retried (after max_receive_count it moves to the dead-letter queue); add a second
parameter, `context`, if you need the Lambda context.
"""

from plumbing.models import BalanceSettled
from plumbing.observability import logger
from plumbing.publish import publish_account_closed

from handlers.accounts_store import close_account


def handle(event: BalanceSettled) -> None:
    # A ConcurrencyConflict is not caught: the record is retried and decides again.
    closed, now = close_account(event.account_id, "balance settled")
    if closed is None:
        logger.warning("balance settled for an account never opened here", extra={"account_id": event.account_id})
        return
    # Only a closure made now is published. The ledger answers every AccountClosed with a
    # BalanceSettled, which comes back here: publishing again would go round forever. The price:
    # if publishing fails after the append, the retry finds the account closed and never
    # publishes it (the failed attempt's error is logged).
    if now:
        publish_account_closed(**closed.model_dump(exclude={"schema_version"}))
    logger.info("account closed", extra={"account_id": event.account_id, "new": now,
                                         "final_balance": event.final_balance})
