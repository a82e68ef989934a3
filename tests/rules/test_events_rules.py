"""Rules of the events a service owns and publishes (SVC1701-SVC1708, SVC2701) and of what each
function publishes (SVC1710-SVC1712), each on a small build: a failing case at the right key and
line, and a passing one."""

from __future__ import annotations

from tests.rules.harness import fails, passes, where

OPENED = "  AccountOpened:\n    fields: {account_id: {type: string}}\n"
CLOSED = "  AccountClosed:\n    fields: {account_id: {type: string}}\n"


def accounts(publishes: str = "[AccountOpened, AccountClosed]", events: str = OPENED + CLOSED,
             functions: str = "  open: {}\n", extra: str = "") -> str:
    """The publisher: `publishes:` on line 4, `events:` on line 5 (its body from line 6), then
    `extra` top-level keys, then `functions:` with the body `functions` (indented 2)."""
    return (
        "service: accounts\n"
        "owner: team-accounts\n"
        "description: Opens and closes accounts.\n"
        f"publishes: {publishes}\n"
        + (f"events:\n{events}" if events else "")
        + extra
        + f"functions:\n{functions}"
    )


def notifications(event: str = "AccountOpened", publisher: str = "accounts") -> str:
    """A subscriber; its one subscription's `event:` is on line 7."""
    return (
        "service: notifications\n"
        "owner: team-engagement\n"
        "description: Tells customers.\n"
        "functions:\n"
        "  notify:\n"
        "    subscribe:\n"
        f"      - event: {event}\n"
        f"        from: {publisher}\n"
    )


# --- SVC1701: publishes lists each event once -------------------------------------------------------

def test_an_event_published_twice_is_refused_at_the_repeat():
    (error,) = fails("SVC1701", accounts(publishes="[AccountOpened, AccountClosed, AccountOpened]"))
    assert where([error]) == [("accounts.yaml", 4, "publishes[2]")]
    assert error.message == "must list each event once, got AccountOpened again"
    assert error.hint == "already at publishes[0]; remove one"


def test_distinct_published_events_are_fine():
    passes("SVC1701", accounts())


# --- SVC1702: event names are not Python keywords ----------------------------------------------------

def test_a_keyword_event_name_is_refused_in_publishes_and_the_store():
    errors = fails("SVC1702", accounts(publishes="[None]", events="", extra="event_store: {events: [None]}\n"))
    assert where(errors) == [("accounts.yaml", 4, "publishes[0]"), ("accounts.yaml", 5, "event_store.events[0]")]


def test_ordinary_event_names_are_fine():
    passes("SVC1702", accounts())


# --- SVC1703: every owned event has a contract ------------------------------------------------------

def test_a_published_event_without_a_contract_is_refused():
    (error,) = fails("SVC1703", accounts(events=OPENED))
    assert where([error]) == [("accounts.yaml", 4, "publishes[1]")]
    assert error.message == "every event a service owns needs a contract, got none for AccountClosed"


def test_a_contract_for_every_owned_event_is_fine():
    passes("SVC1703", accounts(extra="event_store: {events: [AccountOpened]}\n"))


# --- SVC1704: every contract is for an owned event ------------------------------------------------

def test_a_contract_nobody_publishes_or_stores_is_refused():
    (error,) = fails("SVC1704", accounts(publishes="[AccountOpened]"))
    assert where([error]) == [("accounts.yaml", 8, "events.AccountClosed")]
    assert error.hint == "add it to `publishes` or `event_store.events`"


def test_contracts_of_published_and_stored_events_are_fine():
    passes("SVC1704", accounts(publishes="[AccountOpened]", extra="event_store: {events: [AccountClosed]}\n"))


# --- SVC1705: list fields say their items ------------------------------------------------------------

def test_a_list_without_items_and_items_on_a_string_are_refused():
    events = ("  AccountOpened:\n    fields:\n      tags: {type: list}\n      name: {type: string, items: string}\n"
              + CLOSED)
    errors = fails("SVC1705", accounts(events=events))
    assert where(errors) == [("accounts.yaml", 8, "events.AccountOpened.fields.tags"),
                             ("accounts.yaml", 9, "events.AccountOpened.fields.name.items")]


def test_a_list_with_items_is_fine():
    events = "  AccountOpened:\n    fields:\n      tags: {type: list, items: string}\n" + CLOSED
    passes("SVC1705", accounts(events=events))


# --- SVC1706: field names svcgen or pydantic reserve -----------------------------------------------

def test_schema_version_and_model_fields_are_refused():
    events = ("  AccountOpened:\n    fields:\n      schema_version: {type: integer}\n"
              "      model_name: {type: string}\n" + CLOSED)
    errors = fails("SVC1706", accounts(events=events))
    assert where(errors) == [("accounts.yaml", 8, "events.AccountOpened.fields.schema_version"),
                             ("accounts.yaml", 9, "events.AccountOpened.fields.model_name")]


def test_ordinary_field_names_are_fine():
    passes("SVC1706", accounts())


# --- SVC1707: a subscription's publisher is in the build ---------------------------------------------

def test_a_subscription_to_a_service_outside_the_build_is_refused():
    (error,) = fails("SVC1707", notifications(publisher="cards"))
    assert where([error]) == [("notifications.yaml", 7, "functions.notify.subscribe[0]")]
    assert error.hint == ("put cards.yaml beside platform.yaml, or pass the manifest its build wrote with "
                          "--manifests PATH")


def test_a_subscription_to_a_service_in_the_build_is_fine():
    passes("SVC1707", notifications(), accounts())


# --- SVC1708: model class names are distinct ------------------------------------------------------

SUBSCRIBES_TO_OWN_STORE = "  project:\n    subscribe:\n      - store: AccountOpened\n"


def test_a_published_stored_name_and_a_stored_event_are_one_class():
    events = OPENED + "  StoredAccountOpened:\n    fields: {account_id: {type: string}}\n"
    (error,) = fails("SVC1708", accounts(publishes="[StoredAccountOpened]", events=events,
                                         extra="event_store: {events: [AccountOpened]}\n",
                                         functions=SUBSCRIBES_TO_OWN_STORE))
    assert where([error]) == [("accounts.yaml", 4, "publishes[0]")]
    assert error.message == "the model name StoredAccountOpened is taken by AccountOpened of accounts"


def test_distinct_model_names_are_fine():
    passes("SVC1708", accounts(extra="event_store: {events: [AccountOpened]}\n", functions=SUBSCRIBES_TO_OWN_STORE))


# --- SVC2701: a bus subscription names an event its publisher publishes ------------------------------

def test_a_subscription_to_an_event_the_publisher_does_not_publish_gets_the_close_match():
    (error,) = fails("SVC2701", notifications(event="AccountOpend"), accounts())
    assert where([error]) == [("notifications.yaml", 7, "functions.notify.subscribe[0].event")]
    assert error.message == "must be an event that accounts publishes, got AccountOpend"
    assert error.hint == "did you mean `AccountOpened`? accounts.yaml publishes: AccountOpened, AccountClosed"


def test_a_subscription_to_a_published_event_is_fine():
    passes("SVC2701", notifications(), accounts())


# --- SVC1710: a function publishes only its service's events -------------------------------------------

def test_a_function_publishing_an_event_of_no_one_gets_the_close_match():
    errors = fails("SVC1710", accounts(functions="  open:\n    publishes: [AccountOpened, AcountClosed, Welcomed]\n"))
    assert where(errors) == [("accounts.yaml", 12, "functions.open.publishes[1]"),
                             ("accounts.yaml", 12, "functions.open.publishes[2]")]
    assert errors[0].message == "must be an event the service publishes, got AcountClosed"
    assert errors[0].hint == "did you mean `AccountClosed`? the service publishes: AccountOpened, AccountClosed"
    assert errors[1].hint == ("the service publishes: AccountOpened, AccountClosed; add Welcomed to the service's "
                              "`publishes` (with a contract) first")


def test_a_function_of_a_service_that_publishes_nothing_may_declare_only_nothing():
    (error,) = fails("SVC1710", accounts(publishes="[]", events="", functions="  open: {publishes: [AccountOpened]}\n"))
    assert error.hint.startswith("the service publishes: nothing;")
    passes("SVC1710", accounts(publishes="[]", events="", functions="  open: {publishes: []}\n"))


def test_a_function_publishing_some_of_its_services_events_is_fine():
    passes("SVC1710", accounts(functions="  open: {publishes: [AccountOpened]}\n  close: {publishes: []}\n"))


# --- SVC1711: a function lists each event once ---------------------------------------------------------

def test_a_function_publishing_an_event_twice_is_refused_at_the_repeat():
    (error,) = fails("SVC1711", accounts(functions="  open:\n    publishes: [AccountOpened, AccountOpened]\n"))
    assert where([error]) == [("accounts.yaml", 12, "functions.open.publishes[1]")]
    assert error.hint == "already at functions.open.publishes[0]; remove one"


def test_distinct_function_events_are_fine():
    passes("SVC1711", accounts(functions="  open:\n    publishes: [AccountOpened, AccountClosed]\n"))


# --- SVC1712: once functions declare, every event has a publisher ----------------------------------------

def test_an_event_no_declaring_function_publishes_is_a_warning_naming_the_silent_functions():
    (warning,) = fails("SVC1712", accounts(functions="  open: {publishes: [AccountOpened]}\n  close: {}\n"))
    assert warning.severity == "warning"
    assert where([warning]) == [("accounts.yaml", 4, "publishes[1]")]
    assert warning.message == ("must be published by some function, got AccountClosed, which no function's "
                               "`publishes` lists; close declares no `publishes`, so may publish nothing")


def test_no_declarations_or_every_event_declared_is_fine():
    passes("SVC1712", accounts(functions="  open: {}\n  close: {}\n"))  # service-wide: both may publish both
    passes("SVC1712", accounts(functions="  open: {publishes: [AccountOpened]}\n  close: {publishes: [AccountClosed]}\n"
                               "  read: {}\n"))
