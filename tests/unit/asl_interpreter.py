"""A small interpreter for the subset of ASL that svcgen generates, for tests.

It runs a generated definition the way Step Functions would, state by state: Pass (Parameters,
Result), Choice (IsPresent, StringEquals, Not), Task (Parameters with `.$` paths and
`${Placeholder}` substitutions, ResultSelector, ResultPath, Retry with backoff, MaxDelaySeconds
and full jitter, Catch), Succeed and Fail (Error / ErrorPath). What a Task *does* is the test's
`task` callback: it returns the service's result or raises `TaskFailed(error)`. Retry waits are
real sleeps, scaled by `time_scale`, so concurrent executions interleave as they would.

Not modelled: Map, Parallel, Wait, intrinsic functions, TimeoutSeconds (a callback raises
`States.Timeout` itself). A state that needs them raises NotImplementedError, so a generator
change that starts emitting them fails the tests that rely on this module rather than passing
them silently.
"""

from __future__ import annotations

import copy
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class TaskFailed(Exception):
    def __init__(self, error: str, cause: str = ""):
        super().__init__(error)
        self.error, self.cause = error, cause


@dataclass
class Run:
    status: str  # SUCCEEDED | FAILED
    output: Any
    error: str | None
    visited: list[str] = field(default_factory=list)


_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def get(path: str, data: Any, context: dict) -> Any:
    """`$.a.b` in the state, `$$.Execution.Id` in the context object; KeyError when absent."""
    root, rest = (context, path[3:]) if path.startswith("$$.") else (data, path[2:])
    if path in ("$", "$$"):
        return root
    value = root
    for part in rest.split("."):
        value = value[part]
    return value


def present(path: str, data: Any, context: dict) -> bool:
    try:
        get(path, data, context)
        return True
    except (KeyError, TypeError):
        return False


def resolve(template: Any, data: Any, context: dict, substitutions: dict[str, str]) -> Any:
    """Parameters / ResultSelector: `key.$` takes a path's value; strings get ${X} substituted."""
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if key.endswith(".$"):
                out[key[:-2]] = get(value, data, context)
            else:
                out[key] = resolve(value, data, context, substitutions)
        return out
    if isinstance(template, list):
        return [resolve(v, data, context, substitutions) for v in template]
    if isinstance(template, str):
        return _PLACEHOLDER.sub(lambda m: substitutions.get(m.group(1), m.group(0)), template)  # unknown: left as is
    return template


def put(data: Any, result_path: str | None, result: Any) -> Any:
    """ResultPath: null keeps the input, `$` replaces it, `$.a.b` sets (creating `a`)."""
    if result_path is None:
        return data
    if result_path == "$":
        return result
    out = copy.deepcopy(data)
    node = out
    parts = result_path[2:].split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = result
    return out


def matches(error: str, names: list[str]) -> bool:
    return error in names or ("States.ALL" in names and error != "States.Runtime")


def choose(rule: dict, data: Any, context: dict) -> bool:
    if "Not" in rule:
        return not choose(rule["Not"], data, context)
    if "And" in rule:
        return all(choose(r, data, context) for r in rule["And"])
    variable = rule["Variable"]
    if "IsPresent" in rule:
        return present(variable, data, context) == rule["IsPresent"]
    if "StringEquals" in rule:
        if not present(variable, data, context):
            raise TaskFailed("States.Runtime", f"invalid path {variable}")  # what Step Functions does
        return get(variable, data, context) == rule["StringEquals"]
    raise NotImplementedError(rule)


def run(definition: dict, execution_input: Any, task: Callable[[str, dict, dict], Any], *,
        context: dict | None = None, substitutions: dict[str, str] | None = None,
        time_scale: float = 0.0, rng: random.Random | None = None, max_transitions: int = 10_000) -> Run:
    """Run one execution to its end; `task(state name, state, resolved Parameters)` does the work."""
    context = copy.deepcopy(context or {})
    env = (context, substitutions or {}, task, time_scale, rng or random.Random(0))
    states = definition["States"]
    name, data = definition["StartAt"], execution_input
    visited: list[str] = []
    for _ in range(max_transitions):
        visited.append(name)
        context["State"] = {"Name": name, "EnteredTime": f"2024-01-01T00:00:{len(visited) % 60:02d}Z"}
        try:
            outcome = _step(name, states[name], data, env)
        except TaskFailed as failure:  # a runtime error: no Catch applies
            return Run("FAILED", data, failure.error, visited)
        except (KeyError, TypeError):  # a path that is not there
            return Run("FAILED", data, "States.Runtime", visited)
        if isinstance(outcome, Run):
            outcome.visited = visited
            return outcome
        name, data = outcome
    raise AssertionError(f"no end after {max_transitions} transitions: {visited[-20:]}")


def _step(name: str, state: dict, data: Any, env) -> Run | tuple[str, Any]:
    """One state: the (next state, data) it leads to, or the Run it ends."""
    context, substitutions = env[0], env[1]
    kind = state["Type"]
    if kind == "Succeed":
        return Run("SUCCEEDED", data, None)
    if kind == "Fail":
        return Run("FAILED", data, state.get("Error") or get(state["ErrorPath"], data, context))
    if kind == "Choice":
        chosen = next((r["Next"] for r in state["Choices"] if choose(r, data, context)), state.get("Default"))
        return (chosen, data) if chosen else Run("FAILED", data, "States.NoChoiceMatched")
    if kind == "Pass":
        if "Parameters" in state:
            result = resolve(state["Parameters"], data, context, substitutions)
        else:
            result = state.get("Result", data)
        data = put(data, state.get("ResultPath", "$"), result)
    elif kind == "Task":
        outcome = _task(name, state, data, *env)
        if isinstance(outcome, TaskFailed):
            catcher = next((c for c in state.get("Catch", []) if matches(outcome.error, c["ErrorEquals"])), None)
            if catcher is None:
                return Run("FAILED", data, outcome.error)
            return catcher["Next"], put(data, catcher.get("ResultPath", "$"),
                                        {"Error": outcome.error, "Cause": outcome.cause})
        data = put(data, state.get("ResultPath", "$"), outcome)
    else:
        raise NotImplementedError(kind)
    return Run("SUCCEEDED", data, None) if state.get("End") else (state["Next"], data)


def _task(name, state, data, context, substitutions, task, time_scale, rng):
    """The task's result, or the TaskFailed left after its retriers gave up."""
    attempts: dict[int, int] = {}
    while True:
        context["Task"] = {"Token": f"token-{name}-{sum(attempts.values())}"}
        try:
            params = resolve(state.get("Parameters", {}), data, context, substitutions)
            result = task(name, state, params)
            if "ResultSelector" in state:
                result = resolve(state["ResultSelector"], result, context, substitutions)
            return result
        except TaskFailed as failure:
            index = next((i for i, r in enumerate(state.get("Retry", []))
                          if matches(failure.error, r["ErrorEquals"])), None)
            if index is None:
                return failure
            retrier = state["Retry"][index]
            done = attempts.get(index, 0)
            if done >= retrier.get("MaxAttempts", 3):
                return failure
            attempts[index] = done + 1
            delay = retrier.get("IntervalSeconds", 1) * retrier.get("BackoffRate", 2.0) ** done
            delay = min(delay, retrier.get("MaxDelaySeconds", delay))
            if retrier.get("JitterStrategy") == "FULL":
                delay = rng.uniform(0, delay)
            time.sleep(delay * time_scale)
