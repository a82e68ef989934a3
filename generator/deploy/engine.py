"""Deploying a stage's stacks: each after the stacks it imports from, independent ones in parallel,
one change set per stack, and nothing started on top of a stack that failed.

Per stack: wait for whatever an earlier (interrupted) run left in progress; remove a stack whose
creation failed (CloudFormation cannot update it); skip it when its tags say it already holds this
template, these parameters and this code; upload its code and (when too large for TemplateBody)
its template; create a change set; delete it again when it holds no change, else execute it and
report each event until the stack settles. On failure the first failed resource's reason is
reported, CloudFormation's rollback is waited for, and a stack whose creation rolled back is
deleted so that the next deploy can create it again.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from generator.deploy import results as R
from generator.deploy.events import Failure, Progress, first_failure
from generator.deploy.plan import TAG_STAGE, StackPlan, can_skip, make_plan, order, HASH_TAGS
from generator.deploy.report import Reporter
from generator.deploy.target import (SUCCESS, ChangeSetFailed, ExecuteFailed, Interrupted, StackInfo, Target,
                                     error_message, in_progress)

# A failed creation leaves a stack that can only be deleted.
DEAD = frozenset({"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "CREATE_FAILED"})
# States a deploy cannot move on from by itself; the text says what to do.
STUCK = {
    "DELETE_FAILED": "a deletion failed earlier; run `svcgen teardown` again, or delete it in the console",
    "UPDATE_ROLLBACK_FAILED": "a rollback failed earlier; continue it (aws cloudformation "
                              "continue-update-rollback) and deploy again",
    "UPDATE_FAILED": "an update failed without rollback; deploy again after fixing the cause",
    "IMPORT_ROLLBACK_FAILED": "a resource import failed; fix it in the console",
}


class DeployError(Exception):
    """A stack cannot be deployed for a reason found before CloudFormation was asked."""


@dataclass
class DeployResult:
    results: list[R.StackResult]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)


class Deployer:
    def __init__(self, target: Target, reporter: Reporter | None = None, concurrency: int = 4,
                 dry_run: bool = False, transform: Callable[[dict], dict] | None = None):
        self.target = target
        self.reporter = reporter or Reporter()
        self.concurrency = max(1, concurrency)
        self.dry_run = dry_run
        # A local target's template adaptation; `make_plan` hashes the body as sent.
        self.transform = transform if transform is not None else target.transform

    def prepared(self, plans: list[StackPlan]) -> list[StackPlan]:
        """The plans in dependency order (a cycle raises CycleError), transformed for the target."""
        by_name = {p.name: p for p in plans}
        ordered = [by_name[name] for name in order({p.name: p.depends_on for p in plans})]
        if self.transform is None:
            return ordered
        return [make_plan(p.name, p.service, p.template, p.body, dict(p.parameters),
                          {k: v for k, v in p.tags if k not in HASH_TAGS}, p.depends_on, p.code,
                          p.artifacts_export, self.transform) for p in ordered]

    def deploy(self, plans: list[StackPlan]) -> DeployResult:
        self.target.stop.clear()  # a Ctrl-C of an earlier deploy on this target is over
        ordered = self.prepared(plans)
        names = {p.name for p in ordered}
        results: dict[str, R.StackResult] = {}
        pending = list(ordered)
        running: dict[Future, str] = {}
        pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="svcgen-deploy")
        try:
            while pending or running:
                for plan in list(pending):
                    deps = sorted(plan.depends_on & names)
                    blocked = [d for d in deps if d in results and not results[d].ok]
                    if blocked:
                        pending.remove(plan)
                        results[plan.name] = R.StackResult(plan.name, R.NOT_STARTED,
                                                           f"depends on {', '.join(blocked)}, which did not deploy")
                        self.reporter.done(results[plan.name])
                    elif all(d in results for d in deps) and len(running) < self.concurrency:
                        pending.remove(plan)
                        running[pool.submit(self._deploy_one, plan)] = plan.name
                if not running:
                    continue
                finished, _ = wait(list(running), timeout=0.2, return_when=FIRST_COMPLETED)
                for future in finished:
                    name = running.pop(future)
                    results[name] = future.result()
                    self.reporter.done(results[name])
        except KeyboardInterrupt:
            # CloudFormation goes on with what it was asked; the next deploy waits for it to settle.
            self.target.stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return DeployResult([results[p.name] for p in ordered])

    # --- one stack ------------------------------------------------------------------------------

    def _deploy_one(self, plan: StackPlan) -> R.StackResult:
        try:
            return self._deploy(plan)
        except Interrupted:
            return R.StackResult(plan.name, R.INTERRUPTED, "stopped waiting; CloudFormation carries on")
        except (DeployError, ChangeSetFailed) as exc:
            return R.StackResult(plan.name, R.FAILED, str(exc))
        except ClientError as exc:
            return R.StackResult(plan.name, R.FAILED, error_message(exc))
        except (BotoCoreError, ResponseParserError, OSError) as exc:  # moto's HTML error pages: a parser error
            return R.StackResult(plan.name, R.FAILED, _short(exc))

    def _deploy(self, plan: StackPlan) -> R.StackResult:
        info = self._current(plan)
        if info is not None and info.status in STUCK:
            return R.StackResult(plan.name, R.FAILED, f"the stack is {info.status}: {STUCK[info.status]}")
        if info is not None and can_skip(plan, info.status, info.tags):
            return R.StackResult(plan.name, R.SKIPPED, "template, parameters and code unchanged")
        kind = "CREATE" if info is None or info.status == "REVIEW_IN_PROGRESS" else "UPDATE"
        if self.dry_run:
            return R.StackResult(plan.name, R.WOULD_CREATE if kind == "CREATE" else R.WOULD_UPDATE,
                                 resources=plan.resource_count if kind == "CREATE" else 0)
        template_url = self.upload(plan)
        change_set = self.target.prepare(plan, kind, template_url)
        if change_set.unchanged:
            self.target.discard(change_set)
            return R.StackResult(plan.name, R.UNCHANGED, "CloudFormation found no change")
        stack_ref = change_set.stack_id or plan.name
        marker = self.target.latest_event_id(stack_ref) if info is not None or change_set.id else None
        total = plan.resource_count if kind == "CREATE" else len(change_set.changes)
        progress = Progress.start(plan.name, total)
        self.reporter.note(plan.name, f"{'creating' if kind == 'CREATE' else 'updating'} "
                                      f"({total} resource change{'s' if total != 1 else ''})")
        events: list[dict] = []

        def seen(event: dict) -> None:
            events.append(event)
            progress.add(event)
            self.reporter.progress(plan.name, progress)

        refused = None
        try:
            self.target.execute(change_set, plan, template_url)
        except ExecuteFailed as exc:
            refused = str(exc)
        final = self.target.settle(stack_ref, marker, seen)
        if refused is None and final is not None and final.status in SUCCESS:
            return R.StackResult(plan.name, R.CREATED if kind == "CREATE" else R.UPDATED, resources=total)
        failure = first_failure(events, plan.name)
        if failure is None:  # refused at once, or no event says why: the API's or the stack's own words
            failure = Failure("", "", "" if refused else (final.status if final else ""),
                              refused or (final.reason if final else "") or "no reason given")
        try:
            after = self._after_failure(final)
        except (ClientError, BotoCoreError, ResponseParserError) as exc:  # the failure matters more than this
            after = f"removing the failed stack failed too: {_short(exc)}"
        return R.StackResult(plan.name, R.FAILED, after, failure)

    def _current(self, plan: StackPlan) -> StackInfo | None:
        """The stack as it is now, once nothing is in progress and no failed creation is left."""
        info = self.target.stack(plan.name)
        if info is not None and info.tags.get(TAG_STAGE) not in (None, plan.tag_map.get(TAG_STAGE)):
            raise DeployError(f"a stack of this name belongs to stage {info.tags[TAG_STAGE]!r}; not touching it")
        if self.dry_run:  # changes nothing: a failed creation would be deleted, then created again
            return None if info is not None and info.status in DEAD else info
        if info is not None and in_progress(info.status):
            self.reporter.note(plan.name, f"waiting for {info.status} (an earlier run's) to finish")
            info = self.target.settle(info.stack_id)
        if info is not None and info.status in DEAD:
            self.reporter.note(plan.name, f"deleting the stack a failed creation left ({info.status})")
            self.target.delete(info.stack_id)
            gone = self.target.settle(info.stack_id)
            if gone is not None and gone.status != "DELETE_COMPLETE":
                raise DeployError(f"could not delete the stack a failed creation left: {gone.status} {gone.reason}")
            info = None
        return info

    def _after_failure(self, final: StackInfo | None) -> str:
        if final is None:
            return "the stack is gone"
        if final.status in DEAD:
            self.target.delete(final.stack_id)
            gone = self.target.settle(final.stack_id)
            if gone is None or gone.status == "DELETE_COMPLETE":
                return "rolled back; the stack was deleted, so the next deploy creates it again"
            return f"rolled back, but deleting the stack ended in {gone.status}: {gone.reason}"
        if final.status == "UPDATE_ROLLBACK_COMPLETE":
            return "rolled back to the previous version"
        return f"the stack is {final.status}"

    def upload(self, plan: StackPlan, code: bool = True) -> str | None:
        """Upload the code package (unless `code` is False: a diff needs no code) and, when needed,
        the template; the template's URL or None."""
        if (plan.code is None or not code) and not plan.needs_s3_template:
            return None
        bucket = self.target.export_value(plan.artifacts_export) if plan.artifacts_export else None
        if not bucket:
            raise DeployError(f"the artifacts bucket (export {plan.artifacts_export or '(none)'}) does not exist; "
                              "deploy the stage's platform stack first")
        if plan.code is not None and code:
            if self.target.upload(bucket, plan.code.key, plan.code.path):
                self.reporter.note(plan.name, f"uploaded s3://{bucket}/{plan.code.key}")
        if not plan.needs_s3_template:
            return None
        key = f"templates/{plan.tag_map.get(TAG_STAGE, 'unknown')}/{plan.name}-{plan.tag_map[HASH_TAGS[0]]}" + (
            ".json" if plan.body.lstrip().startswith("{") else ".yaml")
        self.target.upload(bucket, key, plan.body.encode())
        return self.target.template_url(bucket, key)


def _short(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return error_message(exc)
    if isinstance(exc, ResponseParserError):  # an HTML error page where CloudFormation's XML belongs
        return "the endpoint's answer was not CloudFormation's (moto: an internal error, HTTP 500)"
    first = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}"
