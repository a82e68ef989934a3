"""open-account: Opens the account for an approved applicant and records AccountOpened.

Your code: svcgen created this file once and never changes it. A workflow step calls
`handle` with the workflow's ids and the execution's name (a natural idempotency key:
Step Functions retries a failed step). Return a small dict: the workflow keeps it as this
step's result; raise to fail the step (the workflow then compensates).
"""

from plumbing.observability import logger
from plumbing.publish import publish_account_opened
from svcgen_runtime.tasks import TaskInput

from handlers.accounts_store import once_more_on_conflict, open_account


def handle(task: TaskInput) -> dict:
    application_id = task.ids["application_id"]
    opened = once_more_on_conflict(lambda: open_account(application_id))
    # Published on a retry too (the account may be open from an attempt that failed to publish):
    # subscribers get AccountOpened at least once, and it is the same event every time.
    publish_account_opened(**opened.model_dump(exclude={"schema_version"}))
    logger.info("account opened", extra={"application_id": application_id, "account_id": opened.account_id})
    return {"account_id": opened.account_id}  # the IBAN stays in the store, out of the execution
