"""The schedule concern as registered in generator/concerns/registry.py.

Light at import (spec/model.py imports the registry): resolution, rendering and codegen helpers
are imported inside the hooks.
"""

from __future__ import annotations

from typing import Any

from generator.concerns.concern import Concern
from generator.concerns.schedule.spec import ScheduleFragment


class ScheduleConcern(Concern):
    name = "schedule"
    function_fragment = ScheduleFragment
    rules_modules = ("generator.concerns.schedule.rules",)
    resolve_module = "generator.concerns.schedule.resolved"
    render_module = "generator.concerns.schedule.render"
    kind = "schedule"
    trigger_words = "a schedule"
    described_as = "invoked by a schedule"
    test_helpers = ("lambda_context", "scheduled_event")
    test_imports = (("svcgen_runtime.schedule", ("InvalidScheduledRun",)),)

    def trigger(self, spec, key: str) -> bool:
        return spec.functions[key].schedule is not None

    def invoke_request(self, fn, event, sample) -> tuple[dict[str, Any], str]:
        """A run as Scheduler sends it: a whole run from the --event file, the file's object as
        the input, or the spec's input; due now (a local run has no schedule to be due by)."""
        import json
        from datetime import datetime, timezone

        if isinstance(event, dict) and "scheduled_time" in event:
            return {"event": event, "recipe": None}, "scheduled run from the file"
        due = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
        given = event if event is not None else json.loads(fn.extension(self.name).input_json)
        run = {"input": given, "scheduled_time": due, "execution_id": "svcgen-invoke", "attempt_number": "1"}
        origin = "input from the file" if event is not None else "the schedule's input"
        return {"event": run, "recipe": None}, f"scheduled run due {due}, {origin}"

    def template_context(self, fn) -> dict[str, Any]:
        import json

        schedule = fn.extension(self.name)
        return {"schedule_input": json.loads(schedule.input_json), "schedule_expression": schedule.expression,
                "schedule_timezone": schedule.timezone}
