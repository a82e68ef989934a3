"""Unit tests never talk to a server: in-process moto (`mock_aws`) only.

The end-to-end package points AWS_ENDPOINT_URL at its moto server for the rest of the session
(so nothing there can reach real AWS); unit tests that run after it must not inherit that.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _no_endpoint_override(monkeypatch):
    for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL")]:
        monkeypatch.delenv(name)
