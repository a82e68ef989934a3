"""Function rules (SVC1001-SVC1006, SVC1020), each on a small build: a failing case at the right
key and line, and a passing one."""

from __future__ import annotations

import pytest

from generator import function_env
from generator.spec.model import ServiceSpec
from tests.rules.harness import fails, fleet_of, passes, where


def service(functions: str, extra: str = "") -> str:
    """A service `ledger` whose `functions:` body is `functions` (indented 2; its first line is
    line 5), `extra` top-level keys after it."""
    return (
        "service: ledger\n"
        "owner: team-ledger\n"
        "description: Keeps the ledger.\n"
        "functions:\n"
        f"{functions}"
        f"{extra}"
    )


# --- SVC1001: logical IDs differ ----------------------------------------------------------------

def test_names_that_differ_only_in_dashes_are_one_logical_id():
    (error,) = fails("SVC1001", service("  post-1: {}\n  post1: {}\n"))
    assert where([error]) == [("ledger.yaml", 6, "functions.post1")]
    assert "got 'post1' and 'post-1', which both become resource names starting 'Post1'" in error.message


def test_names_that_differ_in_letters_are_fine():
    passes("SVC1001", service("  post-1: {}\n  post-2: {}\n  post-entry: {}\n"))


# --- SVC1002: reserved environment names ----------------------------------------------------------

def test_a_lambda_reserved_name_is_refused():
    (error,) = fails("SVC1002", service("  post:\n    environment: {AWS_REGION: eu-west-1}\n"))
    assert where([error]) == [("ledger.yaml", 6, "functions.post.environment.AWS_REGION")]
    assert error.hint == "names starting with AWS_ are reserved by Lambda; rename it"


def test_a_name_svcgen_always_owns_is_refused_saying_what_it_holds():
    (error,) = fails("SVC1002", service("  post:\n    environment: {EVENT_BUS_NAME: mine}\n"))
    assert error.path == "functions.post.environment.EVENT_BUS_NAME"
    assert error.hint == f"svcgen sets EVENT_BUS_NAME itself, to {function_env.RESERVED['EVENT_BUS_NAME']}; rename it"


def test_an_own_environment_name_is_fine():
    passes("SVC1002", service("  post:\n    environment: {PARTNER_URL: 'https://partner.example.com'}\n"))


# --- SVC1003: Python keywords --------------------------------------------------------------------

def test_a_keyword_function_name_and_handler_part_are_refused():
    errors = fails("SVC1003", service("  class: {}\n  post:\n    handler: handlers.import.handle\n"))
    assert where(errors) == [("ledger.yaml", 5, "functions.class"), ("ledger.yaml", 7, "functions.post.handler")]


def test_names_that_are_not_keywords_are_fine():
    passes("SVC1003", service("  post:\n    handler: handlers.posting.handle\n"))


# --- SVC1004: names svcgen adds ---------------------------------------------------------------------

def test_the_store_publishers_name_is_refused():
    (error,) = fails("SVC1004", service("  store-publisher: {}\n"))
    assert where([error]) == [("ledger.yaml", 5, "functions.store-publisher")]


def test_another_name_is_fine():
    passes("SVC1004", service("  store-reader: {}\n"))


# --- SVC1005: one trigger ----------------------------------------------------------------------------

def test_a_route_that_also_subscribes_is_refused():
    (error,) = fails("SVC1005", service(
        "  post:\n    http: POST /entries\n    subscribe:\n      - {event: AccountOpened, from: accounts}\n"))
    assert where([error]) == [("ledger.yaml", 5, "functions.post")]
    assert error.message == "a function has one trigger, got subscribe and http"


def test_one_trigger_each_is_fine():
    passes("SVC1005", service(
        "  post:\n    http: POST /entries\n  on-open:\n    subscribe:\n      - {event: AccountOpened, from: accounts}\n"))


# --- SVC1006: handler modules ---------------------------------------------------------------------

def test_handlers_in_plumbing_shared_or_named_like_svcgens_modules_are_refused():
    errors = fails("SVC1006", service(
        "  post:\n    handler: plumbing.post.handle\n"
        "  read:\n    handler: handlers.shared.handle\n"
        "  write:\n    handler: handlers.shared.handle\n"
        "  models: {}\n"))
    assert where(errors) == [("ledger.yaml", 6, "functions.post.handler"), ("ledger.yaml", 10, "functions.write.handler"),
                             ("ledger.yaml", 11, "functions.models")]


def test_own_handler_modules_are_fine():
    passes("SVC1006", service("  post:\n    handler: handlers.posting.handle\n  read: {}\n"))


# --- SVC1020: names svcgen derives for the function -------------------------------------------------

ONBOARD = """\
  open:
    starts: [onboard]
    environment:
      WORKFLOW_ONBOARD_ARN: arn:aws:states:eu-west-1:123456789012:stateMachine:mine
  review:
    http: POST /reviews/{id}
    environment:
      COMPLIANCE_REVIEW_QUEUE_URL: https://sqs.example.com/mine
  kyc: {}
"""
WORKFLOW = """\
workflows:
  onboard:
    steps:
      - call: kyc
      - pause: compliance-review
        timeout: 3d
        reviewer: review
"""


def test_a_started_workflows_arn_and_a_review_queues_url_are_refused_saying_what_svcgen_sets():
    errors = fails("SVC1020", service(ONBOARD, WORKFLOW))
    assert where(errors) == [("ledger.yaml", 8, "functions.open.environment.WORKFLOW_ONBOARD_ARN"),
                             ("ledger.yaml", 12, "functions.review.environment.COMPLIANCE_REVIEW_QUEUE_URL")]
    assert errors[0].message == ("must not be a name svcgen sets on this function, got 'WORKFLOW_ONBOARD_ARN', which "
                                 "svcgen sets to the ARN of workflow ledger.onboard's state machine "
                                 "(`starts: [onboard]`)")
    assert "the URL of pause compliance-review's review queue" in errors[1].message
    assert {e.hint for e in errors} == {"rename it"}


def test_another_services_workflow_is_named_after_the_workflow_alone():
    spec = service("  open:\n    starts: [accounts.onboard-customer]\n"
                   "    environment: {WORKFLOW_ONBOARD_CUSTOMER_ARN: mine}\n")
    (error,) = fails("SVC1020", spec)
    assert "workflow accounts.onboard-customer's state machine" in error.message


def test_a_derived_name_on_a_function_svcgen_does_not_set_it_on_is_fine():
    # kyc neither starts the workflow nor reviews: svcgen sets neither name on it.
    spec = service(ONBOARD.replace("  kyc: {}\n", "  kyc:\n    environment: {WORKFLOW_ONBOARD_ARN: x, "
                                   "COMPLIANCE_REVIEW_QUEUE_URL: y}\n")
                   .replace("      WORKFLOW_ONBOARD_ARN:", "      ONBOARD_ARN:")
                   .replace("      COMPLIANCE_REVIEW_QUEUE_URL:", "      REVIEW_QUEUE:"), WORKFLOW)
    passes("SVC1020", spec)


def test_reserved_names_are_left_to_svc1002():
    spec = service("  post:\n    publishes: []\n    environment: {EVENT_STORE_TABLE: mine}\n", "publishes: []\n")
    passes("SVC1020", spec)
    fails("SVC1002", spec)


@pytest.mark.parametrize("declares", [False, True])
def test_derived_names_follow_what_the_function_may_publish(declares):
    spec = service("  post:" + (" {publishes: []}\n" if declares else " {}\n") + "  read: {}\n",
                   "publishes: [TransactionPosted]\nevents:\n  TransactionPosted:\n    fields: {id: {type: string}}\n")
    fleet = fleet_of(spec)
    parsed: ServiceSpec = fleet.services[0].spec
    derived = function_env.derived(parsed, fleet.platform, "post")
    if declares:  # `publishes: []`: no bus, no source
        assert "EVENT_BUS_NAME" not in derived and "EVENT_SOURCE" not in derived
    else:
        assert derived["EVENT_SOURCE"] == "`acme.ledger`, the service's event source"
    assert derived["POWERTOOLS_SERVICE_NAME"] == "`ledger`, the service's name"
