"""The generated test of a subscriber: a batch with one sample record per subscribed event (from
its contract) and one invalid record, which the consumer reports as a batch item failure."""

from __future__ import annotations

from generator.codegen.literals import py
from generator.codegen.templates import LINE_LENGTH


def test_records(plan) -> list[str]:
    group = [f"message_group={py(plan.message_group)}"] if plan.fifo else []
    records = [_call("sqs_record", [f"sample_envelope({py(c.source)}, {py(c.event)})", py(f"message-{i}")] + group)
               for i, c in enumerate(plan.consumes, 1)]
    invalid = plan.consumes[0]
    records.append(_call("sqs_record", [f"invalid_envelope({py(invalid.source)}, {py(invalid.event)})",
                                        py("message-invalid")] + group))
    return records


def _call(function: str, args: list[str], indent: int = 8) -> str:
    """`function(a, b)` on one line if it fits, else one argument per line (as a formatter would)."""
    line = f"{function}({', '.join(args)})"
    if indent + len(line) + 1 <= LINE_LENGTH:
        return line
    pad = " " * (indent + 4)
    return f"{function}(\n" + "".join(f"{pad}{a},\n" for a in args) + " " * indent + ")"
