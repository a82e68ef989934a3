"""The test helpers: event builders, contract samples, the test environment, and the pytest plugin
that pytest loads through the runtime's `pytest11` entry point."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from unittest import mock

import pytest

import svcgen_runtime
from svcgen_runtime import testing
from svcgen_runtime.schedule import ScheduledRun

RUNTIME = Path(__file__).resolve().parent.parent
OPENED = ("acme.accounts", "AccountOpened")
SAMPLES = testing.ContractSamples(
    valid={OPENED: {"account_id": "account_id-1", "tags": ["a"], "schema_version": 1}},
    invalid={OPENED: ("account_id", 12345)},
)


def test_the_version_is_written_once_and_is_what_the_installed_distribution_says():
    pyproject = tomllib.loads((RUNTIME / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "svcgen_runtime.__version__"}
    assert importlib.metadata.version("svcgen-runtime") == svcgen_runtime.__version__


def test_the_plugin_is_registered_for_pytest():
    (entry,) = [e for e in importlib.metadata.entry_points(group="pytest11") if e.name == "svcgen_runtime"]
    assert entry.value == "svcgen_runtime.pytest_plugin"


def test_samples_are_copies_and_the_invalid_one_breaks_exactly_one_field():
    detail = SAMPLES.detail(*OPENED)
    detail["tags"].append("changed by a test")
    assert SAMPLES.detail(*OPENED)["tags"] == ["a"]  # the next test gets the sample unchanged
    valid, invalid = SAMPLES.envelope(*OPENED), SAMPLES.invalid_envelope(*OPENED, event_id="evt-bad")
    assert valid["detail-type"] == "AccountOpened" and valid["source"] == "acme.accounts"
    assert valid["id"] == "evt-AccountOpened" and invalid["id"] == "evt-bad"
    assert {k: v for k, v in invalid["detail"].items() if valid["detail"][k] != v} == {"account_id": 12345}
    assert SAMPLES.events() == [OPENED]
    with pytest.raises(KeyError):
        SAMPLES.envelope("acme.accounts", "AccountClosed")


def test_an_sqs_record_carries_its_body_as_json_with_sqs_checksum_and_fifo_fields():
    record = testing.sqs_record(SAMPLES.envelope(*OPENED), "m-1", message_group="acc-1")
    assert json.loads(record["body"])["detail"]["account_id"] == "account_id-1"
    assert record["md5OfBody"] == hashlib.md5(record["body"].encode()).hexdigest()
    assert record["attributes"]["MessageGroupId"] == "acc-1" and record["attributes"]["MessageDeduplicationId"] == "m-1"
    assert "MessageGroupId" not in testing.sqs_record("plain text", "m-2")["attributes"]
    assert testing.sqs_event([record]) == {"Records": [record]}


def test_an_http_event_fills_the_route_with_its_path_parameters():
    event = testing.http_event("POST", "/accounts/{id}/close", {"id": "acc-1"}, {"reason": "moved"})
    assert event["rawPath"] == "/accounts/acc-1/close" and event["routeKey"] == "POST /accounts/{id}/close"
    assert event["requestContext"]["http"]["method"] == "POST" and json.loads(event["body"]) == {"reason": "moved"}
    assert testing.http_event("GET", "/health")["body"] is None


def test_a_scheduled_event_is_a_run_the_schedule_entry_accepts():
    run = ScheduledRun.model_validate(testing.scheduled_event({"report": "daily"}, attempt_number=2))
    assert (run.input, run.attempt_number, run.execution_id) == ({"report": "daily"}, 2, "test-execution")
    assert testing.task_event({"id": "id-1"}) == {"ids": {"id": "id-1"}, "execution": "test-execution",
                                                  "step": "test-step"}


def test_the_test_environment_never_holds_real_credentials():
    # The whole environment is restored afterwards: a variable this test adds would otherwise reach
    # the processes later tests start (a service's own test run takes EVENT_SOURCE from it).
    before = dict(os.environ)
    with mock.patch.dict(os.environ):
        os.environ.update(AWS_ACCESS_KEY_ID="AKIAREALKEY", AWS_PROFILE="prod", SERVICE_NAME="set-by-the-caller")
        os.environ.pop("EVENT_SOURCE", None)
        testing.use_environment({"SERVICE_NAME": "ledger", "EVENT_SOURCE": "acme.ledger"})
        assert os.environ["AWS_ACCESS_KEY_ID"] == "testing" and "AWS_PROFILE" not in os.environ
        assert os.environ["EVENT_SOURCE"] == "acme.ledger"
        assert os.environ["SERVICE_NAME"] == "set-by-the-caller"  # what the caller set wins
    assert dict(os.environ) == before


def test_a_lambda_context_is_named_after_the_function():
    context = testing.lambda_context("post-transaction")
    assert context.function_name == "post-transaction" and context.invoked_function_arn.endswith(":post-transaction")
    assert context.get_remaining_time_in_millis() > 0


PLUGIN_USER = """
    import boto3
    from svcgen_runtime import clients

    clients._clients["sqs"] = "made before the mock"  # e.g. by a handler module at import


    def test_first(local_aws):
        assert clients.client("sqs") != "made before the mock"
        clients.client("sqs").create_queue(QueueName="left-behind")
        assert len(boto3.client("sqs").list_queues().get("QueueUrls", [])) == 1


    def test_second_starts_empty(local_aws):
        assert boto3.client("sqs").list_queues().get("QueueUrls", []) == []
"""


@pytest.mark.e2e  # a pytest subprocess: the full suite, not the fast tier
def test_the_plugin_loads_without_a_conftest_and_gives_each_test_an_empty_local_aws(tmp_path):
    """A fresh pytest process (entry points load, nothing is passed with -p): the fixture exists,
    the runtime's cached clients are made inside the mock, and a test's resources are gone for
    the next one."""
    (tmp_path / "test_user.py").write_text(textwrap.dedent(PLUGIN_USER))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_DEFAULT_REGION="eu-west-1")
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=",
                          "--rootdir", str(tmp_path), str(tmp_path)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
    assert f"svcgen-runtime {svcgen_runtime.__version__}" in run.stdout  # the plugin's report header
