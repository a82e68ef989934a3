"""reject-application: Records a rejected application.

Your code: svcgen created this file once and never changes it. A workflow step calls
`handle` with the workflow's ids and the execution's name (a natural idempotency key:
Step Functions retries a failed step). Return a small dict: the workflow keeps it as this
step's result; raise to fail the step (the workflow then compensates).
"""

from plumbing.observability import logger
from plumbing.publish import publish_application_rejected
from svcgen_runtime.tasks import TaskInput

# A step receives only the ids: the reviewer's own reason (kept in the execution's `review`)
# does not reach it, so the published reason is the decision itself.
REASON = "rejected in compliance review"


def handle(task: TaskInput) -> dict:
    event_id = publish_application_rejected(application_id=task.ids["application_id"], reason=REASON)
    logger.info("application rejected", extra={"application_id": task.ids["application_id"], "event_id": event_id})
    return {"event_id": event_id}
