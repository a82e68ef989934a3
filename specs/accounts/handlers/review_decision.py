"""review-decision: A compliance reviewer approves or rejects a paused onboarding.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/review_decision.py) routes `POST /reviews/{review_id}/decision` here after validating
the request against the models below (refine them); the response is validated against
ReviewDecisionResponse.
"""

from plumbing.observability import logger
from pydantic import BaseModel, ConfigDict

# What svcgen set up for this function (import what you need):
#   from plumbing.publish import publish_account_opened
#   from plumbing.publish import publish_account_closed
#   from plumbing.publish import publish_application_rejected
#   from plumbing.workflow import approve, reject  # compliance-review: task tokens in COMPLIANCE_REVIEW_QUEUE_URL


class ReviewDecisionRequest(BaseModel):
    # Unknown fields are a client error (422), not silently dropped.
    model_config = ConfigDict(extra="forbid")


class ReviewDecisionResponse(BaseModel):
    review_id: str
    status: str = "ok"


def handle(*, review_id: str, request: ReviewDecisionRequest) -> ReviewDecisionResponse:
    logger.info("POST /reviews/{review_id}/decision")
    return ReviewDecisionResponse(review_id=review_id)
