"""`svcgen new`: a new service from the cookiecutter template in generator/templates/service/.

The template renders one directory, `<name>/` (README.md, .github/workflows/<name>.yml) and the
spec `<name>/<name>.yaml`; the spec is then moved beside that directory, where every spec lives
(`specs/<name>.yaml` + `specs/<name>/`). Then the normal build (`pipeline.build`, lint included)
runs for that one service, which generates plumbing/, the handler modules and the tests.

All of it happens in a staging directory inside DIR first, and only a complete service that
built without a lint error is moved into place: a failed `new` leaves nothing behind, and a
spec that `svcgen new` wrote always builds. Answers are validated before anything is rendered,
so a mistake is reported against the answer, not against a file the user never saw.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

from jinja2.ext import Extension
from pydantic import TypeAdapter, ValidationError

from generator.codegen.functions import SUPPORT_MODULES, snake
from generator.cli_args import NEW_OPTIONS
from generator.errors import SpecErrors, UsageError
from generator.schema_gen import SERVICE_SCHEMA, in_checkout, schema_home, schema_texts
from generator.spec.load import load_document
from generator.spec.model import SERVICE_NAME, FunctionName, ServiceSpec
from generator.spec.platform import PlatformSpec, svcgen_install_problem
from generator.spec.validate import validate_document
from generator.svcgen_source import install_command, install_run, missing_warning, test_requirements
from generator.workspace import PLATFORM_FILE, is_spec_name, load_workspace

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "service"
NAME_RULE = "service names are kebab-case: lowercase letters, digits and '-', starting with a letter, 2–32 characters"
NO_EVENT = "none"
# The variables a user may set with --option (cookiecutter.json's public keys except `service`,
# which is the NAME argument), in prompt order.
OPTIONS = NEW_OPTIONS


class ScaffoldError(Exception):
    """The service cannot be created as asked (exit 1); nothing was written."""


@dataclass(frozen=True)
class Publishable:
    """An event a new service may subscribe to: published, with a contract, by a spec in DIR."""

    event: str
    service: str

    @property
    def label(self) -> str:
        return f"{self.event} from {self.service}"


@dataclass(frozen=True)
class Target:
    directory: Path
    spec_path: Path
    code_dir: Path
    platform_path: Path
    platform: PlatformSpec
    publishable: tuple[Publishable, ...]
    unbuildable: tuple[tuple[Publishable, str], ...] = ()  # events of specs that do not build, and why


@dataclass(frozen=True)
class Created:
    spec_path: Path
    files: list[Path]  # every file written, the spec first
    warnings: list[str]


class YamlExtension(Extension):
    """The template's `yaml` filter (cookiecutter.json `_extensions`): a string as a YAML scalar."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["yaml"] = yaml_scalar


PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 .,;()'/_+-]*")
# Words YAML 1.1 or 1.2 reads as booleans or null when unquoted.
RESERVED_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def yaml_scalar(value) -> str:
    """Plain when it cannot be misread (no `: `, `#`, leading digit, boolean-like word), else a
    JSON string, which is also a valid YAML double-quoted scalar."""
    text = str(value)
    if PLAIN.fullmatch(text) and text.lower() not in RESERVED_WORDS and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


def check_name(name: str) -> None:
    if not (2 <= len(name) <= 32 and re.fullmatch(SERVICE_NAME, name)):
        raise ScaffoldError(f"invalid service name {name!r}: {NAME_RULE}")


def parse_options(items: list[str]) -> dict[str, str]:
    """`--option key=value` pairs; unknown keys are usage errors that list the known ones."""
    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep:
            raise UsageError(f"--option {item!r}: expected KEY=VALUE (keys: {', '.join(OPTIONS)})")
        if key not in OPTIONS:
            raise UsageError(f"--option {key!r}: unknown key; known keys: {', '.join(OPTIONS)}")
        options[key] = value.strip()
    return options


def inspect(directory: Path, name: str, platform_path: Path | None = None) -> Target:
    """Where the service goes and what DIR offers it: the platform and publishable events."""
    platform_path = platform_path or directory / PLATFORM_FILE
    if not platform_path.is_file():
        raise UsageError(f"{platform_path}: platform file not found; a service is created beside its "
                         f"platform.yaml (pass --dir DIR or --platform FILE, or create a platform repository "
                         f"with `svcgen init`)")
    spec_path, code_dir = directory / f"{name}.yaml", directory / name
    for path in (spec_path, code_dir, directory / f"{name}.yml"):
        if path.exists():
            raise ScaffoldError(f"{path} already exists; svcgen new never overwrites (pick another name, "
                                f"or remove it first)")
    platform = validate_document(load_document(platform_path, str(platform_path)), PlatformSpec)
    publishable, unbuildable, owners = [], [], {}
    for path in sorted(p for p in directory.iterdir() if is_spec_name(p.name)):
        try:
            spec = validate_document(load_document(path, str(path)), ServiceSpec)
        except SpecErrors:
            continue  # a broken spec offers nothing; `svcgen build` reports it where it matters
        owners[spec.service] = path
        offers = [Publishable(e, spec.service) for e in spec.publishes if e in spec.events]
        if offers:
            # A subscriber builds against its publisher's spec (and what that references): only
            # events of a publisher that builds here are offered.
            try:
                load_workspace([path], platform_path)
                publishable += offers
            except SpecErrors as exc:
                unbuildable += [(offer, sorted(exc.errors)[0].render()) for offer in offers]
    if name in owners:
        raise ScaffoldError(f"service {name!r} already exists in {owners[name]}")
    return Target(directory, spec_path, code_dir, platform_path, platform, tuple(publishable), tuple(unbuildable))


Ask = Callable[[str, str, list[str] | None], str]  # (question, default, choices) -> answer


def answers(target: Target, name: str, options: dict[str, str], no_input: bool, ask: Ask | None = None) -> dict:
    """Every template variable, from --option, else the prompt, else the default. A prompt asks
    again after an invalid answer; an invalid --option or default is an error."""
    values = dict(options)
    prompt = None if no_input else (ask or cookiecutter_ask)

    def settle(key: str, default: str, check: Callable[[str], str], question: str,
               choices: list[str] | None = None) -> None:
        if key not in values and prompt is not None and (choices is None or len(choices) > 1):
            while True:
                answer = prompt(question, default, choices)
                try:
                    values[key] = check(answer)
                    return
                except ScaffoldError as exc:
                    print(f"  {exc}", file=sys.stderr)
        values[key] = check(values.get(key, default))

    runtimes = target.platform.runtimes
    settle("owner", f"team-{name}", _owner, "Owner (team)")
    settle("description", f"The {name} service.", _description, "Description (one sentence)")
    settle("runtime", runtimes.default, lambda v: _runtime(v, runtimes.allowed), "Runtime",
           [runtimes.default] + [r for r in runtimes.allowed if r != runtimes.default])
    _subscription(target, values, prompt)
    event = values["event"]
    settle("function", f"handle-{_kebab(event)}" if event != NO_EVENT else "process", _function,
           "First function's name")
    values["svcgen_install"] = _svcgen_install(target, values.get("svcgen_install", ""))
    return values


def cookiecutter_ask(question: str, default: str, choices: list[str] | None) -> str:
    """cookiecutter's own prompts, so `svcgen new` looks like any cookiecutter template."""
    from cookiecutter.prompt import read_user_choice, read_user_variable

    if choices:
        return read_user_choice("choice", choices, {"choice": question})
    return read_user_variable(question, default)


def _subscription(target: Target, values: dict, prompt: Ask | None) -> None:
    """(event, from): one choice among the events DIR's specs publish with a contract."""
    labels = {p.label: p for p in target.publishable}
    if "event" not in values and "from" not in values and prompt is not None and labels:
        chosen = prompt("Subscribe to an event?", NO_EVENT, [NO_EVENT, *labels])
        values["event"], values["from"] = (NO_EVENT, "") if chosen == NO_EVENT else \
            (labels[chosen].event, labels[chosen].service)
        return
    event, publisher = values.get("event", NO_EVENT) or NO_EVENT, values.get("from", "")
    if event == NO_EVENT:
        if publisher:
            raise ScaffoldError(f"--option from={publisher} needs --option event=EVENT (the event to subscribe to)")
        values["event"], values["from"] = NO_EVENT, ""
        return

    def matches(p: Publishable) -> bool:
        return p.event == event and (not publisher or p.service == publisher)

    offers = [p for p in target.publishable if matches(p)]
    broken = [(p, why) for p, why in target.unbuildable if matches(p)]
    if not offers and broken:
        offer, why = broken[0]
        raise ScaffoldError(f"cannot subscribe to {offer.label}: the spec of {offer.service} does not build in "
                            f"{target.directory}, so neither would a subscriber's: {why}")
    if len(offers) != 1:
        known = ", ".join(labels) or "none"
        wanted = f"{event} from {publisher}" if publisher else event
        why = "is published by several services; add --option from=SERVICE" if len(offers) > 1 else \
            f"has no publisher with a contract in {target.directory}"
        raise ScaffoldError(f"cannot subscribe to {wanted}: it {why} (a subscriber builds against the "
                            f"publisher's contract). Events available there: {known}")
    values["event"], values["from"] = offers[0].event, offers[0].service


def _owner(value: str) -> str:
    field = ServiceSpec.model_fields["owner"]  # pydantic keeps the constraints beside the type
    return _check("owner", Annotated[field.annotation, *field.metadata], value,
                  "lowercase letters, digits and '-', e.g. team-payments")


def _description(value: str) -> str:
    if not value.strip() or len(value) > 256 or any(c in value for c in "\r\n\t"):
        raise ScaffoldError(f"invalid description {value!r}: one line of 1–256 characters")
    return _no_template_syntax("description", value.strip())


def _no_template_syntax(what: str, value: str) -> str:
    """cookiecutter renders every public variable as a Jinja template before using it."""
    if any(mark in value for mark in ("{{", "{%", "{#")):
        raise ScaffoldError(f"invalid {what} {value!r}: must not contain '{{{{', '{{%' or '{{#'")
    return value


def _runtime(value: str, allowed: list[str]) -> str:
    if value not in allowed:
        raise ScaffoldError(f"invalid runtime {value!r}: the platform allows {', '.join(allowed)}")
    return value


def _function(value: str) -> str:
    _check("function", FunctionName, value, "kebab-case, starting with a letter, 2–40 characters")
    if snake(value) in SUPPORT_MODULES:
        raise ScaffoldError(f"invalid function name {value!r}: plumbing/{snake(value)}.py is svcgen's own "
                            f"module (reserved: {', '.join(sorted(SUPPORT_MODULES))})")
    return value


def _check(what: str, annotation, value: str, rule: str) -> str:
    try:
        return TypeAdapter(annotation).validate_python(value)
    except ValidationError:
        raise ScaffoldError(f"invalid {what} {value!r}: {rule}") from None


def _kebab(event: str) -> str:
    """`AccountOpened` -> `account-opened`; cut to keep `handle-…` a valid function name."""
    text = re.sub(r"(?<!^)(?=[A-Z])", "-", event).lower()
    return text[:33].rstrip("-")


def _svcgen_install(target: Target, option: str) -> str:
    """How CI installs svcgen: --option svcgen_install, else the platform's `svcgen.install`, else
    the checkout itself inside svcgen's own repository; "" when nobody said (the workflow then
    holds a placeholder that fails, and `new` warns: a guessed package name would install
    nothing, or worse, somebody else's package)."""
    if option:
        why = svcgen_install_problem(option)
        if why:
            raise ScaffoldError(f"invalid svcgen_install {option!r}: {why}")
        return option
    if target.platform.svcgen is not None:
        return target.platform.svcgen.install
    if not in_checkout(target.directory):
        return ""
    # svcgen's own checkout, where its runtime library is a second distribution that no index has
    runtime = Path(__file__).resolve().parents[1] / "runtime" / "pyproject.toml"
    return "./runtime ." if runtime.is_file() else "."


def _repo_root(directory: Path) -> Path:
    """The repository the service is part of (nearest `.git`); without one, DIR's parent, as
    in the standard layout (repo/specs/)."""
    start = directory.resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start.parent


def schema_reference(directory: Path) -> str:
    """The spec's `$schema`: the schema file beside the specs (svcgen's own generator/schema/
    inside its checkout), relative to the spec, so it resolves wherever the repository is cloned
    and holds no path of this machine."""
    home = schema_home(directory)
    return Path(os.path.relpath(home.resolve() / SERVICE_SCHEMA, directory.resolve())).as_posix()


def template_context(target: Target, name: str, values: dict) -> dict:
    root = _repo_root(target.directory)

    def rel(path: Path) -> str:
        return Path(os.path.relpath(path.resolve(), root)).as_posix()

    default_platform = target.platform_path.resolve() == (target.directory / PLATFORM_FILE).resolve()
    return {
        "service": name, **values,
        "_schema": schema_reference(target.directory),
        "_install_run": yaml_scalar(install_run(values["svcgen_install"], rel(target.platform_path))),
        "_install_command": install_command(values["svcgen_install"]) if values["svcgen_install"] else "",
        "_test_requirements": test_requirements(),
        "_org": target.platform.org,
        "_python_version": values["runtime"].removeprefix("python"),
        "_spec_path": rel(target.spec_path),
        "_code_path": rel(target.code_dir),
        "_platform_path": rel(target.platform_path),
        "_platform_arg": "" if default_platform else f" --platform {rel(target.platform_path)}",
        "_function_snake": snake(values["function"]),
    }


def create(target: Target, name: str, context: dict) -> Created:
    """Render, build and lint in a staging directory inside DIR; move the result into place."""
    from cookiecutter.main import cookiecutter

    from generator import pipeline

    staging = Path(tempfile.mkdtemp(prefix=".svcgen-new-", dir=target.directory))
    try:
        # default_config: no user config (its default_context would change the output) and the
        # replay file inside the staging directory instead of the user's home.
        cookiecutter(str(TEMPLATE_DIR), no_input=True, extra_context=context, output_dir=str(staging),
                     accept_hooks=False, default_config={"replay_dir": str(staging / ".replay")})
        staged_spec = staging / f"{name}.yaml"
        os.replace(staging / name / f"{name}.yaml", staged_spec)
        try:
            ws = load_workspace([staged_spec], target.platform_path)
            result = pipeline.build(ws, "dev", staging / ".build", lint=True, code=True)
        except SpecErrors as exc:  # a template bug, not the user's answers: point at the final path
            raise SpecErrors([replace(e, file=str(target.spec_path)) if e.file == str(staged_spec) else e
                              for e in exc.errors]) from None
        findings = [pipeline.describe_finding(Path("build"), a, f) for a, f in result.findings]
        if result.failed:
            raise ScaffoldError("the new service would not build:\n" + "\n".join(findings))
        warnings = [w.render().replace(str(staged_spec), str(target.spec_path)) for w in result.warnings]
        for path in (target.spec_path, target.code_dir):  # created meanwhile by someone else?
            if path.exists():
                raise ScaffoldError(f"{path} already exists; svcgen new never overwrites")
        staged_schema = staging / SERVICE_SCHEMA
        staged_schema.write_text(schema_texts()[SERVICE_SCHEMA], encoding="utf-8")
        os.replace(staging / name, target.code_dir)
        os.replace(staged_spec, target.spec_path)
        schema = _place_schema(target.directory, staged_schema, warnings)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not context["svcgen_install"]:
        workflow = target.code_dir / ".github" / "workflows" / f"{name}.yml"
        warnings.append(missing_warning(target.platform_path, workflow))
    files = sorted(p for p in target.code_dir.rglob("*") if p.is_file())
    return Created(target.spec_path, [target.spec_path, *files, *schema], warnings + findings)


def _place_schema(directory: Path, staged: Path, warnings: list[str]) -> list[Path]:
    """The schema the spec's `$schema` names, beside the specs: written when missing (so the
    modeline always resolves), never overwritten (`svcgen schema` refreshes it)."""
    if in_checkout(directory):  # svcgen's own generator/schema/, kept current by its tests
        return []
    target = schema_home(directory) / SERVICE_SCHEMA
    if target.exists():
        if target.read_bytes() != staged.read_bytes():
            warnings.append(f"{target}: not this svcgen's schema (`svcgen schema` rewrites it)")
        return []
    os.replace(staged, target)
    return [target]
