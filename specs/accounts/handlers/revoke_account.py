"""revoke-account: Compensation for open-account.

Your code: svcgen created this file once and never changes it. A workflow step calls
`handle` with the workflow's ids and the execution's name (a natural idempotency key:
Step Functions retries a failed step). Return a small dict: the workflow keeps it as this
step's result; raise to fail the step (the workflow then compensates).
"""

from plumbing.observability import logger
from plumbing.publish import publish_account_closed
from svcgen_runtime.tasks import TaskInput

from handlers.accounts_store import account_id, close_account, once_more_on_conflict

REASON = "revoked: onboarding failed after the account was opened"


def handle(task: TaskInput) -> dict:
    account = account_id(task.ids["application_id"])
    closed, _ = once_more_on_conflict(lambda: close_account(account, REASON))
    if closed is None:
        return {"revoked": False}  # never opened: nothing to undo
    # The others heard AccountOpened: they hear that it is closed (the ledger settles it), on a
    # retry too. close-account ignores the BalanceSettled that follows: the account is closed.
    publish_account_closed(**closed.model_dump(exclude={"schema_version"}))
    logger.info("account revoked", extra={"account_id": account})
    return {"revoked": True, "account_id": account}
