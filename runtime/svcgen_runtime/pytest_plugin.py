"""The pytest plugin of svcgen's runtime (entry point `pytest11`: pytest loads it wherever the
runtime is installed, so a service's tests need no conftest line for it).

Fixtures:
- `local_aws`: an empty in-memory AWS (moto) for the test. The mock is started once per session
  and emptied for each test (starting it costs a tenth of a second: it registers thousands of URL
  callbacks), and the runtime's cached boto3 clients (clients.py) are dropped when it starts, so
  the generated code's clients are made inside it. Needs moto (`svcgen-runtime[test]`).

The event builders are plain functions in svcgen_runtime.testing. Loaded into every pytest run
of the environment, svcgen's own included, so this module imports nothing heavy at import time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import svcgen_runtime


def pytest_report_header(config: pytest.Config) -> str:
    """Which runtime the tests run on: a service pins one in its requirements.txt."""
    return f"svcgen-runtime {svcgen_runtime.__version__}"


@pytest.fixture(scope="session")
def _svcgen_moto() -> Iterator[Any]:
    try:
        from moto import mock_aws
    except ImportError:
        pytest.fail("the local_aws fixture needs moto: pip install 'svcgen-runtime[test]'", pytrace=False)
    from svcgen_runtime import clients

    # boto3's default session is kept, and with it the service models it has parsed (a new
    # session reads them from disk again for every client).
    with mock_aws(config={"core": {"reset_boto3_session": False}}) as mock:
        clients.reset()
        yield mock
    clients.reset()  # a client made inside the mock must not outlive it


@pytest.fixture
def local_aws(_svcgen_moto) -> Any:
    """An empty in-memory AWS: every resource a previous test made is gone."""
    _svcgen_moto.reset()
    return _svcgen_moto
