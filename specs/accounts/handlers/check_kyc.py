"""check-kyc: Asks the KYC partner about the applicant (by application id only).

Your code: svcgen created this file once and never changes it. A workflow step calls
`handle` with the workflow's ids and the execution's name (a natural idempotency key:
Step Functions retries a failed step). Return a small dict: the workflow keeps it as this
step's result; raise to fail the step (the workflow then compensates).
"""

from plumbing.observability import logger
from svcgen_runtime.tasks import TaskInput

from handlers import kyc_partner


def handle(task: TaskInput) -> dict:
    # The result is kept in the execution's state: the partner's verdict and reference, never
    # anything it knows about the person.
    result = kyc_partner.check(task.ids["application_id"])
    logger.info("kyc checked", extra={"application_id": task.ids["application_id"], "verdict": result["verdict"]})
    return result
