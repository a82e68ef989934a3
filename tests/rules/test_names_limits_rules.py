"""Names and limits (generator/concerns/service/names.py, limits.py): reserved service names
(SVC1910), logical IDs before rendering (SVC1010) and in the template (SVC3001), physical names
across the fleet (SVC2910), CloudFormation's template quotas (SVC3002–SVC3008) and Lambda's
environment and tag limits (SVC1011, SVC1012).

Template rules run on a `TemplateContext` built here the way the check phase builds it: the spec
resolved and rendered in memory, serialized as it is written.
"""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path

import pytest

from generator.render_context import RenderContext
from generator.concerns.service import limits
from generator.concerns.service.names import derived_ids
from generator.render import render_service
from generator.resolve import resolve_service
from generator.rules import registry
from generator.rules.base import TemplateContext, TemplateRule
from generator.serialize import to_yaml
from generator.spec.load import load_text
from generator.spec.model import ServiceSpec
from generator.spec.platform import PlatformSpec
from generator.spec.validate import validate_document
from generator.stages import resolve_stage
from tests.rules import harness
from tests.rules.harness import PLATFORM_YAML, where

ROOT = Path(__file__).resolve().parents[2]


# --- a harness for template rules, and the spec/fleet harness for the others ------------------

def json_text(template: dict) -> str:
    return json.dumps(template, indent=1, sort_keys=True)


_RENDERED: dict[tuple, TemplateContext] = {}


def template_context(text: str, stage: str = "dev", platform: str = PLATFORM_YAML, mutate=None,
                     serialize=json_text) -> TemplateContext:
    """The check phase's TemplateContext for one inline spec; `mutate(template)` may change the
    rendered template (for quotas a spec cannot reach) before it is serialized. The check phase
    serializes as YAML (`to_yaml`, what is written and uploaded); only SVC3006 reads the text, so
    the other tests take JSON, which is many times faster to write for a 500-resource template."""
    key = (text, stage, platform, serialize)
    if mutate is None and key in _RENDERED:
        return _RENDERED[key]
    text = textwrap.dedent(text)
    name = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("service:"))
    doc = load_text(text, f"{name}.yaml")
    spec = validate_document(doc, ServiceSpec)
    plat = validate_document(load_text(textwrap.dedent(platform), "platform.yaml"), PlatformSpec)
    ctx = render_service(resolve_service(spec, plat, resolve_stage(stage, plat)))
    template = ctx.template.to_dict()
    if mutate is not None:
        mutate(template)
    result = TemplateContext(doc, spec, plat, template, serialize(template), dict(ctx.origins),
                             collisions=tuple(ctx.collisions))
    if mutate is None:
        _RENDERED[key] = result
    return result


def run(rule_id: str, *texts: str, platform: str = PLATFORM_YAML, stage: str = "dev", mutate=None,
        serialize=json_text):
    rule = registry.rule(rule_id)
    assert isinstance(rule, TemplateRule), rule_id
    found = sorted(rule.check(template_context(texts[0], stage, platform, mutate, serialize)))
    assert all(e.rule == rule_id and e.severity == rule.severity for e in found)
    return found


def fails(rule_id: str, *texts: str, platform: str = PLATFORM_YAML, stage: str = "dev", mutate=None,
          serialize=json_text):
    if not isinstance(registry.rule(rule_id), TemplateRule):
        return harness.fails(rule_id, *texts, platform=platform)
    found = run(rule_id, *texts, platform=platform, stage=stage, mutate=mutate, serialize=serialize)
    assert found, f"{rule_id} found nothing"
    return found


def passes(rule_id: str, *texts: str, platform: str = PLATFORM_YAML, stage: str = "dev", mutate=None,
           serialize=json_text) -> None:
    if not isinstance(registry.rule(rule_id), TemplateRule):
        return harness.passes(rule_id, *texts, platform=platform)
    found = run(rule_id, *texts, platform=platform, stage=stage, mutate=mutate, serialize=serialize)
    assert found == [], [e.render() for e in found]


def service(name: str = "ledger", functions: str = "  post: {}\n", extra: str = "") -> str:
    return f"service: {name}\nowner: team\ndescription: d\n{extra}functions:\n{functions}"


SUBSCRIBER = "    subscribe: [{event: AccountOpened, from: accounts}]\n"


def many_subscribers(count: int) -> str:
    return service(functions="".join(f"  consumer-{i}:\n{SUBSCRIBER}" for i in range(count)))


def demo_texts() -> list[str]:
    return [p.read_text() for p in sorted((ROOT / "specs").glob("*.yaml")) if p.name != "platform.yaml"]


# --- SVC1910 reserved service names -----------------------------------------------------------

def test_svc1910_platform_is_reserved():
    (error,) = fails("SVC1910", service("platform"))
    assert where([error]) == [("platform.yaml", 1, "service")]
    assert "the platform stack's" in error.message and error.hint == "rename the service"
    passes("SVC1910", service("platforms"))
    passes("SVC1910", service("ledger"))


# --- SVC1010 / SVC3001 logical IDs ------------------------------------------------------------

CHARGE = service("billing", "  charge: {}\n  charge-role: {}\n")


def test_svc1010_a_function_named_like_anothers_role():
    (error,) = fails("SVC1010", CHARGE)
    assert where([error]) == [("billing.yaml", 6, "functions.charge-role")]
    assert error.message == ("function 'charge-role' renders the logical ID 'ChargeRole' for its Lambda function, "
                             "which is also the IAM role of function 'charge' (billing.yaml:5:3); CloudFormation "
                             "needs each logical ID once")
    passes("SVC1010", service("billing", "  charge: {}\n  charge-roles: {}\n"))


@pytest.mark.parametrize("functions, culprit, also", [
    (f"  settle:\n{SUBSCRIBER}  settle-dlq: {{}}\n", "settle-dlq", "DLQ of function 'settle'"),
    (f"  settle:\n{SUBSCRIBER}  settle-queue: {{}}\n", "settle-queue", "queue of function 'settle'"),
    ("  settle: {}\n  settle-log-group: {}\n", "settle-log-group", "log group of function 'settle'"),
    (f"  events:\n{SUBSCRIBER}", "events", "DLQ of undeliverable events of the service"),
    (f"  events-dlq: {{}}\n  post:\n{SUBSCRIBER}", "events-dlq", "DLQ of undeliverable events of the service"),
    ("  http-api: {}\n  get:\n    http: GET /x\n", "http-api", "HTTP API of the service"),
    ("  code-key: {}\n", "code-key", "stack parameter of the service"),
    ("  encryption-key: {}\n", "encryption-key", "KMS key of the service"),
])
def test_svc1010_common_cases(functions, culprit, also):
    (error,) = fails("SVC1010", service("billing", functions))
    assert error.path == f"functions.{culprit}" and also in error.message


def test_svc1010_predicts_only_ids_that_are_rendered():
    """No false alarm: every ID SVC1010 predicts is in the rendered (persistent) template."""
    texts = demo_texts() + [(ROOT / "tests" / "tuned" / "cards.yaml").read_text(), CHARGE,
                            service("billing", f"  events:\n{SUBSCRIBER}  get:\n    http: GET /x\n"
                                    "    idempotency: {key: id}\n")]
    for text in texts:
        ctx = template_context(text, "dev")
        rendered = set(ctx.template["Resources"]) | set(ctx.template.get("Parameters", {}))
        predicted = {d.logical_id for d in derived_ids(ctx.spec, ctx.platform)}
        assert predicted <= rendered, (ctx.spec.service, sorted(predicted - rendered))


def test_rendering_never_raises_on_a_duplicate_and_records_it():
    ctx = template_context(CHARGE)
    (collision,) = ctx.collisions
    assert (collision.title, collision.kept_type, collision.dropped_type) == \
           ("ChargeRole", "AWS::Lambda::Function", "AWS::IAM::Role")
    assert (collision.kept_origin, collision.dropped_origin) == (("functions", "charge-role"), ("functions", "charge"))
    assert ctx.template["Resources"]["ChargeRole"]["Type"] == "AWS::Lambda::Function"


def test_svc3001_reports_each_collision_at_the_function_that_made_it():
    (error,) = fails("SVC3001", CHARGE)
    assert where([error]) == [("billing.yaml", 6, "functions.charge-role")]
    assert error.message == ("function 'charge-role' renders the logical ID 'ChargeRole' (Lambda function), which "
                             "function 'charge' (billing.yaml:5:3) renders too (IAM role); CloudFormation needs each "
                             "logical ID once")
    passes("SVC3001", service("billing", "  charge: {}\n  charge-roles: {}\n"))


def test_svc3001_parameters_and_outputs_collide_too():
    errors = fails("SVC3001", service("billing", f"  events:\n{SUBSCRIBER}  code-key: {{}}\n"))
    messages = sorted(e.message for e in errors)
    assert {e.path for e in errors} == {"functions.events", "functions.code-key"}
    assert any("'CodeKey' (Lambda function)" in m and "(stack parameter)" in m for m in messages)
    assert any("'EventsDlq' (SQS queue)" in m for m in messages)
    assert any("'EventsDlq' (SQS queue), which svcgen renders for the service itself too (SQS queue)" in m
               for m in messages)
    # Both export `events-dlq-arn` too: the same mistake, not said twice.
    assert not any("'EventsDlqArn'" in m for m in messages)


def test_render_context_takes_more_than_troposphere_allows():
    """troposphere raises at 500 resources (MAX_RESOURCES) and 200 outputs; the quotas are rules."""
    ctx = template_context(many_subscribers(52))
    assert len(ctx.template["Resources"]) > 500 and len(ctx.template["Outputs"]) > 200 and not ctx.collisions


def test_a_plain_troposphere_template_still_records_collisions():
    from troposphere import Template
    from troposphere.sqs import Queue

    from tests.unit.helpers import resolved

    ctx = RenderContext(resolved(service()), template=Template())
    ctx.add(Queue("Q"), ("functions", "a"))
    ctx.add(Queue("Q"), ("functions", "b"))
    assert [c.dropped_origin for c in ctx.collisions] == [("functions", "b")]


# --- SVC2910 physical names across the fleet --------------------------------------------------

CARD = service("card", "  transactions-settle: {}\n")
CARD_TRANSACTIONS = service("card-transactions", "  settle: {}\n")


def test_svc2910_two_services_spell_one_name():
    first, second = fails("SVC2910", CARD, CARD_TRANSACTIONS)
    assert where([first, second]) == [("card-transactions.yaml", 5, "functions.settle"),
                                      ("card.yaml", 5, "functions.transactions-settle")]
    assert "function 'transactions-settle' of service 'card' (card.yaml:5:3)" in first.message
    assert "function 'settle' of service 'card-transactions' (card-transactions.yaml:5:3)" in second.message
    assert "'acme-dev-card-transactions-settle' (Lambda function)" in first.message
    assert "'acme-dev-card-transactions-settle-role' (IAM role)" in first.message
    assert "more" in first.message  # log group, alarms and the export clash too


def test_svc2910_within_one_service():
    """A workflow's role is `<workflow>-workflow-role`: a function `onboard-workflow` has it too."""
    text = service("accounts", "  onboard-workflow: {}\n  step: {}\n",
                   "workflows:\n  onboard:\n    steps:\n      - call: step\n")
    errors = fails("SVC2910", text)
    assert {e.path for e in errors} == {"functions.onboard-workflow", "workflows.onboard"}
    assert all("acme-dev-accounts-onboard-workflow-role" in e.message for e in errors)


def test_svc2910_passes_the_demo_fleet():
    passes("SVC2910", CARD, service("card-transaction", "  settle: {}\n"))
    texts = demo_texts()
    passes("SVC2910", *texts, platform=(ROOT / "specs" / "platform.yaml").read_text())


# --- SVC3002–SVC3008 CloudFormation quotas ----------------------------------------------------

def test_svc3002_resources_name_what_to_split():
    (error,) = fails("SVC3002", many_subscribers(40))
    assert error.path == "functions"
    assert error.message.startswith("a service renders at most 500 resources, got 527 in stage dev: "
                                    "functions.* 520 (40 functions, 13 each), the service itself 5, alerts 2;")
    assert error.hint == "move some functions into a new service: each service is its own stack"
    passes("SVC3002", many_subscribers(40), stage="pr-1")  # no alarms in an ephemeral stage: 367
    passes("SVC3002", many_subscribers(3))


def test_svc3003_outputs():
    (error,) = fails("SVC3003", many_subscribers(50))
    assert error.message.startswith("a service renders at most 200 outputs, got 202 in stage dev: "
                                    "functions.* 200 (50 functions, 4 each)")
    passes("SVC3003", many_subscribers(49))


def _add(section: str, count: int):
    def mutate(template):
        template.setdefault(section, {}).update({f"Extra{i}": {"Type": "String"} for i in range(count)})
    return mutate


def test_svc3004_svc3005_parameters_and_mappings():
    (error,) = fails("SVC3004", service(), mutate=_add("Parameters", 200))
    assert error.message == "a template declares at most 200 parameters, got 201 in stage dev"
    passes("SVC3004", service(), mutate=_add("Parameters", 199))
    (error,) = fails("SVC3005", service(), mutate=_add("Mappings", 201))
    assert error.message == "a template declares at most 200 mappings, got 201 in stage dev"
    passes("SVC3005", service(), mutate=_add("Mappings", 200))


def test_svc3006_template_size_from_s3():
    big = "x" * 4000
    text = service(functions="".join(f"  fn-{i}:\n    environment: {{BLOB: {big}}}\n" for i in range(150)))
    ctx = template_context(text, "pr-1")
    assert len(ctx.text.encode()) > 1_000_000 and len(ctx.template["Resources"]) < 500
    (error,) = fails("SVC3006", text, stage="pr-1")
    assert error.path == "functions"
    assert error.message.startswith(f"a template read from S3 is at most 1,000,000 bytes, got {len(ctx.text):,} in "
                                    "stage pr-1; its resources by spec key: functions.* 98% (150 functions, 1% each), "
                                    "the service itself 2%")  # the KMS key's policy names every log group
    passes("SVC3006", service(functions="".join(f"  fn-{i}:\n    environment: {{BLOB: {big}}}\n" for i in range(100))),
           stage="pr-1")


def test_svc3006_measures_the_yaml_as_written_and_not_the_inline_limit():
    """Beyond the 51,200 bytes of an inline template body, but svcgen deploys from S3: no finding."""
    big = "x" * 4000
    text = service(functions="".join(f"  fn-{i}:\n    environment: {{BLOB: {big}}}\n" for i in range(15)))
    assert len(template_context(text, "pr-1", serialize=to_yaml).text.encode()) > 51_200
    passes("SVC3006", text, stage="pr-1", serialize=to_yaml)


def test_svc3007_logical_ids():
    def long_id(template):
        template["Resources"]["A" * 256] = template["Resources"].pop("Post")

    def odd_id(template):
        template["Outputs"]["Post-Arn"] = template["Outputs"].pop("PostFunctionArn")

    (error,) = fails("SVC3007", service(), mutate=long_id)
    assert error.path == "service" and "is 256 characters, more than 255" in error.message
    (error,) = fails("SVC3007", service(), mutate=odd_id)
    assert "the output logical ID 'Post-Arn' is not alphanumeric" in error.message
    passes("SVC3007", service(functions="  " + "f" * 40 + ":\n" + SUBSCRIBER))


def test_svc3008_export_names():
    def rename(name):
        def mutate(template):
            template["Outputs"]["PostFunctionArn"]["Export"]["Name"] = name
        return mutate

    (error,) = fails("SVC3008", service(), mutate=rename("acme.dev.ledger.post"))
    assert error.path == "functions.post" and "letters, digits, `:` and `-`" in error.message
    (error,) = fails("SVC3008", service(), mutate=rename("a" * 256))
    assert "at most 255 characters, got 256" in error.message

    def duplicate(template):
        template["Outputs"]["Copy"] = copy.deepcopy(template["Outputs"]["PostFunctionArn"])

    (error,) = fails("SVC3008", service(), mutate=duplicate)
    assert "export names are unique, got 'acme-dev-ledger-post-function-arn'" in error.message
    passes("SVC3008", many_subscribers(3))


# The demo's and the tuned platform's templates pass every template rule: tests/test_golden.py builds
# them through pipeline.check, which runs them all.


# --- SVC1011 environment size, SVC1012 tags ---------------------------------------------------

def test_svc1011_environment_with_what_svcgen_adds():
    text = service(functions="  post:\n    environment: {BLOB: " + "x" * 3900 + "}\n")
    (error,) = fails("SVC1011", text)
    assert error.path == "functions.post.environment"
    assert "got about 4,097: 3,911 from its `environment` (1 variable, the largest BLOB with 3,900 bytes)" \
        in error.message and "SVCGEN_STAGE" in error.message
    assert "Secrets Manager" in error.hint
    # The spec's own 3,911 bytes fit 4 KB, only svcgen's variables make it too big.
    assert limits.environment_bytes({"BLOB": "x" * 3900}) < 4096
    passes("SVC1011", service(functions="  post:\n    environment: {BLOB: " + "x" * 3600 + "}\n"))
    passes("SVC1011", *demo_texts(), platform=(ROOT / "specs" / "platform.yaml").read_text())


def test_svc1011_estimate_covers_what_is_rendered():
    """What SVC1011 counts for svcgen's variables is at least what a build in the longest stage
    renders: the same names (or more), and values at least as long."""
    stage = "s" * limits.STAGE_MAX
    platform_text = (ROOT / "specs" / "platform.yaml").read_text()
    for text in demo_texts():
        ctx = template_context(text, stage, platform_text)
        resources = ctx.template["Resources"]
        for name, fn in ctx.spec.functions.items():
            estimate = limits.svcgen_environment(ctx.spec, ctx.platform, name)
            from generator.naming import logical
            rendered = resources[logical(name)]["Properties"]["Environment"]["Variables"]
            assert set(rendered) - set(fn.environment) <= set(estimate), name
            for key, value in rendered.items():
                if isinstance(value, str) and key not in fn.environment:
                    assert estimate[key] >= len(value), (name, key)
                elif isinstance(value, dict) and "Ref" in value:
                    props = resources[value["Ref"]]["Properties"]
                    physical = props.get("TableName") or props.get("QueueName")
                    assert physical is None or estimate[key] >= len(physical), (name, key)


def tags(count: int, extra: str = "") -> str:
    body = ", ".join(f"t{i}: v" for i in range(count))
    return f"tags: {{{body}{extra}}}\n"


def test_svc1012_tags_count_svcgens_own():
    (error,) = fails("SVC1012", service(extra=tags(47)))
    assert where([error]) == [("ledger.yaml", 4, "tags")]
    assert error.message == ("a resource carries at most 50 tags, got 51: 47 from `tags` and the 4 svcgen adds to "
                             "every resource (service, owner, stage, managed-by)")
    passes("SVC1012", service(extra=tags(46)))
    passes("SVC1012", service(extra=tags(46, ", owner: x, stage: y")))  # svcgen's keys replace, not add


def test_svc1010_leaves_names_that_differ_in_dashes_to_svc1001():
    text = service("billing", "  post-1: {}\n  post1: {}\n")
    passes("SVC1010", text)
    fails("SVC1001", text)
