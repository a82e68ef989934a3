"""Masking, envelopes, queue consumers, task entries."""

from __future__ import annotations

import io
import json
import logging
import uuid

import pytest
from aws_lambda_powertools import Logger, Metrics, Tracer
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt, StrictStr

from svcgen_runtime import testing
from svcgen_runtime.consumer import QueueConsumer
from svcgen_runtime.events import InvalidEvent, parse_envelope, to_json
from svcgen_runtime.masking import MASK, MaskingFormatter, mask, masked_logger
from svcgen_runtime.signature import wants_context
from svcgen_runtime.tasks import InvalidTaskInput, InvalidTaskResult, run_task

SENSITIVE = frozenset({"iban", "email", "card_number"})
IBAN = "DE89370400440532013000"


class Opened(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    account_id: StrictStr
    amount: StrictInt
    iban: StrictStr | None = Field(None, repr=False)
    opened_at: AwareDatetime


EVENTS = {("acme.accounts", "Opened"): Opened}


@pytest.fixture(autouse=True)
def no_leftover_metrics():
    """Powertools keeps metrics in state shared by every Metrics instance; nothing is flushed here."""
    yield
    Metrics(namespace="test").clear_metrics()
DETAIL = {"account_id": "a-1", "amount": 5, "iban": IBAN, "opened_at": "2024-01-01T00:00:00Z"}


def test_mask_reaches_nested_data_lists_models_and_json_strings():
    data = {
        "IBAN": IBAN, "Card-Number": "4111", "ok": "visible",
        "nested": {"list": [{"email": "a@b.c"}, ("x", {"iban": IBAN})]},
        "model": Opened(account_id="a", amount=1, iban=IBAN, opened_at="2024-01-01T00:00:00Z"),
        "body": json.dumps({"detail": {"iban": IBAN, "amount": 1}}),
        "not_json": "{broken",
    }
    masked = mask(data, SENSITIVE)
    assert IBAN not in json.dumps(masked, default=str) and "a@b.c" not in json.dumps(masked, default=str)
    assert masked["IBAN"] == MASK and masked["Card-Number"] == MASK and masked["ok"] == "visible"
    assert masked["nested"]["list"][1][1]["iban"] == MASK
    assert masked["model"]["iban"] == MASK and masked["model"]["amount"] == 1
    assert json.loads(masked["body"]) == {"detail": {"iban": MASK, "amount": 1}}
    assert masked["not_json"] == "{broken"
    assert mask({"service_name": "x", "name_x": "y"}, frozenset({"name"})) == {"service_name": "x", "name_x": "y"}


def _logger(sensitive=SENSITIVE) -> tuple[Logger, io.StringIO]:
    stream = io.StringIO()
    logger = Logger(service=f"test-{uuid.uuid4().hex}", logger_formatter=MaskingFormatter(sensitive),
                    logger_handler=logging.StreamHandler(stream))
    return logger, stream


def test_every_log_line_is_masked_message_extra_and_appended_keys():
    logger, stream = _logger()
    logger.append_keys(email="a@b.c")
    logger.info({"iban": IBAN, "text": "dict message"})
    logger.info("with extra", extra={"customer": {"iban": IBAN}, "cards": [{"card_number": "4111"}]})
    logger.info(json.dumps({"iban": IBAN}))
    output = stream.getvalue()
    assert IBAN not in output and "a@b.c" not in output and "4111" not in output
    lines = [json.loads(line) for line in output.splitlines()]
    assert lines[1]["customer"]["iban"] == MASK and lines[1]["email"] == MASK
    assert lines[0]["message"]["text"] == "dict message"


def test_masked_logger_takes_over_a_logger_created_before_it(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", f"svc-{uuid.uuid4().hex}")
    early = Logger()  # user code that created its own Logger first
    masked_logger(SENSITIVE)
    early.info("early logger", extra={"iban": IBAN})
    out = capsys.readouterr().out
    assert IBAN not in out and MASK in out


def _record(detail=DETAIL, message_id="m-1", source="acme.accounts", detail_type="Opened", group=None):
    return testing.sqs_record(testing.envelope(source, detail_type, detail, f"evt-{message_id}"), message_id, group)


def test_parse_envelope_types_the_detail_and_reports_without_values():
    envelope, event = parse_envelope(json.dumps(testing.envelope("acme.accounts", "Opened", DETAIL)), EVENTS)
    assert envelope.detail_type == "Opened" and event.amount == 5
    with pytest.raises(InvalidEvent) as bad:
        parse_envelope(testing.envelope("acme.accounts", "Opened", {**DETAIL, "amount": IBAN}), EVENTS)
    assert bad.value.event_type == "Opened" and "amount: Input should be a valid integer" in str(bad.value)
    assert IBAN not in str(bad.value) and bad.value.__cause__ is None and bad.value.__suppress_context__
    with pytest.raises(InvalidEvent, match="not an event of this function.*source acme.other"):
        parse_envelope(testing.envelope("acme.other", "Opened", DETAIL), EVENTS)
    with pytest.raises(InvalidEvent, match="^envelope: "):
        parse_envelope("not json", EVENTS)
    with pytest.raises(InvalidEvent, match="detail-type: Field required"):
        parse_envelope({"id": "1", "source": "s", "time": "2024-01-01T00:00:00Z", "detail": {}}, EVENTS)


def test_to_json_keeps_numbers_and_iso_datetimes_and_omits_absent_fields():
    event = Opened(account_id="a", amount=10, opened_at="2024-01-01T10:00:00+02:00")
    assert json.loads(to_json(event)) == {"account_id": "a", "amount": 10, "opened_at": "2024-01-01T10:00:00+02:00"}


def _consumer(handle, fifo=False):
    logger, stream = _logger()
    return QueueConsumer(function="f", events=EVENTS, handle=handle, logger=logger, tracer=Tracer(disabled=True),
                         metrics=Metrics(namespace="test", service="test"), fifo=fifo), stream


def test_a_failing_record_is_reported_alone_and_logged_with_its_correlation_id():
    def handle(event):
        if event.account_id == "boom":
            raise RuntimeError("cannot post")

    consumer, stream = _consumer(handle)
    records = [_record(message_id="m-1"), _record({**DETAIL, "account_id": "boom"}, "m-2"), _record(message_id="m-3")]
    response = consumer.process(testing.sqs_event(records), testing.lambda_context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    failed = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(failed) == 1 and failed[0]["correlation_id"] == "evt-m-2" and "cannot post" in failed[0]["exception"]
    assert failed[0]["message"] == "record m-2 (Opened) failed in f"


def test_fifo_failure_holds_back_its_group_only():
    seen = []

    def handle(event):
        seen.append(event.account_id)
        if event.account_id == "boom":
            raise RuntimeError("no")

    consumer, _ = _consumer(handle, fifo=True)
    records = [_record({**DETAIL, "account_id": "boom"}, "g1-a", group="g1"),
               _record({**DETAIL, "account_id": "later"}, "g1-b", group="g1"),
               _record({**DETAIL, "account_id": "other"}, "g2-a", group="g2")]
    response = consumer.process(testing.sqs_event(records), testing.lambda_context())
    assert response == {"batchItemFailures": [{"itemIdentifier": "g1-a"}, {"itemIdentifier": "g1-b"}]}
    assert seen == ["boom", "other"]  # g1-b never ran before the record ahead of it succeeded


def test_context_is_passed_only_to_a_function_that_asks_for_it():
    received = []
    consumer, _ = _consumer(lambda event, context: received.append(context.function_name))
    consumer.process(testing.sqs_event([_record()]), testing.lambda_context("with-context"))
    assert received == ["with-context"]
    assert not wants_context(lambda event: None) and wants_context(lambda *args: None)


def test_task_gets_ids_and_execution_and_must_return_a_small_dict():
    logger, stream = _logger()
    result = run_task(testing.task_event({"application_id": "a-1"}, "exec-1", "check-kyc"), None,
                      lambda task: {"seen": task.ids["application_id"], "execution": task.execution}, "check-kyc",
                      logger)
    assert result == {"seen": "a-1", "execution": "exec-1"}
    assert run_task(testing.task_event({}), None, lambda task: None, "f", logger) == {}
    with pytest.raises(InvalidTaskResult, match="must return a dict"):
        run_task(testing.task_event({}), None, lambda task: ["x"], "f", logger)
    with pytest.raises(InvalidTaskResult, match="JSON data"):
        run_task(testing.task_event({}), None, lambda task: {"when": object()}, "f", logger)
    with pytest.raises(InvalidTaskResult, match="under 32768"):
        run_task(testing.task_event({}), None, lambda task: {"blob": "x" * 40000}, "f", logger)
    with pytest.raises(InvalidTaskInput, match="execution: Field required"):
        run_task({"ids": {}}, None, lambda task: {}, "f", logger)
    assert "invalid task input for f" in stream.getvalue()
