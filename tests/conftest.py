"""Shared test fixtures: repository paths, one cfn-lint Linter per session (it is slow to build)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"


# The slow tier: a moto server, a subprocess running a generated service's own test suite, linted
# builds of every example, the fuzzer, or a whole `svcgen new`/build in a fresh process.
# `pytest -m "not e2e"` is the fast tier (under a minute).
E2E_DIRS = ("e2e", "fuzz")
E2E_FILES = ("test_demo_code.py", "test_new.py", "test_invoke.py", "test_cli.py", "test_examples.py")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: end-to-end (a local AWS, subprocesses, whole builds); "
                                       "deselect with -m 'not e2e' for the fast tier")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.path))
        if not path.is_relative_to(ROOT / "tests"):  # runtime/tests: the runtime library's own
            continue
        if path.name in E2E_FILES or any(part in E2E_DIRS for part in path.relative_to(ROOT / "tests").parts[:-1]):
            item.add_marker(pytest.mark.e2e)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/golden from the current generator instead of comparing")


@pytest.fixture(scope="session")
def linter():
    from generator.lint import Linter

    return Linter(regions=["eu-west-1"])


@pytest.fixture(scope="session")
def demo_workspace():
    from generator.workspace import load_workspace

    return load_workspace([SPECS])
