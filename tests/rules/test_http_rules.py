"""The HTTP route rules (SVC1501–SVC1503, SVC1510–SVC1513) on small specs: route keys API Gateway
refuses at deploy (unbalanced braces, a parameter that is not a whole segment, empty segments, a
greedy parameter before the end) and ones the generated code cannot serve (repeated or
non-Python parameter names) fail at the function's `http:` line; well-formed routes pass."""

from __future__ import annotations

import pytest

from generator.codegen.functions import PARAM
from generator.concerns.http import rules as http_rules
from generator.rules import registry
from tests.rules.harness import fails, passes, where

OWN_IDS = ["SVC1501", "SVC1502", "SVC1503", "SVC1510", "SVC1511", "SVC1512", "SVC1513"]


def api(*routes: str, timeout: int | None = None) -> str:
    """A service whose functions `f1`, `f2`, … serve `routes`; the first route is on line 6."""
    lines = ["service: cards", "owner: team-cards", "description: Serves cards.", "functions:"]
    for i, route in enumerate(routes, 1):
        lines += [f"  f{i}:", f'    http: "{route}"']
        if timeout is not None:
            lines.append(f"    timeout: {timeout}")
    return "\n".join(lines) + "\n"


WELL_FORMED = ["GET /", "GET /cards", "GET /cards/{card_id}", "POST /cards/{card_id}/limits",
               "ANY /files/{proxy+}", "GET /v1.2/cards~x/a-b_c"]


# --- SVC1501–SVC1503 --------------------------------------------------------------------------

def test_a_route_is_served_once():
    found = fails("SVC1501", api("GET /cards", "GET /cards"))
    assert where(found) == [("cards.yaml", 8, "functions.f2.http")]
    passes("SVC1501", api("GET /cards", "POST /cards"))


def test_a_routed_function_times_out_within_30_seconds():
    found = fails("SVC1502", api("GET /cards", timeout=31))
    assert where(found) == [("cards.yaml", 7, "functions.f1.timeout")]
    passes("SVC1502", api("GET /cards", timeout=30))


@pytest.mark.parametrize("route, bad", [("GET /cards/{card-id}", "card-id"), ("POST /x/{request}", "request"),
                                        ("GET /x/{class}", "class"), ("GET /x/{_hidden}", "_hidden"),
                                        ("GET /x/{proxy+}", "proxy+")])
def test_path_parameters_are_python_names(route, bad):
    found = fails("SVC1503", api(route))
    assert where(found) == [("cards.yaml", 6, "functions.f1.http")]
    assert found[0].message == f"path parameters must be Python names, got {bad}"


def test_python_named_parameters_pass_and_malformed_ones_are_left_to_svc1510():
    passes("SVC1503", api("GET /cards/{card_id}/limits/{limit_id}"))
    passes("SVC1503", api("GET /a/{b{c}"))  # SVC1510's, reported once there


# --- SVC1510: a parameter is a whole segment ------------------------------------------------

@pytest.mark.parametrize("route, bad", [
    ("GET /a/{id", "'{id'"),
    ("GET /a/id}", "'id}'"),
    ("GET /files/{name}.json", "'{name}.json'"),
    ("GET /a/{}", "'{}'"),
    ("GET /a/{{id}}", "'{{id}}'"),
    ("GET /a/{b{c}", "'{b{c}'"),
    ("GET /a/{x}{y}", "'{x}{y}'"),
    ("GET /a/{+}", "'{+}'"),
    ("GET /a/{id}/b/{c", "'{c'"),
])
def test_a_parameter_must_be_a_whole_segment(route, bad):
    found = fails("SVC1510", api(route))
    assert where(found) == [("cards.yaml", 6, "functions.f1.http")]
    assert found[0].message == (f"a path parameter must be a whole segment `{{name}}` with matching braces, got {bad} "
                                f"in {route!r}")


def test_whole_segment_parameters_pass():
    passes("SVC1510", api(*WELL_FORMED))


# --- SVC1511: no empty segment --------------------------------------------------------------------

@pytest.mark.parametrize("route, fixed", [("GET /a//b", "/a/b"), ("GET /cards/", "/cards"),
                                          ("GET //", "/"), ("GET /a/{id}//", "/a/{id}")])
def test_a_route_has_no_empty_segment(route, fixed):
    found = fails("SVC1511", api(route))
    assert where(found) == [("cards.yaml", 6, "functions.f1.http")]
    assert found[0].hint == f"write {fixed!r}"


def test_routes_without_empty_segments_pass():
    passes("SVC1511", api(*WELL_FORMED))


# --- SVC1512: a greedy parameter is last -----------------------------------------------------------

def test_a_greedy_parameter_must_be_last():
    found = fails("SVC1512", api("GET /files/{proxy+}/meta"))
    assert where(found) == [("cards.yaml", 6, "functions.f1.http")]
    assert found[0].message == ("a greedy path parameter must be the last segment, got '{proxy+}' followed by 'meta' "
                                "in 'GET /files/{proxy+}/meta'")
    assert len(fails("SVC1512", api("GET /{a+}/{b+}/c"))) == 1  # one finding per route


def test_a_greedy_parameter_at_the_end_passes():
    passes("SVC1512", api("ANY /files/{proxy+}", "GET /{proxy+}", "GET /a/{proxy}/b"))


# --- SVC1513: parameter names are unique ------------------------------------------------------

def test_path_parameter_names_are_unique():
    found = fails("SVC1513", api("GET /a/{id}/b/{id}"))
    assert where(found) == [("cards.yaml", 6, "functions.f1.http")]
    assert found[0].message == "path parameter names must be unique in a route, got {id} twice in 'GET /a/{id}/b/{id}'"
    assert "{id}" in fails("SVC1513", api("GET /a/{id}/b/{id}/c/{id}"))[0].message
    assert fails("SVC1513", api("GET /a/{id}/{id+}"))  # greedy or not, one name


def test_distinct_parameter_names_pass():
    passes("SVC1513", api("GET /accounts/{account_id}/cards/{card_id}", *WELL_FORMED))


# --- the rules themselves -----------------------------------------------------------------------

def test_well_formed_parameters_are_what_the_code_generator_reads():
    """SVC1503 judges the parameters codegen's PARAM finds, once SVC1510 holds."""
    for route in WELL_FORMED + ["GET /accounts/{account_id}/cards/{card_id}"]:
        path = route.split(" ", 1)[1]
        assert [p + ("+" if g else "") for p, g in http_rules.parameters(route)] == PARAM.findall(path)


def test_rules_are_registered_in_the_http_range():
    rules = [r for r in registry.all_rules() if r.concern == "http"]
    assert sorted(r.id for r in rules) == OWN_IDS
    assert all(r.severity == "error" and r.source.startswith("https://") for r in rules)
