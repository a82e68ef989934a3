"""get-balance: Returns an account's balance.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/get_balance.py) routes `GET /accounts/{id}/balance` here after validating
the request against the models below (refine them); the response is validated against
GetBalanceResponse.

The balance is derived from the event store on every request (consistent read, so a posting
just made is included): project-balance's read model lives in another function's memory.
"""

from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from plumbing.store import load
from pydantic import BaseModel

from handlers.balances import balance_of


class GetBalanceResponse(BaseModel):
    account_id: str
    balance: int  # minor units, like every amount of the platform
    currency: str
    revision: int  # the account's last revision included: lets a caller tell two reads apart


def handle(*, id: str) -> GetBalanceResponse:
    balance = balance_of(id, load(id))
    if balance is None:
        raise NotFoundError(f"account {id} has no postings")
    return GetBalanceResponse(account_id=balance.account_id, balance=balance.balance, currency=balance.currency,
                              revision=balance.revision)
