"""Shared test fixtures: repository paths, one cfn-lint Linter per session (it is slow to build)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"


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
