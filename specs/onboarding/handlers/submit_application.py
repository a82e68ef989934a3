"""submit-application: Receives a new application and announces it.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/submit_application.py) routes `POST /applications` here after validating
the request against the models below (refine them); the response is validated against
SubmitApplicationResponse.
"""

import uuid
from datetime import UTC, date, datetime

from plumbing.observability import logger
from plumbing.publish import publish_application_submitted
from pydantic import BaseModel, ConfigDict, Field, field_validator

# Accounts are for adults; an application for a minor is a client error (422), not a KYC case.
MINIMUM_AGE = 18


class SubmitApplicationRequest(BaseModel):
    # Unknown fields are a client error (422), not silently dropped.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Personal data: kept out of reprs, and the contract marks it sensitive (masked in logs).
    applicant_name: str = Field(min_length=1, max_length=200, repr=False)
    date_of_birth: date = Field(repr=False)
    # Shape only: whether the address works is for the confirmation mail to find out.
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", repr=False)

    @field_validator("date_of_birth")
    @classmethod
    def _an_adult(cls, born: date) -> date:
        today = datetime.now(UTC).date()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age < MINIMUM_AGE:
            raise ValueError(f"the applicant must be at least {MINIMUM_AGE}")
        return born


class SubmitApplicationResponse(BaseModel):
    application_id: str
    status: str = "submitted"


def handle(*, request: SubmitApplicationRequest) -> SubmitApplicationResponse:
    application_id = f"app-{uuid.uuid4().hex}"
    # Announcing it is the whole job: accounts' onboarding workflow starts from this event.
    publish_application_submitted(application_id=application_id, applicant_name=request.applicant_name,
                                  date_of_birth=request.date_of_birth, email=request.email,
                                  submitted_at=datetime.now(UTC))
    logger.info("application submitted", extra={"application_id": application_id})
    return SubmitApplicationResponse(application_id=application_id)
