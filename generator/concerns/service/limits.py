"""Hard limits AWS enforces at deploy time, checked where the spec can still be pointed at.

CloudFormation's template quotas (500 resources, 200 outputs / parameters / mappings, a 1 MB
template from S3, 255-character logical IDs, export names) are template rules on what svcgen
rendered: troposphere used to raise at its own copies of them mid-render (RenderTemplate no longer
does), and cfn-lint points at the template, not at what to split. Lambda's per-function limits
that a spec decides (4 KB of environment, 50 tags) are spec rules, before anything is rendered.
"""

from __future__ import annotations

import json
import re

from generator.concerns.function import defaults as function_defaults
from generator.concerns.service.names import describe_owner, owner_key
from generator.rules.base import SpecRule, TemplateRule

CFN_QUOTAS = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html"
CFN_OUTPUTS = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/outputs-section-structure.html"
LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
TAGGING = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html"

MAX_RESOURCES = 500
MAX_OUTPUTS = 200
MAX_PARAMETERS = 200
MAX_MAPPINGS = 200
MAX_LOGICAL_ID = 255
MAX_EXPORT_NAME = 255
# "Template body size in an Amazon S3 object: 1 MB". Read as 1,000,000 bytes, as cfn-lint's own
# E1002 reads it (cfnlint.helpers.LIMITS["template"]["body"]): of the two readings of "1 MB" the
# one that cannot let a template through that CloudFormation refuses. svcgen deploys templates from
# S3, so the 51,200-byte limit of an inline TemplateBody does not apply.
MAX_TEMPLATE_BYTES = 1_000_000
LOGICAL_ID = re.compile(r"[A-Za-z0-9]+")
EXPORT_NAME = re.compile(r"[A-Za-z0-9:-]+")  # "alphanumeric characters, colons, or hyphens"

MAX_ENVIRONMENT_BYTES = 4096  # Lambda: 4 KB for all of a function's variables together
MAX_TAGS = 50  # per resource; keys starting with `aws:` do not count
STAGE_MAX = 20  # spec/platform.py STAGE: the longest stage name a build may have
ACCOUNT_ID = "123456789012"
PARTITION = "aws-us-gov"  # the longest partition of a regular Region
SQS_DOMAIN = "amazonaws.com.cn"  # the longest


# --- CloudFormation template quotas -----------------------------------------------------------

def _stage(ctx) -> str:
    stage = ctx.template.get("Metadata", {}).get("svcgen", {}).get("stage")
    return f" in stage {stage}" if stage else ""


def _groups(ctx, section: str, weight=lambda title, body: 1) -> dict[tuple, int]:
    """Weight of a template section per spec key (owner_key) it was rendered for."""
    counts: dict[tuple, int] = {}
    for title, body in ctx.template.get(section, {}).items():
        key = owner_key(ctx.origins.get(title, ()))
        counts[key] = counts.get(key, 0) + weight(title, body)
    return counts


def _breakdown(counts: dict[tuple, int], fmt=lambda n: f"{n:,}") -> tuple[str, tuple]:
    """`functions.* 540 (60 functions, 9 each), workflows.* 40 (...), the service itself 12` and
    the spec key of the biggest part (where the finding points: what to split)."""
    parts: list[tuple[int, str, tuple]] = []
    for kind, word in (("functions", "function"), ("workflows", "workflow")):
        per = {key[1]: n for key, n in counts.items() if key[0] == kind and len(key) == 2}
        if not per:
            continue
        lo, hi = min(per.values()), max(per.values())
        each = f"{fmt(lo)} each" if fmt(lo) == fmt(hi) else \
            f"{fmt(lo)}–{fmt(hi)} each, most {kind}.{max(per, key=lambda k: (per[k], k))}"
        total = sum(per.values())
        parts.append((total, f"{kind}.* {fmt(total)} ({len(per)} {word}{'s' if len(per) > 1 else ''}, {each})",
                      (kind,)))
    for key, n in counts.items():
        if len(key) == 2 and key[0] in ("functions", "workflows"):
            continue
        label = "the service itself" if key == ("service",) else key[0]
        parts.append((n, f"{label} {fmt(n)}", key))
    parts.sort(key=lambda p: -p[0])
    return ", ".join(text for _, text, _ in parts), (parts[0][2] if parts else ("service",))


def _split_hint(where: tuple) -> str:
    if where and where[0] == "functions":
        return "move some functions into a new service: each service is its own stack"
    if where and where[0] == "workflows":
        return "move some workflows, with the functions they call, into a new service: each service is its own stack"
    return "split the service into two specs: each service is its own stack"


class _SplitCount(TemplateRule):
    """A section the spec fills (one resource or output per spec key): over the limit, the
    finding says which spec keys it comes from and to split the service."""

    section: str
    limit: int
    noun: str  # as the message counts them

    def check(self, ctx):
        got = len(ctx.template.get(self.section, {}))
        if got > self.limit:
            text, where = _breakdown(_groups(ctx, self.section))
            yield self.error(ctx.doc, where, f"a service renders at most {self.limit} {self.noun}, got {got}"
                             f"{_stage(ctx)}: {text}; split the service", _split_hint(where))


class ResourceCount(_SplitCount):
    id = "SVC3002"
    concern = "service"
    summary = f"a service renders at most {MAX_RESOURCES} resources"
    rationale = f"CloudFormation refuses a template with more than {MAX_RESOURCES} resources (troposphere raised at " \
                "the same number mid-render); the finding says which part of the spec the resources come from"
    source = CFN_QUOTAS
    section, limit, noun = "Resources", MAX_RESOURCES, "resources"


class OutputCount(_SplitCount):
    id = "SVC3003"
    concern = "service"
    summary = f"a service renders at most {MAX_OUTPUTS} outputs (its exports)"
    rationale = f"CloudFormation refuses a template with more than {MAX_OUTPUTS} outputs; svcgen exports each " \
                "function's ARN and each queue's URL, ARN and DLQ ARN"
    source = CFN_QUOTAS
    section, limit, noun = "Outputs", MAX_OUTPUTS, "outputs"


class _SectionCount(TemplateRule):
    section: str
    limit: int

    def check(self, ctx):
        got = len(ctx.template.get(self.section, {}))
        if got > self.limit:
            yield self.error(ctx.doc, ("service",), f"a template declares at most {self.limit} "
                             f"{self.section.lower()}, got {got}{_stage(ctx)}",
                             "svcgen renders the template; this is a bug in svcgen, please report it")


class ParameterCount(_SectionCount):
    id = "SVC3004"
    concern = "service"
    summary = f"a template declares at most {MAX_PARAMETERS} parameters"
    rationale = f"CloudFormation refuses a template with more than {MAX_PARAMETERS} parameters"
    source = CFN_QUOTAS
    section, limit = "Parameters", MAX_PARAMETERS


class MappingCount(_SectionCount):
    id = "SVC3005"
    concern = "service"
    summary = f"a template declares at most {MAX_MAPPINGS} mappings"
    rationale = f"CloudFormation refuses a template with more than {MAX_MAPPINGS} mappings"
    source = CFN_QUOTAS
    section, limit = "Mappings", MAX_MAPPINGS


class TemplateSize(TemplateRule):
    id = "SVC3006"
    concern = "service"
    summary = f"the serialized template is at most {MAX_TEMPLATE_BYTES:,} bytes (1 MB, read from S3)"
    rationale = "CloudFormation reads at most 1 MB of template from S3; svcgen uploads through S3, so the " \
                "51,200-byte limit of an inline template body does not apply"
    source = CFN_QUOTAS

    def check(self, ctx):
        got = len(ctx.text.encode("utf-8"))
        if got <= MAX_TEMPLATE_BYTES:
            return
        # Shares of the resources' size (compact JSON of each: near enough to their YAML's share).
        sizes = _groups(ctx, "Resources", lambda _, body: len(json.dumps(body, separators=(",", ":"))))
        total = sum(sizes.values()) or 1
        text, where = _breakdown(sizes, lambda n: f"{100 * n / total:.0f}%")
        yield self.error(ctx.doc, where, f"a template read from S3 is at most {MAX_TEMPLATE_BYTES:,} bytes, got "
                         f"{got:,}{_stage(ctx)}; its resources by spec key: {text}; split the service",
                         _split_hint(where))


class LogicalIdFormat(TemplateRule):
    id = "SVC3007"
    concern = "service"
    summary = f"logical IDs (resources, parameters, outputs, mappings) are alphanumeric and at most " \
              f"{MAX_LOGICAL_ID} characters"
    rationale = "CloudFormation refuses a longer or non-alphanumeric name; svcgen makes logical IDs of " \
                "function, publisher, event and workflow names, so long names add up"
    source = CFN_QUOTAS

    def check(self, ctx):
        for section in ("Resources", "Parameters", "Outputs", "Mappings"):
            for title in ctx.template.get(section, {}):
                problem = f"is {len(title)} characters, more than {MAX_LOGICAL_ID}" if len(title) > MAX_LOGICAL_ID \
                    else "is not alphanumeric" if not LOGICAL_ID.fullmatch(title) else None
                if problem:
                    where = owner_key(ctx.origins.get(title, ()))
                    shown = title if len(title) <= 80 else f"{title[:60]}…{title[-12:]}"
                    yield self.error(ctx.doc, where, f"the {section[:-1].lower()} logical ID {shown!r} {problem}",
                                     f"shorten the names it is made of ({describe_owner(where)})")


class ExportNames(TemplateRule):
    id = "SVC3008"
    concern = "service"
    summary = f"export names are at most {MAX_EXPORT_NAME} characters of letters, digits, `:` and `-`, and " \
              "unique in the template"
    rationale = "CloudFormation refuses an output whose Export Name is longer or has other characters, and two " \
                "exports of one name (export names are unique per account and Region)"
    source = CFN_OUTPUTS

    def check(self, ctx):
        seen: dict[str, str] = {}
        for title, output in ctx.template.get("Outputs", {}).items():
            name = (output.get("Export") or {}).get("Name")
            if not isinstance(name, str):
                continue
            where = owner_key(ctx.origins.get(title, ()))
            if len(name) > MAX_EXPORT_NAME:
                yield self.error(ctx.doc, where, f"export names are at most {MAX_EXPORT_NAME} characters, got "
                                 f"{len(name)} for output {title!r}", "shorten the service or function name")
            elif not EXPORT_NAME.fullmatch(name):
                yield self.error(ctx.doc, where, f"export names consist of letters, digits, `:` and `-`, got {name!r} "
                                 f"for output {title!r}", "rename what the name is made of")
            if name in seen:
                yield self.error(ctx.doc, where, f"export names are unique, got {name!r} for outputs {seen[name]!r} "
                                 f"and {title!r}", "rename one of what they export")
            seen.setdefault(name, title)


# --- Lambda limits seen from the spec ---------------------------------------------------------

def svcgen_environment(spec, platform, key: str) -> dict[str, int]:
    """Every variable svcgen sets on function `key` -> the longest value it can have, whatever the
    stage (a stage name of 20 characters, the longest partition and Region suffix, an account ID).
    Conservative on purpose: a publishing service's functions are all counted with the bus
    variables, the longest persistent stage names the bus."""
    from generator.concerns.workflow.steps import all_steps
    from generator.naming import Names, PlatformNames
    from generator.concerns.subscription.resolve import event_source
    from generator.concerns.workflow.spec import PauseStep

    fn = spec.functions[key]
    names = Names(platform.org, "s" * STAGE_MAX, spec.service)
    env = {
        "POWERTOOLS_SERVICE_NAME": len(spec.service),
        "POWERTOOLS_METRICS_NAMESPACE": len(platform.org),
        "POWERTOOLS_LOG_LEVEL": len(function_defaults.POWERTOOLS_LOG_LEVEL),
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": len(function_defaults.TRACER_CAPTURE_RESPONSE),
        "SVCGEN_STAGE": STAGE_MAX,
    }
    if spec.publishes:
        # Every stage has its own bus: the longest stage name makes the longest bus name.
        env["EVENT_BUS_NAME"] = len(PlatformNames(platform.org, "s" * STAGE_MAX, platform.bus.name).bus)
        env["EVENT_SOURCE"] = len(event_source(platform.org, spec.service))
    if fn.store_access:
        env["EVENT_STORE_TABLE"] = len(names.physical("table", "events"))
    if fn.idempotency is not None:
        env["IDEMPOTENCY_TABLE"] = len(names.physical("table", "idempotency"))
    arn = f"arn:{PARTITION}:states:{platform.region}:{ACCOUNT_ID}:stateMachine:"
    for ref in fn.starts:
        owner, _, workflow = ref.rpartition(".")
        machine = Names(platform.org, "s" * STAGE_MAX, owner or spec.service).physical("state_machine", workflow)
        env[f"WORKFLOW_{_upper(workflow)}_ARN"] = len(arn + machine)
    url = f"https://sqs.{platform.region}.{SQS_DOMAIN}/{ACCOUNT_ID}/"
    for wf_name, _, step in all_steps(spec):
        if isinstance(step, PauseStep) and step.reviewer == key:
            env[f"{_upper(step.pause)}_QUEUE_URL"] = len(url + names.queue(f"{wf_name}-{step.pause}", False))
    return env


def _upper(name: str) -> str:
    return name.upper().replace("-", "_")


def environment_bytes(variables: dict[str, str]) -> int:
    """Size of the variables as Lambda measures them: compact JSON, UTF-8 (its error says
    `exceeded the 4KB limit. String measured: {"KEY":"value",...}`)."""
    return len(json.dumps(variables, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


class FunctionEnvironmentSize(SpecRule):
    id = "SVC1011"
    concern = "service"
    summary = f"a function's environment, with the variables svcgen adds, is at most {MAX_ENVIRONMENT_BYTES} bytes"
    rationale = "Lambda refuses a function whose variables together exceed 4 KB, at deploy time; svcgen adds its " \
                "own (service, stage, bus, tables, workflow ARNs, review queues), estimated here at their longest"
    source = LAMBDA_QUOTAS

    def check(self, ctx):
        for name, fn in ctx.spec.functions.items():
            added = svcgen_environment(ctx.spec, ctx.platform, name)
            merged = dict(fn.environment)
            for key, length in added.items():  # whichever value wins, count the longer
                merged[key] = "x" * max(length, len(merged.get(key, "")))
            got = environment_bytes(merged)
            if got <= MAX_ENVIRONMENT_BYTES:
                continue
            own = {k: v for k, v in fn.environment.items() if k not in added}
            largest = max(own, key=lambda k: len(k) + len(own[k].encode()), default=None)
            plural = "s" * (len(own) != 1)
            theirs = f"{environment_bytes(own):,} from its `environment` ({len(own)} variable{plural}" + \
                (f", the largest {largest} with {len(own[largest].encode()):,} bytes)" if largest else ")")
            path = ("functions", name, "environment") if fn.environment else ("functions", name)
            yield self.error(
                ctx.doc, path,
                f"a function's environment is at most {MAX_ENVIRONMENT_BYTES:,} bytes in all (Lambda's 4 KB), got "
                f"about {got:,}: {theirs} and the {len(added)} variables svcgen adds ({', '.join(sorted(added))}), "
                "estimated at their longest and measured as Lambda does, as compact JSON",
                "keep large values out of the environment: store them in SSM Parameter Store or Secrets Manager "
                "and pass their name")


def counted_tags(spec) -> tuple[list[str], list[str]]:
    """(the spec's tag keys, svcgen's own that are not among them), those AWS counts."""
    from generator.render_context import SVCGEN_TAG_KEYS

    own = [k for k in spec.tags if not k.lower().startswith("aws:")]
    return own, [k for k in SVCGEN_TAG_KEYS if k not in spec.tags]


class TagsPerResource(SpecRule):
    id = "SVC1012"
    concern = "service"
    summary = f"a resource carries at most {MAX_TAGS} tags, svcgen's own (service, owner, stage, managed-by) included"
    rationale = "every taggable resource of a service gets the spec's `tags` and svcgen's four; AWS refuses a " \
                f"resource with more than {MAX_TAGS} (tags starting with `aws:` do not count)"
    source = TAGGING

    def check(self, ctx):
        own, added = counted_tags(ctx.spec)
        got = len(own) + len(added)
        if got > MAX_TAGS:
            yield self.error(ctx.doc, ("tags",), f"a resource carries at most {MAX_TAGS} tags, got {got}: {len(own)} "
                             f"from `tags` and the {len(added)} svcgen adds to every resource "
                             f"({', '.join(added)})", f"drop {got - MAX_TAGS} of the spec's tags")
