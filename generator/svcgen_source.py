"""Where an organisation installs svcgen from, and how the CI workflows svcgen writes install it.

`svcgen init` records the source in platform.yaml (`svcgen.install`); the workflows of `init` and
`svcgen new` run `python -m pip install <it>`. Nothing here ever guesses a package name: a name
that is on no index installs nothing, and one that is on a public index may be somebody else's
package. Without a source the workflows hold a placeholder step that fails with what to do.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from importlib.metadata import PackageNotFoundError, distribution, requires
from pathlib import Path

from generator.schema_gen import in_checkout
from generator.spec.platform import install_words, svcgen_install_problem

EXAMPLE = "git+https://git.example.com/platform/svcgen@v0.1.0"
# What a service's own tests may need besides svcgen and what it depends on: those of these that
# svcgen's [test] extra lists, pinned as it pins them (the versions svcgen's own suite runs
# generated code with).
TEST_TOOLS = ("pytest", "moto", "aws-lambda-powertools")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class SourceError(ValueError):
    """A source that cannot be recorded (exit 1): the message says why."""


def install_command(source: str) -> str:
    """`python -m pip install` with svcgen.install's arguments, each quoted for the shell."""
    return shlex.join(["python", "-m", "pip", "install", *install_words(source)])


def install_run(source: str, platform_rel: str) -> str:
    """The `run:` of a workflow's 'Install svcgen' step (`platform_rel`: platform.yaml from the
    repository root)."""
    if source:
        return install_command(source)
    return (f'echo "::error::set svcgen.install in {platform_rel} (where your organisation installs svcgen from) '
            f'and replace this placeholder step with: python -m pip install <it>" && exit 1')


def missing_warning(platform_path: Path, workflow: Path) -> str:
    return (f"{platform_path}: svcgen.install: not set, so {workflow} cannot install svcgen yet (add "
            f"`svcgen: {{install: <pip requirement, URL or path>}}`, e.g. {EXAMPLE}, and put the same in the "
            f"workflow's 'Install svcgen' steps in place of the placeholder)")


def test_requirements() -> str:
    """pip arguments for what a service's tests import besides svcgen, shell-quoted."""
    try:
        lines = requires("svcgen") or []
    except PackageNotFoundError:  # a source tree that was never installed: the names, unpinned
        return shlex.join(TEST_TOOLS)
    pinned: dict[str, str] = {}
    for line in lines:
        requirement, _, marker = line.partition(";")
        name = re.match(r"[A-Za-z0-9._-]*", requirement.strip()).group(0).lower()
        if 'extra == "test"' in marker and name in TEST_TOOLS:
            pinned[name] = requirement.strip()
    return shlex.join(pinned[name] for name in TEST_TOOLS if name in pinned)


def installed_source() -> str | None:
    """Where the running svcgen came from, when that means something on another machine: the
    VCS URL and revision or archive URL pip recorded (PEP 610 direct_url.json), or
    `svcgen==<version>` when it came from a package index (pip then records no URL). None for a
    local path or an editable checkout: a path of this machine means nothing to CI."""
    if in_checkout(Path(__file__).parent):  # running from a source checkout (an editable install)
        return None
    try:
        dist = distribution("svcgen")
    except PackageNotFoundError:
        return None
    text = dist.read_text("direct_url.json")
    if text is None:
        return f"svcgen=={dist.version}"
    try:
        data = json.loads(text)
        url = data["url"]
    except (ValueError, KeyError, TypeError):
        return None
    vcs = data.get("vcs_info")
    if vcs:
        revision = vcs.get("requested_revision") or vcs.get("commit_id")
        return f"{vcs.get('vcs', 'git')}+{url}" + (f"@{revision}" if revision else "")
    return None if url.startswith("file:") else url


def recorded(value: str, repository: Path) -> str:
    """`--svcgen-source` as platform.yaml records it. A path (it exists here, or is written like
    one), alone or as an option's value (`--find-links ./tools`), is read from the current
    directory, as the shell would, and recorded relative to the repository root, where CI runs
    `pip install`: never as a path of this machine. URLs and requirements are recorded as given."""
    value = value.strip()
    why = svcgen_install_problem(value)
    if why:
        raise SourceError(f"--svcgen-source {value!r}: {why}")
    words = []
    for word in install_words(value):
        option, equals, rest = word.partition("=") if word.startswith("-") else ("", "", word)
        if not word.startswith("-") or equals:
            rest = _repository_path(rest, repository) if _is_path(rest) else rest
        words.append(f"{option}{equals}{rest}")
    return " ".join(words)


def _repository_path(value: str, repository: Path) -> str:
    path = Path(value).expanduser()
    if not path.exists():
        raise SourceError(f"--svcgen-source: {value}: no such file or directory (a path must exist: pip installs "
                          f"svcgen from it)")
    relative = Path(os.path.relpath(path.resolve(), repository.resolve())).as_posix()
    if relative == ".." or relative.startswith("../"):
        raise SourceError(f"--svcgen-source: {value} is outside the repository {repository}, so CI, which checks "
                          f"out only the repository, cannot install from it (copy it into the repository, e.g. "
                          f"tools/, or give a URL or a requirement from your index)")
    return "." if relative == "." else f"./{relative}"


def _is_path(value: str) -> bool:
    if _URL.match(value) or value.startswith("git+") or " @ " in value:
        return False
    return (value.startswith(("/", ".", "~")) or "/" in value or os.sep in value
            or value.endswith((".whl", ".tar.gz", ".zip")) or Path(value).exists())
