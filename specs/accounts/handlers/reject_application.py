"""reject-application: Records a rejected application.

Your code: svcgen created this file once and never changes it. A workflow step calls
`handle` with the workflow's ids and the execution's name (a natural idempotency key:
Step Functions retries a failed step). Return a small dict: the workflow keeps it as this
step's result; raise to fail the step (the workflow then compensates).
"""

from plumbing.observability import logger
from plumbing.runtime.tasks import TaskInput

# What svcgen set up for this function (import what you need):
#   from plumbing.publish import publish_account_opened
#   from plumbing.publish import publish_account_closed
#   from plumbing.publish import publish_application_rejected


def handle(task: TaskInput) -> dict:
    logger.info("reject-application step", extra={"ids": task.ids, "step": task.step})
    return {}
