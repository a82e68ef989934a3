"""Queue consumers: a batch of SQS records in, a partial-failure response out.

The event source mapping reports batch item failures (ReportBatchItemFailures), so one bad
record is retried (and after max_receive_count lands in the DLQ) without failing or re-running
the rest of the batch.

Per record: the body is parsed as the envelope and validated against the function's contracts;
an invalid record is reported with one log line (record, event, what failed) and never reaches
the user's function; a valid one runs the user's function with the typed event, under the
envelope's `id` as correlation id.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import BaseModel

from .events import Envelope, InvalidEvent, parse_envelope
from .signature import wants_context

IDEMPOTENCY_TABLE_ENV = "IDEMPOTENCY_TABLE"
# Duplicates come from EventBridge's at-least-once delivery and retries (a rule retries for at
# most 24 h, its MaximumEventAgeInSeconds) and from SQS redelivery after a visibility timeout:
# remembering a processed event for a day covers both.
IDEMPOTENCY_EXPIRY_SECONDS = 86400


class QueueConsumer:
    """One per function; `process` is called by the generated Lambda handler."""

    def __init__(self, *, function: str, events: Mapping[tuple[str, str], type[BaseModel]],
                 handle: Callable[..., Any], logger: Logger, tracer: Tracer, metrics: Metrics,
                 fifo: bool = False, idempotency_key: str | None = None) -> None:
        self.function = function
        self.events = dict(events)
        self.handle = handle
        self.pass_context = wants_context(handle)
        self.logger = logger
        self.metrics = metrics
        self.idempotency_key = idempotency_key
        # FIFO: a failed record holds back the later records of its message group (they are
        # reported as failed too), so a group is never processed out of order; other groups go on.
        self.processor = (SqsFifoPartialProcessor(skip_group_on_error=True) if fifo
                          else BatchProcessor(event_type=EventType.SQS))
        self._deliver = tracer.capture_method(self._deliver, capture_response=False)
        self._idempotent: Callable[..., Any] | None = None
        self._idempotency_config = None
        if idempotency_key is not None:
            from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

            self._idempotency_config = IdempotencyConfig(expires_after_seconds=IDEMPOTENCY_EXPIRY_SECONDS,
                                                         raise_on_no_idempotency_key=True)

    def process(self, event: dict, context: Any) -> dict:
        self.metrics.add_dimension(name="function", value=self.function)
        self.processor.success_messages.clear()
        self.processor.fail_messages.clear()
        try:
            return process_partial_response(event=event, record_handler=self._record,
                                            processor=self.processor, context=context)
        finally:
            # One count per record; FIFO records held back after a failure count as failed.
            self.metrics.add_metric(name="RecordsProcessed", unit=MetricUnit.Count,
                                    value=len(self.processor.success_messages))
            self.metrics.add_metric(name="RecordsFailed", unit=MetricUnit.Count,
                                    value=len(self.processor.fail_messages))

    def _record(self, record: SQSRecord, lambda_context: Any = None) -> None:
        try:
            envelope, event = parse_envelope(record.body, self.events)
        except InvalidEvent as exc:
            self.metrics.add_metric(name="InvalidRecords", unit=MetricUnit.Count, value=1)
            self.logger.error(f"invalid record {record.message_id} ({exc.event_type}): {exc.problems}",
                              extra={"message_id": record.message_id, "event_type": exc.event_type,
                                     "problems": exc.problems})
            raise
        self.logger.set_correlation_id(envelope.id)
        self.logger.append_keys(event_type=envelope.detail_type, message_id=record.message_id)
        try:
            self._deliver(envelope, event, lambda_context)
        except Exception:
            self.logger.exception(f"record {record.message_id} ({envelope.detail_type}) failed in {self.function}")
            raise
        finally:
            self.logger.remove_keys(["event_type", "message_id"])
            self.logger.set_correlation_id(None)

    def _deliver(self, envelope: Envelope, event: BaseModel, context: Any) -> None:
        if self.idempotency_key is None:
            self._call(event, context)
            return
        key = getattr(event, self.idempotency_key, None)
        if key is None:
            raise InvalidEvent(envelope.detail_type, f"idempotency key {self.idempotency_key} is missing")
        self._idempotency_config.register_lambda_context(context)
        # Keyed on the business id and the event type, never the SQS message id: a duplicate
        # event arrives as a new message; and AccountOpened/AccountClosed share an account_id.
        self._idempotent_call()(idempotency={"event": envelope.detail_type, "key": str(key)},
                                event=event, context=context)

    def _idempotent_call(self) -> Callable[..., Any]:
        """Built on first use: the persistence layer creates a boto3 client (needs a region)."""
        if self._idempotent is None:
            from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

            store = DynamoDBPersistenceLayer(table_name=os.environ[IDEMPOTENCY_TABLE_ENV])
            self._idempotent = idempotent_function(self._call_once, data_keyword_argument="idempotency",
                                                   persistence_store=store, config=self._idempotency_config)
        return self._idempotent

    def _call_once(self, idempotency: dict, event: BaseModel, context: Any) -> None:
        self._call(event, context)  # returns None: the stored result of a consumer is never read

    def _call(self, event: BaseModel, context: Any) -> None:
        if self.pass_context:
            self.handle(event, context)
        else:
            self.handle(event)
