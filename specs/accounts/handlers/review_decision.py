"""review-decision: A compliance reviewer approves or rejects a paused onboarding.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/review_decision.py) routes `POST /reviews/{review_id}/decision` here after validating
the request against the models below (refine them); the response is validated against
ReviewDecisionResponse.

The reviewer's tooling took the task token from the compliance-review queue; the decision resumes
that execution, whose `choose` step reads `review.decision`. The token is the capability: the
review id is recorded with the decision, not checked against the token (nothing here maps one
to the other).
"""

from typing import Literal

from aws_lambda_powertools.event_handler.exceptions import BadRequestError, ServiceError
from botocore.exceptions import ClientError
from plumbing.observability import logger
from plumbing.workflow import approve, reject
from pydantic import BaseModel, ConfigDict, Field, model_validator

# Step Functions' answers for a token that no execution is waiting on any more.
GONE = {"TaskDoesNotExist", "TaskTimedOut"}


class ReviewDecisionRequest(BaseModel):
    # Unknown fields are a client error (422), not silently dropped.
    model_config = ConfigDict(extra="forbid")

    task_token: str = Field(min_length=1, max_length=2048, repr=False)  # a bearer capability: never logged
    decision: Literal["approved", "rejected"]
    reason: str | None = Field(None, min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _a_rejection_says_why(self):
        if self.decision == "rejected" and self.reason is None:
            raise ValueError("a rejection needs a reason")
        return self


class ReviewDecisionResponse(BaseModel):
    review_id: str
    decision: str


def handle(*, review_id: str, request: ReviewDecisionRequest) -> ReviewDecisionResponse:
    try:
        if request.decision == "approved":
            approve(request.task_token, review_id=review_id, **({"reason": request.reason} if request.reason else {}))
        else:
            reject(request.task_token, request.reason, review_id=review_id)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code in GONE:
            raise ServiceError(409, f"review {review_id} is no longer waiting for a decision ({code})") from None
        if code == "InvalidToken":
            raise BadRequestError(f"review {review_id}: the task token is not valid") from None
        raise
    logger.info("review decided", extra={"review_id": review_id, "decision": request.decision})
    return ReviewDecisionResponse(review_id=review_id, decision=request.decision)
