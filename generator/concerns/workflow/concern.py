"""The workflow concern as registered in generator/concerns/registry.py: a function that a `call`
step (or its `compensate`) invokes is a task (codegen kind `task`)."""

from __future__ import annotations

from typing import Any

from generator.concerns.concern import Concern
from generator.concerns.workflow.participants import workflow_roles
from generator.concerns.workflow.spec import StartsFragment
from generator.errors import InvokeError

SAMPLE_IDS = {"id": "id-1"}  # the ids a generated test or a local call passes a task


class WorkflowConcern(Concern):
    name = "workflow"
    function_fragment = StartsFragment
    rules_modules = ("generator.concerns.workflow.rules", "generator.concerns.workflow.rules_steps")
    resolve_module = "generator.concerns.workflow.resolve"
    render_module = "generator.concerns.workflow.render"
    kind = "task"
    trigger_words = "a workflow step"
    described_as = "a workflow task"
    test_helpers = ("lambda_context", "task_event")
    test_imports = (("svcgen_runtime.tasks", ("InvalidTaskInput",)),)

    def trigger(self, spec, key: str) -> bool:
        tasks, _ = workflow_roles(spec)
        return key in tasks

    def test_context(self, plan) -> dict[str, Any]:
        return {"ids": dict(SAMPLE_IDS)}

    def invoke_request(self, fn, event, sample):
        """A task's input: the file's whole input (has `ids`), or the file as the ids."""
        if isinstance(event, dict) and "ids" in event:
            return {"event": event, "recipe": None}, "workflow task input from the file"
        ids = event if event is not None else dict(SAMPLE_IDS)
        if not isinstance(ids, dict):
            raise InvokeError("a workflow task's ids are a JSON object")
        return {"event": ids, "recipe": "task", "step": fn.key}, f"workflow task, ids {ids}"
