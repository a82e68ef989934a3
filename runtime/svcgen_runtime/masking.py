"""Masking personal and secret data in every log line.

A formatter rather than Powertools' DataMasking utility: the formatter sees the whole log
record (message, `extra` keys, appended keys, nested dicts and lists) at the last moment before
it is written, so no call site can forget to mask, and a key is masked wherever it appears,
without a JSONPath per field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

MASK = "*****"


def normalize(key: object) -> str:
    """`Card-Number` and `card_number` are the same field to a reader, so to the mask too."""
    return str(key).lower().replace("-", "_")


def mask(value: Any, sensitive: frozenset[str]) -> Any:
    """`value` with the value of every key in `sensitive` replaced by MASK, at any depth.

    Pydantic models are dumped first, and strings holding a JSON object or array (an SQS body,
    a logged event) are masked inside and re-serialized: both would otherwise carry sensitive
    fields past a key-based mask.
    """
    if isinstance(value, dict):
        return {k: MASK if normalize(k) in sensitive else mask(v, sensitive) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [mask(v, sensitive) for v in value]
    if hasattr(value, "model_dump"):
        return mask(value.model_dump(mode="json", by_alias=True), sensitive)  # wire names: `from`, not `from_`
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        return json.dumps(mask(parsed, sensitive), separators=(",", ":"), default=str)
    return value


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter, with `mask` applied to the finished record."""

    def __init__(self, sensitive_fields: Iterable[str], **kwargs: Any) -> None:
        self.sensitive = frozenset(normalize(f) for f in sensitive_fields)
        super().__init__(**kwargs)

    def serialize(self, log: dict) -> str:
        return super().serialize(mask(log, self.sensitive))


def masked_logger(sensitive_fields: Iterable[str]) -> Logger:
    """The service's Logger (name from POWERTOOLS_SERVICE_NAME), masking `sensitive_fields`.

    Powertools configures a service's handler only for the first Logger of that service; if user
    code created one before this runs, the masking formatter is installed on that shared handler
    all the same, so every Logger of the service masks.
    """
    formatter = MaskingFormatter(sensitive_fields, utc=True, use_rfc3339=True)
    logger = Logger(logger_formatter=formatter)
    if logger.registered_formatter is not formatter:
        logger.registered_handler.setFormatter(formatter)
    return logger
