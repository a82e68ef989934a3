"""Handler boilerplate: svcgen generates the plumbing and leaves the business logic to the developer.

A service's code lives beside its spec (`specs/ledger.yaml` -> `specs/ledger/`):

    plumbing/                 OWNED: regenerated on every build (hand edits are conflicts)
      <function>.py           the Lambda entry: Handler `plumbing.<function>.handler`
      models.py, observability.py, [publish.py], [store.py], [workflow.py]
    requirements.txt          OWNED: svcgen-runtime pinned (runtime_pin.py), and what else runs
    handlers/<function>.py    USER: created once, then never touched: the business function
    tests/svcgen_support.py   OWNED: the test environment and sample events from the contracts
    tests/test_<function>.py  USER: created once; passes out of the box

The service-independent code the plumbing runs on is the `svcgen_runtime` library (runtime/ in
this repository), installed from requirements.txt, not copied; its test helpers are a pytest
plugin. Only what ships in the Lambda package is under plumbing/ and handlers/: test support
lives in tests/.

`plan_service_code` only plans; `ownership.apply` decides per file (create / identical /
update / skip / conflict) and writes. Same input, same bytes: every list is sorted or in spec
order, and nothing depends on time, the environment or which other services are in the build.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator import function_env
from generator.codegen import contracts as contract_models
from generator.codegen.functions import FunctionPlan, event_snake, plan_functions, snake
from generator.codegen.per_function import function_files
from generator.codegen.runtime_pin import install_command, requirements
from generator.codegen.samples import invalid_field, sample_detail
from generator.codegen.sensitive import sensitive_fields
from generator.codegen.templates import render
from generator.concerns import registry as concerns
from generator.ownership import OWNED, PlannedFile

# The generated test support in a service's tests/ (its tests import it by this name; the
# concerns' `test_imports` name it too): not in plumbing/, which is the Lambda package.
SUPPORT_MODULE = "svcgen_support"
# The AWS account in test ARNs: any value works, tests never reach AWS.
TEST_ACCOUNT = "123456789012"


def code_dir(spec_file: str | Path) -> Path:
    """`specs/ledger.yaml` -> `specs/ledger/`: a service's code lives beside its spec."""
    return Path(spec_file).with_suffix("")


def plan_service_code(item, ws, svc, root: Path | None = None) -> list[PlannedFile]:
    """Every file of the service's code directory (`root`, default beside the spec), sorted by
    path. The workspace was validated first: every rule held, so every spec here has code."""
    root = Path(root) if root is not None else code_dir(item.doc.file)
    models = _models(item, ws)
    plans = plan_functions(item, svc, models)
    starts = _starts(plans)
    ordered = sorted(models.values(), key=lambda m: (m.base or m.class_name, m.base is not None))
    contract_sensitive = sorted({f for m in ordered for f in m.sensitive_fields})
    context = {"service": svc.service, "functions": plans}
    files = {
        "plumbing/__init__.py": render("plumbing_init.py.j2", **context),
        "plumbing/models.py": render("models.py.j2", service=svc.service, models=ordered,
                                     imports=contract_models.imports(ordered),
                                     contract_sensitive=contract_sensitive, subscribed=_subscribed(plans)),
        "plumbing/observability.py": render("observability.py.j2", service=svc.service,
                                            sensitive=sensitive_fields(ws.platform, contract_sensitive)),
        "requirements.txt": render("requirements.txt.j2", service=svc.service, requirements=requirements(),
                                   install=install_command(svc.functions[0].runtime)),
        f"tests/{SUPPORT_MODULE}.py": render("tests/svcgen_support.py.j2", service=svc.service,
                                             environment=_test_environment(svc, starts),
                                             samples=_samples(plans, models)),
    }
    published = [models[(svc.service, e, False)] for e in svc.publishes]
    if published:
        files["plumbing/publish.py"] = _publish(svc.service, published)
    if svc.event_store:
        files["plumbing/store.py"] = render("store.py.j2", service=svc.service,
                                            models=[models[(svc.service, e, False)] for e in svc.event_store.events])
    if starts or any(p.reviews for p in plans):
        files["plumbing/workflow.py"] = _workflow(starts, any(p.reviews for p in plans))
    for concern in concerns.CONCERNS:  # registered concerns' own owned files
        files.update(concern.plumbing_files({p.kind for p in plans}))
    planned = [PlannedFile(root / path, body, OWNED) for path, body in files.items()]
    planned += function_files(root, svc, plans, models)
    return sorted(planned, key=lambda f: str(f.path))


def _models(item, ws) -> dict:
    contracts = {(s.spec.service, name): c for s in ws.services for name, c in s.spec.events.items()}
    return contract_models.build_models(contract_models.wanted(item.spec), contracts, clashes=[])  # none: SVC1708


def _subscribed(plans: list[FunctionPlan]) -> list:
    seen = {}
    for consumed in (c for p in plans for c in p.consumes):
        seen.setdefault((consumed.source, consumed.event), consumed)
    return [seen[k] for k in sorted(seen)]


def _starts(plans: list[FunctionPlan]) -> list[dict]:
    """One `start_<workflow>` per workflow any function starts; the ARN's env var is named after
    the workflow alone (function_env.workflow_arn), distinct per service by rule SVC1409."""
    by_snake: dict[str, tuple[str, str]] = {}
    for plan in plans:
        for service, workflow in plan.starts:
            by_snake.setdefault(snake(workflow), (service, workflow))
    return [{"snake": name, "service": s, "workflow": w, "env": function_env.workflow_arn(w)}
            for name, (s, w) in sorted(by_snake.items())]


def _workflow(starts: list[dict], reviewers: bool) -> str:
    decisions = ["approve", "fail", "heartbeat", "reject"] if reviewers else []
    imported = (["start_execution"] if starts else []) + decisions
    exported = [f"start_{s['snake']}" for s in starts] + decisions
    return render("workflow.py.j2", starts=starts, reviewers=reviewers, runtime_names=imported, exported=exported)


def _publish(service: str, published) -> str:
    words = set(re.findall(r"[A-Za-z_]+", " ".join(f.python_type for m in published for f in m.fields)))
    lines = []
    if words & {"date", "datetime"}:
        lines.append(f"from datetime import {', '.join(sorted(words & {'date', 'datetime'}))}")
    if "Decimal" in words:
        lines.append("from decimal import Decimal")
    if "Any" in words:
        lines.append("from typing import Any")
    models = [{"snake": event_snake(m.event), "model": m} for m in published]
    exported = ["PublishError", "PublishNotAllowed"] + [f"publish_{m['snake']}" for m in models]
    return render("publish.py.j2", service=service, models=models, publish_imports=lines, exported=exported)


def _test_environment(svc, starts: list[dict]) -> list[tuple[str, str]]:
    """What the template gives the functions, with values that reach nothing real."""
    region = svc.region
    env = {
        "AWS_DEFAULT_REGION": region,
        function_env.SERVICE_NAME: svc.service,
        function_env.METRICS_NAMESPACE: svc.org,
        function_env.EVENT_SOURCE: svc.source,
        function_env.EVENT_BUS_NAME: "test-bus",
        function_env.EVENT_STORE_TABLE: "test-event-store",
        function_env.IDEMPOTENCY_TABLE: "test-idempotency",
        "POWERTOOLS_IDEMPOTENCY_DISABLED": "true",
    }
    for start in starts:
        env[start["env"]] = f"arn:aws:states:{region}:{TEST_ACCOUNT}:stateMachine:test-{start['workflow']}"
    return sorted(env.items())


def _samples(plans: list[FunctionPlan], models: dict) -> list[dict]:
    by_class = {m.class_name: m for m in models.values()}
    result = []
    for consumed in _subscribed(plans):
        model = by_class[consumed.class_name]
        base = by_class[model.base] if model.base else None
        result.append({"source": consumed.source, "event": consumed.event,
                       "detail": sample_detail(model, base), "invalid": invalid_field(model, base)})
    return result
