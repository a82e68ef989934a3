"""The files of each function: its Lambda entry (OWNED), its handler module and its test (USER).

The handler stub and the test are written so that the test passes out of the box: the stub
logs and returns, the test invokes the generated entry with events built from the contracts.
"""

from __future__ import annotations

from pathlib import Path

from generator import function_env
from generator.codegen.functions import FunctionPlan, event_snake
from generator.codegen.literals import py
from generator.codegen.templates import LINE_LENGTH, from_import, render
from generator.concerns import registry as concerns
from generator.ownership import OWNED, USER, PlannedFile


def function_files(root: Path, svc, plans: list[FunctionPlan], models: dict) -> list[PlannedFile]:
    files = [PlannedFile(root / "tests" / "conftest.py", render("tests/conftest.py.j2", service=svc.service), USER)]
    packages: set[str] = set()
    for plan in plans:
        classes = list(dict.fromkeys(c.class_name for c in plan.consumes))
        entry = render(f"{plan.kind}.py.j2", fn=plan, classes=classes, **dict(plan.extra))
        files.append(PlannedFile(root / "plumbing" / f"{plan.snake}.py", entry, OWNED))
        module_path = plan.handler_module.split(".")
        stub = render(f"handlers/{plan.kind}.py.j2", fn=plan, classes=classes, hints=hints(svc, plan),
                      **dict(plan.extra))
        files.append(PlannedFile(root.joinpath(*module_path[:-1], f"{module_path[-1]}.py"), stub, USER))
        for depth in range(1, len(module_path)):
            packages.add("/".join(module_path[:depth]))
        files.append(PlannedFile(root / "tests" / f"test_{plan.snake}.py", _test(plan), USER))
    for package in sorted(packages):
        files.append(PlannedFile(root / package / "__init__.py", render("handlers/package_init.py.j2"), USER))
    return files


def _test(plan: FunctionPlan) -> str:
    registered = concerns.by_kind(plan.kind)
    if registered is not None:  # a registered concern's kind: its helpers, its template, its variables
        imports = sorted([(f"plumbing.{plan.snake}", ["handler"]), ("plumbing.testing", list(registered.test_helpers)),
                          *((module, list(names)) for module, names in registered.test_imports)])
        return render(f"tests/{plan.kind}.py.j2", fn=plan,
                      imports=[from_import(names, module) for module, names in imports], **dict(plan.extra))
    helpers = {"queue": ["invalid_envelope", "lambda_context", "sample_envelope", "sqs_event", "sqs_record"],
               "http": ["http_event", "lambda_context"], "task": ["lambda_context", "task_event"],
               "direct": ["lambda_context"]}[plan.kind]
    # isort order: the modules sorted, so `plumbing.testing` may come before or after the entry.
    imports = sorted([(f"plumbing.{plan.snake}", ["handler"]), ("plumbing.testing", helpers)])
    context = {"fn": plan, "imports": [from_import(names, module) for module, names in imports]}
    if plan.kind == "queue":
        group = [f"message_group={py(plan.message_group)}"] if plan.fifo else []
        records = [_call("sqs_record", [f"sample_envelope({py(c.source)}, {py(c.event)})", py(f"message-{i}")] + group)
                   for i, c in enumerate(plan.consumes, 1)]
        invalid = plan.consumes[0]
        records.append(_call("sqs_record", [f"invalid_envelope({py(invalid.source)}, {py(invalid.event)})",
                                            py("message-invalid")] + group))
        return render("tests/queue.py.j2", records=records, **context)
    if plan.kind == "http":
        method = "GET" if plan.route.method == "ANY" else plan.route.method
        return render("tests/http.py.j2", method=method, path_parameters={p: f"{p}-1" for p in plan.route.params},
                      **context)
    if plan.kind == "task":
        return render("tests/task.py.j2", ids={"id": "id-1"}, **context)
    return render("tests/direct.py.j2", **context)


def _call(function: str, args: list[str], indent: int = 8) -> str:
    """`function(a, b)` on one line if it fits, else one argument per line (as a formatter would)."""
    line = f"{function}({', '.join(args)})"
    if indent + len(line) + 1 <= LINE_LENGTH:
        return line
    pad = " " * (indent + 4)
    return f"{function}(\n" + "".join(f"{pad}{a},\n" for a in args) + " " * indent + ")"


def hints(svc, plan: FunctionPlan) -> list[str]:
    """Comment lines naming the generated helpers this function is allowed to use (its IAM)."""
    lines = []
    lines += [f"from plumbing.publish import publish_{event_snake(e)}" for e in plan.publishes or ()]
    if plan.store_access:
        names = ["load"] + (["ConcurrencyConflict", "append", "revision_of"] if "append" in plan.store_access else [])
        lines.append(f"from plumbing.store import {', '.join(sorted(names))}  # event store: "
                     f"{', '.join(plan.store_access)}")
    for service, workflow in plan.starts:
        lines.append(f"from plumbing.workflow import start_{workflow.replace('-', '_')}  # {service}.{workflow}")
    for pause in plan.reviews:
        lines.append(f"from plumbing.workflow import approve, reject  # {pause}: task tokens in "
                     f"{function_env.review_queue_url(pause)}")
    return lines
