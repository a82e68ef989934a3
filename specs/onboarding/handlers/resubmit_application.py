"""resubmit-application: Starts onboarding again for an application, directly (no event).

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/resubmit_application.py) routes `POST /applications/{id}/resubmit` here after validating
the request against the models below (refine them); the response is validated against
ResubmitApplicationResponse.
"""

import re

from aws_lambda_powertools.event_handler.exceptions import BadRequestError
from plumbing.observability import logger
from plumbing.workflow import start_onboard_customer
from pydantic import BaseModel, ConfigDict

# The ids submit-application gives out; anything else cannot be an application of ours.
APPLICATION_ID = re.compile(r"app-[0-9a-z-]{1,64}")


class ResubmitApplicationRequest(BaseModel):
    # Unknown fields are a client error (422), not silently dropped.
    model_config = ConfigDict(extra="forbid")


class ResubmitApplicationResponse(BaseModel):
    id: str
    execution_arn: str
    status: str = "started"


def handle(*, id: str, request: ResubmitApplicationRequest) -> ResubmitApplicationResponse:
    if not APPLICATION_ID.fullmatch(id):
        raise BadRequestError(f"{id!r} is not an application id")
    # The execution is not named: each resubmission is a deliberate new attempt, which a fixed
    # name would refuse. The workflow's steps are idempotent on the application id instead.
    execution_arn = start_onboard_customer({"application_id": id})
    logger.info("onboarding started again", extra={"application_id": id, "execution_arn": execution_arn})
    return ResubmitApplicationResponse(id=id, execution_arn=execution_arn)
