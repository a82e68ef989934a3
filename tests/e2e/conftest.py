"""Fixtures for the end-to-end tests: one moto server per session, boto3 clients bound to it.

The server runs as a subprocess (moto's server mode: a real HTTP CloudFormation API), bound
to 127.0.0.1 on a free port. Nothing in this directory may reach real AWS: every AWS_*
variable is replaced by dummies for the session and AWS_ENDPOINT_URL points at moto, so even
a client created without endpoint_url lands on the local server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

import moto_compat

REGION = "eu-west-1"
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
                     "aws_session_token": "testing"}
STARTUP_TIMEOUT_S = 30.0
START_ATTEMPTS = 3  # a free port can be taken between probing it and moto binding it

# urllib must not send requests for 127.0.0.1 through a developer's HTTP(S)_PROXY.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class MotoServer:
    url: str
    log_path: Path


@pytest.fixture(scope="session", autouse=True)
def _dummy_aws_environment(tmp_path_factory) -> Iterator[pytest.MonkeyPatch]:
    """Remove every AWS_* setting (profiles, role ARNs, real keys) and set dummies."""
    nowhere = str(tmp_path_factory.mktemp("aws") / "does-not-exist")
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith("AWS_")]:
            mp.delenv(name)
        mp.setenv("AWS_ACCESS_KEY_ID", DUMMY_CREDENTIALS["aws_access_key_id"])
        mp.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_CREDENTIALS["aws_secret_access_key"])
        mp.setenv("AWS_SESSION_TOKEN", DUMMY_CREDENTIALS["aws_session_token"])
        mp.setenv("AWS_DEFAULT_REGION", REGION)
        mp.setenv("AWS_REGION", REGION)
        mp.setenv("AWS_CONFIG_FILE", nowhere)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", nowhere)
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        mp.setenv("NO_PROXY", ",".join(filter(None, [os.environ.get("NO_PROXY"),
                                                     "127.0.0.1", "localhost"])))
        yield mp


@pytest.fixture(scope="session")
def _moto_server(_dummy_aws_environment, tmp_path_factory) -> Iterator[MotoServer]:
    log_path = tmp_path_factory.mktemp("moto") / "server.log"
    process, url = _start_server(log_path)
    try:
        _dummy_aws_environment.setenv("AWS_ENDPOINT_URL", url)
        yield MotoServer(url=url, log_path=log_path)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def moto_endpoint(_moto_server: MotoServer) -> str:
    """URL of the session's moto server, e.g. http://127.0.0.1:54321."""
    return _moto_server.url


@pytest.fixture(scope="session")
def moto_server_log(_moto_server: MotoServer) -> Path:
    """The server's combined stdout/stderr; moto's tracebacks for HTTP 500s are here."""
    return _moto_server.log_path


@pytest.fixture(scope="session")
def aws(moto_endpoint: str) -> Callable[[str], Any]:
    """Factory: aws("sqs") -> a boto3 client for moto in eu-west-1 with dummy credentials.

    Retries are off: moto never throttles, and a retried CreateStack after a moto 500 would
    re-run a half-finished request (the stack is stored before its resources are created).
    """
    session = boto3.session.Session()
    clients: dict[str, Any] = {}

    def client(service_name: str) -> Any:
        if service_name not in clients:
            clients[service_name] = session.client(
                service_name, endpoint_url=moto_endpoint, region_name=REGION,
                config=Config(retries={"total_max_attempts": 1}), **DUMMY_CREDENTIALS)
        return clients[service_name]
    return client


@pytest.fixture
def fresh_moto(moto_endpoint: str) -> str:
    """Reset all of moto's state before the test (stacks, queues, everything)."""
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST", data=b"")
    with _HTTP.open(request, timeout=10) as response:
        assert json.load(response).get("status") == "ok"
    return moto_endpoint


def _start_server(log_path: Path) -> tuple[subprocess.Popen, str]:
    for _attempt in range(START_ATTEMPTS):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        # Output goes to a file, not a pipe: nobody reads a pipe while tests run, and a full
        # pipe buffer would block the server.
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, **moto_compat.SERVER_ENV})
        if _wait_until_answering(process, url):
            return process, url
        exit_code = process.poll()  # None: still running but not answering
        _stop(process)
        if "Address already in use" not in log_path.read_text(errors="replace"):
            break
    output = "\n".join(log_path.read_text(errors="replace").splitlines()[-60:])
    why = (f"exited with code {exit_code}" if exit_code is not None
           else f"did not answer within {STARTUP_TIMEOUT_S:.0f}s")
    pytest.fail(f"moto server on {url} {why}; the end of its output ({log_path}):\n{output}",
                pytrace=False)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_answering(process: subprocess.Popen, url: str) -> bool:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with _HTTP.open(f"{url}/moto-api/config", timeout=1) as response:
                if 200 <= response.status < 300:  # moto answers 201 here
                    return True
        except OSError:
            time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
