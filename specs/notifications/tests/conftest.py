"""pytest setup for the notifications service: created once by svcgen, then yours."""

import sys
from pathlib import Path

import pytest

CODE_DIR = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """Before any test module (and so any handler) is imported: the code directory on sys.path,
    as Lambda has it (and this one, for svcgen_support.py under any import mode), and the
    environment the deployed functions get, with test values and fake AWS credentials."""
    sys.path[:0] = [str(CODE_DIR), str(CODE_DIR / "tests")]
    from svcgen_support import use_test_environment

    use_test_environment()


@pytest.fixture
def logs():
    """What the service's logger writes (through its masking formatter), as the text Lambda would
    ship to CloudWatch. pytest's capsys/capfd miss it: the handler holds the stream it had at import."""
    import io

    from plumbing.observability import logger

    buffer = io.StringIO()
    previous = logger.registered_handler.setStream(buffer)
    yield buffer
    logger.registered_handler.setStream(previous)
