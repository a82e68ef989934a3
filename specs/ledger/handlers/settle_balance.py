"""settle-balance: Settles the balance of an account that is being closed.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/settle_balance.py) calls `handle` once per valid event from the queue. Raise to have
that event retried (after max_receive_count it moves to the dead-letter queue); add a second
parameter, `context`, if you need the Lambda context.

Reads the account's aggregate: this needs `store_access: [read]` on settle-balance in
specs/ledger.yaml, which the spec does not grant yet (the tests' environment has the table for
every function, so they cannot tell).
"""

from datetime import UTC, datetime

from plumbing.models import AccountClosed
from plumbing.observability import logger
from plumbing.publish import publish_balance_settled
from plumbing.store import load

from handlers.balances import balance_of


def handle(event: AccountClosed) -> None:
    balance = balance_of(event.account_id, load(event.account_id))
    # An account the ledger never posted to (its AccountOpened not processed yet, or never sent)
    # holds nothing: it settles at 0 rather than blocking the closure.
    final = 0 if balance is None else balance.balance
    publish_balance_settled(account_id=event.account_id, final_balance=final, settled_at=datetime.now(UTC))
    logger.info("balance settled", extra={"account_id": event.account_id, "final_balance": final})
