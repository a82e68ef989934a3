"""project-balance: Keeps the balance read model up to date from posted transactions.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/project_balance.py) calls `handle` once per valid event from the queue. Raise to have
that event retried (after max_receive_count it moves to the dead-letter queue); add a second
parameter, `context`, if you need the Lambda context.

The read model is kept in this process's memory, on purpose: the spec gives project-balance
read access to the store and nowhere to write a projection. It is a cache of a fold of the
store, never the truth: an account this process has not seen, or an event that skips a posting
it has not seen, is rebuilt from the store. So it is right after a cold start and in any order
of delivery; get-balance derives the balance from the store itself.
"""

from plumbing.models import StoredTransactionPosted
from plumbing.observability import logger
from plumbing.store import load

from handlers.balances import Balance, balance_of, effect

# account id -> its balance, as of the revision it records.
READ_MODEL: dict[str, Balance] = {}


def handle(event: StoredTransactionPosted) -> None:
    known = READ_MODEL.get(event.aggregate_id)
    if known is not None and event.revision <= known.revision:
        return  # a duplicate, or older than what the model already holds
    if known is not None and event.revision == known.revision + 1:
        READ_MODEL[event.aggregate_id] = Balance(known.account_id, known.balance + effect(event), known.currency,
                                                 event.revision)
    else:
        # Unknown account, or a gap: revisions of an account also number its TransactionRequested
        # events (which this function never sees), so a gap may or may not hide a posting.
        rebuilt = balance_of(event.aggregate_id, load(event.aggregate_id))
        if rebuilt is None:
            raise LookupError(f"{event.aggregate_id}@{event.revision} is not in the store yet")  # retried
        READ_MODEL[event.aggregate_id] = rebuilt
    logger.info("balance projected", extra={"account_id": event.aggregate_id,
                                            "revision": READ_MODEL[event.aggregate_id].revision})


def balance(account_id: str) -> Balance | None:
    return READ_MODEL.get(account_id)
