"""Rules about the names svcgen derives from a spec: logical IDs unique in a template, physical
names unique in an account, and service names svcgen keeps for itself.

Every physical name is `{org}-{stage}-{service}-{resource}` (naming.py) and every logical ID is
the CamelCase of its parts, so two different specs can derive one name: service `card` with
function `transactions-settle` and service `card-transactions` with function `settle` both name a
function `acme-dev-card-transactions-settle`; a function `charge-role` next to `charge` renders the
logical ID `ChargeRole` twice. AWS refuses the second resource at deploy time (or, for a logical
ID, troposphere raised mid-render); these rules say which spec keys meet, in both files.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import Iterable, Iterator

from generator.naming import logical
from generator.rules.base import FleetRule, SpecRule, TemplateRule

RESOURCES_SECTION = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html"
STACK_NAME = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-using-console-create-stack-parameters.html"
# Names are unique per account and Region (IAM roles: per account); e.g. Lambda's CreateFunction
# fails with ResourceConflictException for a name that exists, CloudFormation with AlreadyExists.
NAMING = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html"

# Service names svcgen keeps, and what a service of that name would collide with.
RESERVED_SERVICES = {
    "platform": "the platform stack's: its stack `{org}-{stage}-platform`, its exports "
                "(`{org}-{stage}-platform-bus-name` ...) that every service imports, its build directory "
                "`<out>/<stage>/platform/`, and `platform.yaml`, where a `from: platform` would look for the spec",
}

# Resource type -> (the property that holds its physical name, what to call it in a message).
# API Gateway API names need not be unique and are left out.
PHYSICAL_NAMES = {
    "AWS::Lambda::Function": ("FunctionName", "Lambda function"),
    "AWS::IAM::Role": ("RoleName", "IAM role"),
    "AWS::SQS::Queue": ("QueueName", "SQS queue"),
    "AWS::Events::Rule": ("Name", "EventBridge rule"),
    "AWS::Logs::LogGroup": ("LogGroupName", "log group"),
    "AWS::DynamoDB::Table": ("TableName", "DynamoDB table"),
    "AWS::SNS::Topic": ("TopicName", "SNS topic"),
    "AWS::StepFunctions::StateMachine": ("StateMachineName", "state machine"),
    "AWS::CloudWatch::Alarm": ("AlarmName", "alarm"),
    "AWS::Pipes::Pipe": ("Name", "pipe"),
    "AWS::KMS::Alias": ("AliasName", "KMS alias"),
    "AWS::Scheduler::Schedule": ("Name", "schedule"),
}
EXPORT = "export"
RANK = {word: i for i, word in enumerate([word for _, word in PHYSICAL_NAMES.values()] + [EXPORT])}

TYPE_WORDS = {
    **{kind: word for kind, (_, word) in PHYSICAL_NAMES.items()},
    "AWS::SQS::QueuePolicy": "queue policy",
    "AWS::SNS::TopicPolicy": "topic policy",
    "AWS::Lambda::EventSourceMapping": "event source mapping",
    "AWS::Lambda::Permission": "Lambda permission",
    "AWS::KMS::Key": "KMS key",
    "AWS::ApiGatewayV2::Api": "HTTP API",
    "AWS::ApiGatewayV2::Route": "HTTP route",
    "AWS::ApiGatewayV2::Integration": "HTTP integration",
    "AWS::ApiGatewayV2::Stage": "HTTP API stage",
    "AWS::SNS::Subscription": "SNS subscription",
    "Parameter": "stack parameter",
    "Output": "output",
}


def owner_key(origin: tuple) -> tuple:
    """The spec key a rendered thing belongs to: `functions.<f>`, `workflows.<w>`, or the
    top-level key (`event_store`, `alerts`); the service itself for what has no origin."""
    origin = tuple(origin or ())
    if len(origin) >= 2 and origin[0] in ("functions", "workflows"):
        return origin[:2]
    return origin[:1] or ("service",)


def describe_owner(key: tuple) -> str:
    if len(key) == 2:
        return f"{'function' if key[0] == 'functions' else 'workflow'} {key[1]!r}"
    return "the service" if key == ("service",) else f"`{key[0]}`"


def culprit_score(key: tuple, title: str) -> int:
    """How much of logical ID `title` the owner's own name makes: the owner that is named like
    the other's derived ID (`charge-role` -> `ChargeRole`) is the one to rename."""
    if len(key) != 2:
        return -1
    own = logical(key[1])
    if own == title:
        return 10_000
    return len(own) if title.startswith(own) else -1


def at(doc, path: tuple) -> str:
    line, col = doc.locate(path)
    return f"{doc.file}:{line}:{col}"


class ServiceNameNotReserved(SpecRule):
    id = "SVC1910"
    concern = "service"
    summary = "the service is not named like something svcgen keeps for itself (`platform`)"
    rationale = "svcgen's platform stack is named `{org}-{stage}-platform` and exports " \
                "`{org}-{stage}-platform-…`: a service named `platform` would take its stack and export names, " \
                "and its build directory"
    source = STACK_NAME

    def check(self, ctx):
        reason = RESERVED_SERVICES.get(ctx.spec.service)
        if reason is not None:
            yield self.error(ctx.doc, ("service",), f"service names must not be one svcgen keeps, got "
                             f"{ctx.spec.service!r}, which is {reason}", "rename the service")


# --- logical IDs ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Derived:
    logical_id: str
    owner: tuple  # owner_key
    what: str  # e.g. "IAM role"


def derived_ids(spec, platform) -> list[Derived]:
    """Logical IDs that rendering `spec` is sure to produce (in a persistent stage), with the
    spec key each comes from. Only what rendering produces for certain: a collision found here is
    a collision in the template (tests check this set against rendered templates)."""
    from generator.concerns.alarms import render as alarms
    from generator.concerns.encryption import render as encryption
    from generator.concerns.event_store import render as event_store
    from generator.concerns.function import render as function
    from generator.concerns.http import render as http_api
    from generator.concerns.idempotency import render as idempotency
    from generator.concerns.subscription import render as subscription

    found: list[Derived] = []
    service = ("service",)

    def add(logical_id: str, owner: tuple, what: str) -> None:
        found.append(Derived(logical_id, owner, what))

    add(function.CODE_KEY_PARAMETER, service, "stack parameter")
    add(encryption.KEY, service, "KMS key")
    add(f"{encryption.KEY}Alias", service, "KMS alias")
    add(alarms.TOPIC, ("alerts",), "alerts topic")
    add(f"{alarms.TOPIC}Policy", ("alerts",), "alerts topic policy")
    consumers = any(fn.subscribe for fn in spec.functions.values()) or \
        any(wf.started_by for wf in spec.workflows.values())
    if consumers:
        add(subscription.EVENTS_DLQ, service, "DLQ of undeliverable events")
        add(f"{subscription.EVENTS_DLQ}Policy", service, "queue policy of the events DLQ")
        add(f"{subscription.EVENTS_DLQ}MessagesAlarm", service, "alarm on the events DLQ")
    if any(fn.http for fn in spec.functions.values()):
        add(http_api.API, service, "HTTP API")
        add(http_api.STAGE, service, "HTTP API stage")
        add(http_api.ACCESS_LOGS, service, "HTTP API access log group")
    if any(fn.idempotency for fn in spec.functions.values()):
        add(idempotency.TABLE, service, "idempotency table")
    if spec.event_store is not None:
        add(event_store.TABLE, ("event_store",), "event store table")
    for name, fn in spec.functions.items():
        owner, base = ("functions", name), logical(name)
        for suffix, what in (("", "Lambda function"), ("LogGroup", "log group"), ("Role", "IAM role"),
                             ("ErrorsAlarm", "errors alarm"), ("ThrottlesAlarm", "throttles alarm")):
            add(base + suffix, owner, what)
        if fn.subscribe:
            for suffix, what in (("Queue", "queue"), ("Dlq", "DLQ"), ("EventSource", "event source mapping"),
                                 ("QueuePolicy", "queue policy"), ("DlqMessagesAlarm", "DLQ alarm"),
                                 ("QueueAgeAlarm", "queue age alarm")):
                add(base + suffix, owner, what)
            for sub in fn.subscribe:
                if sub.event is not None and sub.from_ is not None:
                    rule = logical(name, sub.from_, sub.event, "rule")
                    add(rule, owner, f"EventBridge rule for {sub.event} from {sub.from_}")
                    add(f"{rule}FailedAlarm", owner, f"alarm on the rule for {sub.event} from {sub.from_}")
        if fn.http:
            for suffix, what in (("Integration", "HTTP integration"), ("Route", "HTTP route"),
                                 ("ApiPermission", "Lambda permission for the HTTP API")):
                add(base + suffix, owner, what)
    for name, wf in spec.workflows.items():
        owner, base = ("workflows", name), logical(name, "state-machine")
        for suffix, what in (("", "state machine"), ("LogGroup", "state machine log group"),
                             ("Role", "state machine role")):
            add(base + suffix, owner, what)
        if wf.started_by:
            start = logical(name, "start")
            for suffix, what in (("Queue", "start queue"), ("Dlq", "start DLQ"), ("Pipe", "start pipe"),
                                 ("PipeRole", "start pipe role")):
                add(start + suffix, owner, what)
    return found


def _dedupe(entries: Iterable[Derived]) -> list[Derived]:
    seen, unique = set(), []
    for entry in entries:
        if (entry.logical_id, entry.owner) not in seen:
            seen.add((entry.logical_id, entry.owner))
            unique.append(entry)
    return unique


class LogicalIdsDistinctBeforeRender(SpecRule):
    id = "SVC1010"
    concern = "service"
    summary = "no function or workflow is named like a logical ID svcgen derives for something else " \
              "(`charge-role` next to `charge`, `<fn>-dlq`, `events-dlq`, `http-api`, `code-key` …)"
    rationale = "svcgen derives logical IDs from names (`charge` has `ChargeRole`, `ChargeDlq`, `ChargeLogGroup`); " \
                "a function named `charge-role` renders `ChargeRole` again, and CloudFormation needs each logical ID " \
                "once in a template. Caught here, before rendering; SVC3001 catches every other case in the template"
    source = RESOURCES_SECTION

    def check(self, ctx):
        by_id: dict[str, list[Derived]] = {}
        for entry in _dedupe(derived_ids(ctx.spec, ctx.platform)):
            by_id.setdefault(entry.logical_id, []).append(entry)
        # One finding per pair of spec keys that meet, however many IDs they share (a function
        # `events` with a queue meets the service's EventsDlq, its policy and its alarm).
        pairs: dict[tuple[tuple, tuple], list[tuple[str, Derived, Derived]]] = {}
        for logical_id, entries in by_id.items():
            if len({e.owner for e in entries}) < 2:
                continue
            culprit = max(entries, key=lambda e: culprit_score(e.owner, logical_id))
            other = next(e for e in entries if e.owner != culprit.owner)
            if culprit.owner[0] == other.owner[0] == "functions" and \
                    logical(culprit.owner[1]) == logical(other.owner[1]):
                continue  # names that differ only in dashes: SVC1001
            pairs.setdefault((culprit.owner, other.owner), []).append((logical_id, culprit, other))
        for (culprit_key, other_key), found in pairs.items():
            logical_id, culprit, other = found[0]
            where = at(ctx.doc, other_key) if other_key != ("service",) else "svcgen adds it"
            more = f" (and {', '.join(repr(i) for i, _, _ in found[1:])})" if len(found) > 1 else ""
            yield self.error(
                ctx.doc, culprit_key,
                f"{describe_owner(culprit_key)} renders the logical ID {logical_id!r}{more} for its {culprit.what}, "
                f"which is also the {other.what} of {describe_owner(other_key)} ({where}); CloudFormation needs each "
                f"logical ID once", f"rename {describe_owner(culprit_key)}: svcgen derives <Name>Role, <Name>Dlq, "
                "<Name>Queue, <Name>LogGroup … from every function's name")


class LogicalIdsUnique(TemplateRule):
    id = "SVC3001"
    concern = "service"
    summary = "every logical ID is rendered once (Resources and Parameters share one namespace; Outputs one of theirs)"
    rationale = "CloudFormation refuses a template that declares a logical ID twice; svcgen keeps the first, records " \
                "the second (RenderContext.collisions) and reports it at the spec key whose name made it"
    source = RESOURCES_SECTION

    def check(self, ctx):
        found = []
        for collision in getattr(ctx, "collisions", ()) or ():
            kept, dropped = owner_key(collision.kept_origin), owner_key(collision.dropped_origin)
            sides = [(dropped, collision.dropped_type), (kept, collision.kept_type)]
            # On a tie, the one rendered later: it is the one left out of the template.
            pick = max((0, 1), key=lambda i: (culprit_score(sides[i][0], collision.title), -i))
            found.append((collision, sides[pick], sides[1 - pick]))
        # An output that collides because the resource it exports did (`events` with a queue
        # exports `events-dlq-arn` like the service's EventsDlq) is the same mistake: said once.
        named = {culprit for collision, (culprit, _), _ in found if collision.section == "Resources"}
        for collision, (culprit, culprit_type), (other, other_type) in found:
            if collision.section == "Outputs" and culprit in named:
                continue
            section = "output" if collision.section == "Outputs" else "logical ID"
            also = f"which svcgen renders for the service itself too ({_word(other_type)})" if other == ("service",) \
                else f"which {describe_owner(other)} ({at(ctx.doc, other)}) renders too ({_word(other_type)})"
            yield self.error(
                ctx.doc, culprit,
                f"{describe_owner(culprit)} renders the {section} {collision.title!r} ({_word(culprit_type)}), {also}; "
                f"CloudFormation needs each {section} once",
                f"rename {describe_owner(culprit)}; svcgen derives logical IDs from names")


def _word(kind: str) -> str:
    return TYPE_WORDS.get(kind, kind)


# --- physical names ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Site:
    """Where a physical name comes from: one spec key of one file."""

    item: object  # ServiceInput
    key: tuple  # owner_key

    @property
    def doc(self):
        return self.item.doc


def physical_names(spec, platform, stage) -> Iterator[tuple[str, str, tuple]]:
    """(what, physical name, origin) of everything rendering `spec` in `stage` names: resources
    by their name property, and exports."""
    from generator.render import render_service
    from generator.resolve import resolve_service

    # A spec with errors of its own may fail to render; troposphere then also writes to stderr.
    with contextlib.redirect_stderr(io.StringIO()):
        ctx = render_service(resolve_service(spec, platform, stage))
    yield from rendered_physical_names(ctx)


def rendered_physical_names(ctx) -> Iterator[tuple[str, str, tuple]]:
    """`physical_names` of a service already rendered (render_context.RenderContext)."""
    for title, resource in ctx.template.resources.items():
        prop, word = PHYSICAL_NAMES.get(getattr(resource, "resource_type", ""), (None, None))
        value = resource.properties.get(prop) if prop else None
        if isinstance(value, str):
            yield word, value, ctx.origins.get(title, ())
    for title, output in ctx.template.outputs.items():
        export = output.properties.get("Export")
        name = getattr(export, "data", {}).get("Name") if export is not None else None
        if isinstance(name, str):
            yield EXPORT, name, ctx.output_origins.get(title, ())


class PhysicalNamesUnique(FleetRule):
    id = "SVC2910"
    concern = "service"
    summary = "no two services (or two parts of one) derive the same physical name"
    rationale = "names are `{org}-{stage}-{service}-{resource}`: service `card` + function `transactions-settle` " \
                "and service `card-transactions` + function `settle` both name `acme-dev-card-transactions-settle`; " \
                "AWS refuses the second function, role, queue or export of one name, so whichever deploys second fails"
    source = NAMING

    def check(self, fleet):
        from generator.stages import resolve_stage

        # Any stage finds the same clashes: every name is `{org}-{stage}-` + the rest, and a cut
        # name carries the hash of the full one. A persistent stage renders the most (alarms).
        stage = resolve_stage(fleet.platform.stages.persistent[0], fleet.platform)
        sites: dict[tuple[str, str], list[Site]] = {}
        for item in fleet.services:
            if fleet.by_name.get(item.spec.service) is not item:
                continue  # a second spec of one service name: SVC2901
            try:
                names = fleet.physical_names(item, stage) if fleet.physical_names \
                    else list(physical_names(item.spec, fleet.platform, stage))
            except Exception:  # a spec that does not render has its own findings; nothing to compare
                continue
            for what, name, origin in names:
                site = Site(item, owner_key(origin))
                found = sites.setdefault((what, name), [])
                if all((s.item is not item or s.key != site.key) for s in found):
                    found.append(site)
        clashes: dict[tuple[int, tuple, int, tuple], list[tuple[str, str]]] = {}
        index = {id(item): i for i, item in enumerate(fleet.services)}
        for (what, name), found in sites.items():
            for here in found:
                for there in found:
                    if there is not here:
                        pair = (index[id(here.item)], here.key, index[id(there.item)], there.key)
                        clashes.setdefault(pair, []).append((what, name))
        for (i, key, j, other_key), names in sorted(clashes.items(), key=lambda kv: kv[0]):
            here, there = fleet.services[i], fleet.services[j]
            names.sort(key=lambda n: (RANK.get(n[0], len(RANK)), n[1]))
            listed = ", ".join(f"{name!r} ({what})" for what, name in names[:4])
            more = f" and {len(names) - 4} more" if len(names) > 4 else ""
            whose = f"{describe_owner(other_key)} of service {there.spec.service!r}" if there is not here \
                else describe_owner(other_key)
            yield self.error(
                here.doc, key,
                f"{describe_owner(key)} derives physical names that {whose} ({at(there.doc, other_key)}) derives too, "
                f"in every stage: {listed}{more} (shown for stage {stage.name}); AWS refuses the second",
                "rename one of them: a name is {org}-{stage}-{service}-{function}, so a service name plus a function "
                "name can spell another service's")
