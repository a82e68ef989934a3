"""Which functions take part in a service's workflows: the steps they run and the pauses they
decide. Light (the workflow spec only): the trigger check, rules, codegen and invoke use it."""

from __future__ import annotations

from generator.concerns.workflow.spec import CallStep, ChooseStep, PauseStep


def workflow_roles(spec) -> tuple[set[str], dict[str, list[str]]]:
    """Functions that `call` steps (and their compensations) invoke, and pause -> reviewer."""
    tasks: set[str] = set()
    reviews: dict[str, list[str]] = {}

    def walk(steps) -> None:
        for step in steps:
            if isinstance(step, CallStep):
                tasks.add(step.call)
                if step.compensate:
                    tasks.add(step.compensate)
            elif isinstance(step, PauseStep) and step.reviewer:
                reviews.setdefault(step.reviewer, []).append(step.pause)
            elif isinstance(step, ChooseStep):
                for branch in step.when.values():
                    walk(branch)
                walk(step.otherwise or [])

    for wf in spec.workflows.values():
        walk(wf.steps)
    return tasks, reviews
