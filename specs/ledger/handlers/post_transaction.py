"""post-transaction: Posts settled payments and opening balances to the ledger.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/post_transaction.py) calls `handle` once per valid event from the queue. Raise to have
that event retried (after max_receive_count it moves to the dead-letter queue); add a second
parameter, `context`, if you need the Lambda context.

Each event becomes one TransactionPosted (handlers/balances.py says how it moves the balance),
appended to the account's aggregate with optimistic concurrency and then published on the bus.
"""

from datetime import UTC, datetime

from plumbing.models import AccountOpened, PaymentSettled, StoredTransactionRequested, TransactionPosted
from plumbing.observability import logger
from plumbing.publish import publish_transaction_posted
from plumbing.store import append, load, revision_of

from handlers.balances import REQUESTABLE, postings

# The events this function subscribes to.
Received = (
    AccountOpened
    | PaymentSettled
    | StoredTransactionRequested
)


def handle(event: Received) -> None:
    posting = posting_for(event)
    events = load(posting.account_id)
    # Events arrive at least once: a posting already in the aggregate is not appended again.
    stored = next((p for p in postings(events) if p.transaction_id == posting.transaction_id), None)
    if stored is None:
        # ConcurrencyConflict (another writer took this revision since we loaded) is not caught:
        # the record is retried, and the retry loads the aggregate again and decides again.
        append(posting.account_id, revision_of(events), posting)
        stored = posting
    # Published on a retry too: if an earlier attempt stored the posting and then failed to
    # publish, this is the only chance subscribers (payments) ever get to hear of it.
    publish_transaction_posted(**stored.model_dump(exclude={"schema_version"}))
    logger.info("transaction posted", extra={"transaction_id": stored.transaction_id, "kind": stored.kind,
                                             "account_id": stored.account_id, "new": stored is posting})


def posting_for(event: Received) -> TransactionPosted:
    """The posting an event asks for. Its transaction id is derived from the event, so a
    redelivered event finds its posting already stored."""
    now = datetime.now(UTC)
    match event:
        case AccountOpened():
            return TransactionPosted(transaction_id=f"{event.account_id}:opening", account_id=event.account_id,
                                     amount=0, currency=event.currency, kind="opening", posted_at=now)
        case PaymentSettled():
            # Its own id, linked to the order: the outgoing-payment posting has the payment's.
            return TransactionPosted(transaction_id=f"{event.transaction_id}:settled", account_id=event.account_id,
                                     amount=event.amount, currency=event.currency, kind="payment-settled",
                                     posted_at=event.settled_at)
        case StoredTransactionRequested():
            # Not retryable, but raising is right: after max_receive_count the request waits in
            # the DLQ (alarmed) for a person, instead of vanishing.
            if event.kind not in REQUESTABLE or event.amount <= 0:
                raise ValueError(f"transaction {event.transaction_id}: cannot post kind {event.kind!r} "
                                 f"with amount {event.amount}")
            return TransactionPosted(transaction_id=event.transaction_id, account_id=event.account_id,
                                     amount=event.amount, currency=event.currency, kind=event.kind, posted_at=now)
    raise TypeError(f"post-transaction does not handle {type(event).__name__}")
