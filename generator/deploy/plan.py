"""What deploying one stack takes, decided before any AWS call: its template body as sent, its
parameters and tags, the stacks it waits for, and whether it can be skipped.

The skip rule: a stack whose template, parameters and code are what its tags say was last deployed
(and whose identity tags are the same) gets no change set at all. The hashes live in the stack's
tags rather than in its outputs so that `teardown`, `prune` and a later `status` read them with the
same DescribeStacks call; a change set would cost a round trip of seconds per stack on AWS.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# CloudFormation's limit on TemplateBody (bytes); a larger template must be read from S3 (TemplateURL).
TEMPLATE_BODY_LIMIT = 51_200

TAG_STAGE = "svcgen:stage"
TAG_BRANCH = "svcgen:branch"
TAG_COMMIT = "svcgen:commit"
TAG_OWNER = "svcgen:owner"
TAG_VERSION = "svcgen:version"
TAG_EPHEMERAL = "svcgen:ephemeral"
TAG_SERVICE = "svcgen:service"  # the service's name, or "platform": teardown and status read it
TAG_TEMPLATE_HASH = "svcgen:template-hash"
TAG_PARAMETERS_HASH = "svcgen:parameters-hash"
TAG_CODE_HASH = "svcgen:code-hash"
HASH_TAGS = (TAG_TEMPLATE_HASH, TAG_PARAMETERS_HASH, TAG_CODE_HASH)
# Tags that decide the skip: the hashes, and who the stack belongs to. Branch, commit and svcgen's
# version are not among them: a push that changes nothing else must not update every stack.
SKIP_TAGS = (*HASH_TAGS, TAG_STAGE, TAG_OWNER, TAG_EPHEMERAL, TAG_SERVICE)
NO_CODE = "none"
HASH_CHARS = 16

# States in which a stack is exactly what its tags describe. UPDATE_ROLLBACK_COMPLETE counts: the
# rollback restored the previous template and the previous tags together.
SETTLED_OK = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
                        "IMPORT_ROLLBACK_COMPLETE"})

# CloudFormation tag values: letters, digits, spaces and `_.:/=+-@`, at most 256 characters.
_TAG_VALUE_CHARS = set("_.:/=+-@ ")
TAG_VALUE_MAX = 256


class CycleError(ValueError):
    """Stacks import each other's exports in a circle: no order can deploy them."""

    def __init__(self, cycle: list[str]):
        self.cycle = cycle
        super().__init__("stacks import each other's exports in a cycle, so none can be deployed first: "
                         + " -> ".join(cycle) + "; remove one of these imports")


@dataclass(frozen=True)
class Code:
    """A service's code package: the local zip, its key in the artifacts bucket, its content hash."""

    path: Path
    key: str
    sha256: str


@dataclass(frozen=True)
class StageTags:
    """The tags every stack of one deploy carries; the caller knows the branch and commit."""

    stage: str
    branch: str
    commit: str
    version: str
    ephemeral: bool

    def for_stack(self, owner: str, service: str) -> dict[str, str]:
        return {TAG_STAGE: self.stage, TAG_BRANCH: tag_value(self.branch), TAG_COMMIT: tag_value(self.commit),
                TAG_OWNER: tag_value(owner), TAG_VERSION: tag_value(self.version),
                TAG_EPHEMERAL: "true" if self.ephemeral else "false", TAG_SERVICE: service}


@dataclass(frozen=True)
class StackPlan:
    name: str  # the CloudFormation stack name
    service: str  # the service, or "platform"
    body: str  # the template as it is sent (after the target's transform, if any)
    template: dict = field(repr=False, compare=False)
    parameters: tuple[tuple[str, str], ...] = ()
    tags: tuple[tuple[str, str], ...] = ()  # with the hash tags
    depends_on: frozenset[str] = frozenset()  # stacks of this deploy whose exports it imports
    code: Code | None = None
    artifacts_export: str = ""  # the export naming the bucket code and large templates go to

    @property
    def tag_map(self) -> dict[str, str]:
        return dict(self.tags)

    @property
    def needs_s3_template(self) -> bool:
        return len(self.body.encode()) > TEMPLATE_BODY_LIMIT

    @property
    def resource_count(self) -> int:
        return len(self.template.get("Resources", {}))


def make_plan(name: str, service: str, template: dict, text: str, parameters: Mapping[str, str],
              tags: Mapping[str, str], depends_on: Iterable[str] = (), code: Code | None = None,
              artifacts_export: str = "",
              transform: Callable[[dict], dict] | None = None) -> StackPlan:
    """The plan of one stack. `text` is the built template; a `transform` (a local target's
    adaptation) replaces it by its result as JSON. The template hash is of the body as sent, so a
    changed transform redeploys too."""
    if transform is not None:
        template = transform(template)
        text = json.dumps(template, sort_keys=True, separators=(",", ":"))
    params = tuple(sorted((str(k), str(v)) for k, v in parameters.items()))
    hashes = {TAG_TEMPLATE_HASH: digest(text.encode()),
              TAG_PARAMETERS_HASH: digest(json.dumps(params).encode()),
              TAG_CODE_HASH: code.sha256[:HASH_CHARS] if code else NO_CODE}
    all_tags = tuple(sorted({**tags, **hashes}.items()))
    return StackPlan(name, service, text, template, params, all_tags, frozenset(depends_on) - {name}, code,
                     artifacts_export)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_CHARS]


def tag_value(text: str) -> str:
    """`text` as a valid CloudFormation tag value (a branch may hold `#`, `'` or be empty)."""
    cleaned = "".join(c if c.isalnum() or c in _TAG_VALUE_CHARS else "_" for c in text)[:TAG_VALUE_MAX]
    return cleaned or "unknown"


def can_skip(plan: StackPlan, status: str | None, deployed_tags: Mapping[str, str]) -> bool:
    """True when the stack exists, is settled, and its tags say it already holds this template,
    these parameters and this code for the same owner and stage."""
    if status not in SETTLED_OK:
        return False
    wanted = plan.tag_map
    return all(deployed_tags.get(key) == wanted.get(key) for key in SKIP_TAGS)


# --- order --------------------------------------------------------------------------------------

def order(depends_on: Mapping[str, Iterable[str]]) -> list[str]:
    """Every stack after the stacks it depends on; among stacks free to go, by name, so the order is
    the same on every run. Dependencies outside the mapping are already deployed: ignored."""
    deps = {name: set(d) & set(depends_on) - {name} for name, d in depends_on.items()}
    done: list[str] = []
    ready = sorted(name for name, d in deps.items() if not d)
    while ready:
        name = ready.pop(0)
        done.append(name)
        for other, d in deps.items():
            if name in d:
                d.discard(name)
                if not d and other not in done and other not in ready:
                    ready.append(other)
        ready.sort()
    if len(done) < len(deps):
        raise CycleError(_find_cycle({n: d for n, d in deps.items() if n not in done}))
    return done


def _find_cycle(deps: dict[str, set[str]]) -> list[str]:
    """One cycle among stacks that all still wait for each other (each has a dependency left)."""
    start = min(deps)
    path, seen = [start], {start: 0}
    while True:
        following = min(deps[path[-1]])
        if following in seen:
            return path[seen[following]:] + [following]
        seen[following] = len(path)
        path.append(following)


def template_dependencies(templates: Mapping[str, dict]) -> dict[str, set[str]]:
    """Stack -> the stacks (of `templates`) whose exports it imports, read from the templates'
    `Outputs.*.Export.Name` and `Fn::ImportValue` (for stacks found deployed; a build's own order
    comes from generator/discovery.py)."""
    from generator.discovery import exports_of, import_names  # here: discovery loads the renderer

    providers = {e.name: stack for stack, template in templates.items() for e in exports_of(template)}
    return {stack: {providers[i] for i in import_names(template) if i in providers} - {stack}
            for stack, template in templates.items()}
