"""`svcgen init [DIR]`: a platform repository, ready for `svcgen new` and `svcgen build`.

The layout is the one every other command expects without flags: specs (and platform.yaml) in
`DIR/specs/`, the JSON Schemas the specs' `$schema` lines point at beside them, CI in
`DIR/.github/workflows/platform.yml`, and a README. The templates ship inside the package
(generator/templates/platform/).

Everything is written into a staging directory inside DIR first and moved into place only when
all of it rendered; an existing file is never overwritten: then nothing at all is written.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator.schema_gen import schema_texts
from generator.spec.platform import ORG, PlatformSpec, RuntimesSpec, StagesSpec, known_regions, region_problem
from generator.svcgen_source import EXAMPLE, SourceError, install_command, install_run, installed_source, recorded

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "platform"
# Template file -> file in DIR. The .gitignore template is named without its dot: in svcgen's own
# repository a file named .gitignore would apply to the templates' directory.
TEMPLATES = {"README.md": "README.md", "gitignore": ".gitignore",
             ".github/workflows/platform.yml": ".github/workflows/platform.yml",
             "specs/platform.yaml": "specs/platform.yaml"}
SPECS_DIR = "specs"
MAIN_BRANCH = "main"
DEFAULT_REGION = PlatformSpec.model_fields["region"].default
FALLBACK_ORG = "myorg"
OPTIONS = ("org", "region", "svcgen_source")

Ask = Callable[[str, str, list[str] | None], str]  # (question, default, choices) -> answer


class InitError(Exception):
    """The repository cannot be created as asked (exit 1); nothing was written."""


@dataclass(frozen=True)
class Initialized:
    files: list[Path]  # every file written, as the user named DIR
    warnings: list[str]
    svcgen_install: str  # "" when not set


def default_org(directory: Path) -> str:
    """The first word of the directory's name (`acme-platform` -> `acme`), else a placeholder."""
    words = re.findall(r"[a-z][a-z0-9]*", directory.resolve().name.lower())
    org = words[0][:10] if words else ""
    return org if re.fullmatch(ORG, org) else FALLBACK_ORG


def answers(directory: Path, options: dict[str, str | None], no_input: bool, ask: Ask | None = None) -> dict:
    """org, region and svcgen_install: from the options, else the prompt, else the defaults. A
    prompt asks again after an invalid answer; an invalid option is an error."""
    from generator.scaffold import cookiecutter_ask  # the same prompts as `svcgen new`

    prompt = None if no_input else (ask or cookiecutter_ask)
    values: dict[str, str] = {}

    def settle(key: str, default: str, check: Callable[[str], str], question: str) -> None:
        given = options.get(key)
        if given is None and prompt is not None:
            while True:
                try:
                    values[key] = check(prompt(question, default, None))
                    return
                except InitError as exc:
                    print(f"  {exc}", file=sys.stderr)
        values[key] = check(default if given is None else given)

    settle("org", default_org(directory), _org, "Organisation (first part of every resource name)")
    settle("region", DEFAULT_REGION, _region, "AWS region")
    settle("svcgen_source", installed_source() or "", lambda v: _source(v, directory),
           f"Where CI installs svcgen from, as `pip install` arguments (a requirement, a URL like {EXAMPLE}, "
           f"a path in the repository; empty: not decided yet)")
    return values


def _org(value: str) -> str:
    if not re.fullmatch(ORG, value):
        raise InitError(f"invalid org {value!r}: 2–10 lowercase letters and digits, starting with a letter")
    return value


def _region(value: str) -> str:
    if value not in known_regions():
        message, hint = region_problem(value)
        raise InitError(f"invalid region: {message} ({hint})")
    return value


def _source(value: str, directory: Path) -> str:
    if not value.strip():
        return ""
    try:
        return recorded(value, directory)
    except SourceError as exc:
        raise InitError(str(exc)) from None


def render(values: dict) -> dict[str, str]:
    """Every file of the repository, by its path in DIR, in a stable order."""
    from generator.scaffold import yaml_scalar

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, autoescape=False)
    env.filters["yaml"] = yaml_scalar
    source = values["svcgen_source"]
    context = {
        "org": values["org"], "region": values["region"], "svcgen_install": source,
        "install_command": install_command(source) if source else "",
        "install_run": yaml_scalar(install_run(source, f"{SPECS_DIR}/platform.yaml")),
        "python_version": RuntimesSpec().default.removeprefix("python"),
        "branch": MAIN_BRANCH, "stage": StagesSpec().ephemeral_parent,
    }
    files = {target: env.get_template(template).render(context) for template, target in TEMPLATES.items()}
    files.update({f"{SPECS_DIR}/{name}": text for name, text in schema_texts().items()})
    return dict(sorted(files.items()))


def create(directory: Path, files: dict[str, str]) -> list[Path]:
    """Write `files` into `directory`, all or nothing, never over an existing file."""
    existing = [directory / rel for rel in files if os.path.lexists(directory / rel)]
    if existing:
        names = ", ".join(str(p) for p in existing)
        raise InitError(f"{names} already exist{'s' if len(existing) == 1 else ''}; svcgen init never overwrites "
                        f"(remove {'it' if len(existing) == 1 else 'them'}, or pick another directory)")
    if os.path.lexists(directory) and not directory.is_dir():
        raise InitError(f"{directory} exists and is not a directory")
    made: list[Path] = []  # directories this call created, outermost first: removed again on failure
    placed: list[Path] = []
    try:
        made += _make_dirs(directory)
        staging = Path(tempfile.mkdtemp(prefix=".svcgen-init-", dir=directory))
        try:
            for rel, text in files.items():
                (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                (staging / rel).write_text(text, encoding="utf-8")
            for rel in files:
                target = directory / rel
                made += _make_dirs(target.parent)
                if os.path.lexists(target):  # created meanwhile by someone else
                    raise InitError(f"{target} already exists; svcgen init never overwrites")
                os.replace(staging / rel, target)
                placed.append(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException as exc:  # Ctrl-C too: leave nothing behind
        for path in placed:
            path.unlink(missing_ok=True)
        for path in reversed(made):
            try:
                path.rmdir()
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise InitError(f"cannot write {getattr(exc, 'filename', None) or directory}: "
                            f"{exc.strerror or exc}") from None
        raise
    return placed


def _make_dirs(directory: Path) -> list[Path]:
    missing = []
    current = directory
    while not os.path.lexists(current) and current != current.parent:
        missing.append(current)
        current = current.parent
    directory.mkdir(parents=True, exist_ok=True)
    return missing[::-1]


def init(directory: Path, options: dict[str, str | None], no_input: bool, ask: Ask | None = None) -> Initialized:
    values = answers(directory, options, no_input, ask)
    files = create(directory, render(values))
    warnings = []
    if not values["svcgen_source"]:
        platform = directory / SPECS_DIR / "platform.yaml"
        warnings.append(f"{platform}: svcgen.install: not set, so CI cannot install svcgen yet (add `svcgen: "
                        f"{{install: <pip requirement, URL or path>}}`, e.g. {EXAMPLE}, and put the same in the "
                        f"'Install svcgen' steps of {directory / '.github/workflows/platform.yml'}; "
                        f"`svcgen init --svcgen-source` records it)")
    return Initialized(files, warnings, values["svcgen_source"])
