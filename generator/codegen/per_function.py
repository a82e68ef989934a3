"""The files of each function: its Lambda entry (OWNED), its handler module and its test (USER).

The handler stub and the test are written so that the test passes out of the box: the stub
logs and returns, the test invokes the generated entry with events built from the contracts.
"""

from __future__ import annotations

from pathlib import Path

from generator import function_env
from generator.codegen.functions import FunctionPlan, event_snake
from generator.codegen.templates import from_import, render
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
        files.append(PlannedFile(handler_path(root, plan.handler_module), stub, USER))
        for depth in range(1, len(module_path)):
            packages.add("/".join(module_path[:depth]))
        files.append(PlannedFile(generated_test_path(root, plan.snake), _test(plan), USER))
    for package in sorted(packages):
        files.append(PlannedFile(root / package / "__init__.py", render("handlers/package_init.py.j2"), USER))
    return files


def handler_path(root: Path, module: str) -> Path:
    """The file of handler module `module` (`handlers.post` -> root/handlers/post.py)."""
    parts = module.split(".")
    return root.joinpath(*parts[:-1], f"{parts[-1]}.py")


def generated_test_path(root: Path, snake: str) -> Path:
    """The generated test of the function whose snake_case name is `snake`."""
    return root / "tests" / f"test_{snake}.py"


def _test(plan: FunctionPlan) -> str:
    """tests/test_<function>.py from its kind's template: the entry's `handler`, the concern's
    builders from svcgen_runtime.testing, its other imports (e.g. samples from the generated
    svcgen_support) and its variables (generator/concerns/registry.py)."""
    concern = concerns.by_kind(plan.kind)
    # isort order: one block, the modules sorted (the runtime and tests/svcgen_support.py are
    # neither the standard library nor the service's own packages to isort).
    imports = sorted([(f"plumbing.{plan.snake}", ["handler"]), ("svcgen_runtime.testing", list(concern.test_helpers)),
                      *((module, list(names)) for module, names in concern.test_imports)])
    lines = [from_import(names, module) for module, names in imports]
    return render(f"tests/{plan.kind}.py.j2", fn=plan, imports=lines, **dict(plan.extra), **concern.test_context(plan))


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
