"""pytest setup for the onboarding service: created once by svcgen, then yours."""

import sys
from pathlib import Path

CODE_DIR = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """Before any test module (and so any handler) is imported: the code directory on sys.path,
    as Lambda has it, and the environment the deployed functions get, with test values and fake
    AWS credentials."""
    sys.path.insert(0, str(CODE_DIR))
    from plumbing.testing import use_test_environment

    use_test_environment()
