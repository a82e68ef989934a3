"""get-balance: Returns an account's balance.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/get_balance.py) routes `GET /accounts/{id}/balance` here after validating
the request against the models below (refine them); the response is validated against
GetBalanceResponse.
"""

from plumbing.observability import logger
from pydantic import BaseModel

# What svcgen set up for this function (import what you need):
#   from plumbing.publish import publish_transaction_posted
#   from plumbing.publish import publish_balance_settled
#   from plumbing.store import load  # event store: read


class GetBalanceResponse(BaseModel):
    id: str
    status: str = "ok"


def handle(*, id: str) -> GetBalanceResponse:
    logger.info("GET /accounts/{id}/balance")
    return GetBalanceResponse(id=id)
