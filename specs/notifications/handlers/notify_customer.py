"""notify-customer: Sends an e-mail or push message for each milestone a customer cares about.

Your code: svcgen created this file once and never changes it. The plumbing
(plumbing/notify_customer.py) calls `handle` once per valid event from the queue. Raise to have
that event retried (after max_receive_count it moves to the dead-letter queue); add a second
parameter, `context`, if you need the Lambda context.

A message's text holds personal data (a name, the end of an IBAN) and its recipient may be an
e-mail address. The logger masks sensitive *fields*, not words inside a text, so neither the
text nor the recipient is ever logged: only the event type, the channel and the subject.
"""

from dataclasses import dataclass

from plumbing.models import (
    AccountClosed,
    AccountOpened,
    ApplicationRejected,
    ApplicationSubmitted,
    PaymentFailed,
    PaymentSettled,
    StoredTransactionPosted,
)
from plumbing.observability import logger

# The events this function subscribes to.
Received = (
    AccountOpened
    | AccountClosed
    | ApplicationSubmitted
    | ApplicationRejected
    | PaymentSettled
    | PaymentFailed
    | StoredTransactionPosted
)


@dataclass(frozen=True)
class Message:
    # An e-mail address, or the id of whom it is for ("customer:…", "account:…", "application:…"):
    # the messaging provider holds the contacts, this service never sees them.
    to: str
    channel: str  # email | push
    subject: str
    body: str


def handle(event: Received) -> None:
    message = message_for(event)
    deliver(message)
    # The subject is a fixed text per event type; the body and the recipient are personal data.
    logger.info("customer notified", extra={"notification": type(event).__name__, "channel": message.channel,
                                            "subject": message.subject})


def message_for(event: Received) -> Message:
    match event:
        case ApplicationSubmitted():
            return Message(event.email, "email", "We received your application",
                           f"Dear {event.applicant_name}, thank you for applying. Your reference is "
                           f"{event.application_id}; we will write again once we have checked it.")
        case ApplicationRejected():
            return Message(f"application:{event.application_id}", "email", "Your application",
                           f"We are sorry: we cannot open an account for application {event.application_id} "
                           f"({event.reason}).")
        case AccountOpened():
            return Message(f"customer:{event.customer_id}", "email", "Your account is open",
                           f"Your {event.currency} account ending in {event.iban[-4:]} is open and ready to use.")
        case AccountClosed():
            return Message(f"account:{event.account_id}", "email", "Your account is closed",
                           f"Your account was closed on {event.closed_at:%d %B %Y}.")
        case PaymentSettled():
            return Message(f"account:{event.account_id}", "push", "Payment sent",
                           f"Your payment of {money(event.amount, event.currency)} has been made.")
        case PaymentFailed():
            return Message(f"account:{event.account_id}", "push", "Payment not sent",
                           f"Your payment {event.payment_id} could not be made: {event.reason}.")
        case StoredTransactionPosted():  # only large ones: the subscription filters amount >= 100.00
            return Message(f"account:{event.account_id}", "push", "Large transaction",
                           f"A transaction of {money(event.amount, event.currency)} was posted to your account.")
    raise TypeError(f"no message for {type(event).__name__}")


def money(minor_units: int, currency: str) -> str:
    """Exact, from integer minor units: 123456 EUR -> "1,234.56 EUR" (no float on the way)."""
    sign, whole = ("-" if minor_units < 0 else ""), abs(minor_units)
    return f"{sign}{whole // 100:,}.{whole % 100:02d} {currency}"


def deliver(message: Message) -> None:
    """The messaging provider (e-mail, push) is a stand-in here: the demo sends nothing."""
