"""submit-application: Receives a new application and announces it.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/submit_application.py) routes `POST /applications` here after validating
the request against the models below (refine them); the response is validated against
SubmitApplicationResponse.
"""

from plumbing.observability import logger
from pydantic import BaseModel, ConfigDict

# What svcgen set up for this function (import what you need):
#   from plumbing.publish import publish_application_submitted


class SubmitApplicationRequest(BaseModel):
    # Unknown fields are a client error (422), not silently dropped.
    model_config = ConfigDict(extra="forbid")


class SubmitApplicationResponse(BaseModel):
    status: str = "ok"


def handle(*, request: SubmitApplicationRequest) -> SubmitApplicationResponse:
    logger.info("POST /applications")
    return SubmitApplicationResponse()
