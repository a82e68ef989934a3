"""resubmit-application: Starts onboarding again for an application, directly (no event).

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/resubmit_application.py) routes `POST /applications/{id}/resubmit` here after validating
the request against the models below (refine them); the response is validated against
ResubmitApplicationResponse.
"""

from plumbing.observability import logger
from pydantic import BaseModel, ConfigDict

# What svcgen set up for this function (import what you need):
#   from plumbing.publish import publish_application_submitted
#   from plumbing.workflow import start_onboard_customer  # accounts.onboard-customer


class ResubmitApplicationRequest(BaseModel):
    # Unknown fields are a client error (422), not silently dropped.
    model_config = ConfigDict(extra="forbid")


class ResubmitApplicationResponse(BaseModel):
    id: str
    status: str = "ok"


def handle(*, id: str, request: ResubmitApplicationRequest) -> ResubmitApplicationResponse:
    logger.info("POST /applications/{id}/resubmit")
    return ResubmitApplicationResponse(id=id)
