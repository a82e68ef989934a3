"""purge-kyc-data: Compensation for check-kyc; deletes what the partner returned.

Your code: svcgen created this file once and never changes it. A workflow step calls
`handle` with the workflow's ids and the execution's name (a natural idempotency key:
Step Functions retries a failed step). Return a small dict: the workflow keeps it as this
step's result; raise to fail the step (the workflow then compensates).
"""

from plumbing.observability import logger
from svcgen_runtime.tasks import TaskInput

from handlers import kyc_partner


def handle(task: TaskInput) -> dict:
    # The reference is derived again rather than read from the check's result: a compensation
    # must work even when it is all that is left of the execution's state.
    reference = kyc_partner.reference(task.ids["application_id"])
    if not kyc_partner.purge(reference):
        raise RuntimeError(f"the KYC partner still holds {reference}")  # recorded under undo_errors
    logger.info("kyc data purged", extra={"application_id": task.ids["application_id"], "reference": reference})
    return {"purged": reference}
