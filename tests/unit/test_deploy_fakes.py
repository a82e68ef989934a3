"""An in-memory CloudFormation for the deploy engine's unit tests, behaving as AWS does where moto
does not (resource events, asynchronous operations, rollbacks), and tests of the fake itself.

Operations take time: each `sleep` of the real polling loop (generator/deploy/target.py) moves
every stack one step along the states its scenario queued, so `Target.settle` runs for real.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace
from datetime import datetime, timezone

from generator.deploy.plan import StackPlan
from generator.deploy.target import ChangeSet, ChangeSetFailed, ResourceChange, StackInfo, Target

WHEN = datetime(2026, 1, 1, tzinfo=timezone.utc)
STACK_TYPE = "AWS::CloudFormation::Stack"


class FakeTarget(Target):
    def __init__(self):
        super().__init__(cfn=None, s3=None, poll_seconds=1.0, sleep=self._tick)
        self.lock = threading.RLock()
        self.infos: dict[str, StackInfo] = {}  # by stack id
        self.event_log: dict[str, list[dict]] = {}  # by stack id, oldest first
        self.queued: dict[str, list[tuple[str, list[dict]]]] = {}  # stack id -> (status, new events) steps
        self.calls: list[tuple] = []
        self.scenario: dict[str, str] = {}  # stack name -> ok | fail | unchanged | refuse-change-set
        self.templates: dict[str, dict] = {}
        self.buckets: dict[str, list[str]] = {}  # stack name -> its buckets' physical ids
        self.exports = {"acme-dev-platform-artifacts-bucket": "acme-dev-artifacts"}
        self.on_execute = None  # a hook the concurrency test uses
        self._ids = itertools.count(1)

    # --- arranging ------------------------------------------------------------------------------

    def add_stack(self, name: str, status: str, tags: dict | None = None, template: dict | None = None,
                  updated: datetime = WHEN) -> StackInfo:
        info = StackInfo(name, f"id-{name}-{next(self._ids)}", status, "", dict(tags or {}), {}, updated)
        with self.lock:
            self.infos[info.stack_id] = info
            self.event_log[info.stack_id] = [self._event(info, name, STACK_TYPE, status)]
            self.templates[info.stack_id] = template or {"Resources": {}}
        return info

    def queue(self, name: str, *steps: tuple[str, list[dict]]) -> None:
        info = self.stack(name)
        self.queued.setdefault(info.stack_id, []).extend(steps)

    def _event(self, info: StackInfo, logical: str, rtype: str, status: str, reason: str = "") -> dict:
        return {"EventId": f"e{next(self._ids)}", "StackName": info.name, "LogicalResourceId": logical,
                "ResourceType": rtype, "ResourceStatus": status, "ResourceStatusReason": reason}

    def _tick(self, _seconds: float) -> None:
        with self.lock:
            for stack_id, steps in self.queued.items():
                if steps:
                    status, events = steps.pop(0)
                    self.infos[stack_id] = replace(self.infos[stack_id], status=status)
                    self.event_log[stack_id].extend(events)

    # --- Target ---------------------------------------------------------------------------------

    def stack(self, name_or_id):
        with self.lock:
            if name_or_id in self.infos:
                return self.infos[name_or_id]
            live = [i for i in self.infos.values() if i.name == name_or_id and i.status != "DELETE_COMPLETE"]
            return live[-1] if live else None

    def stacks(self):
        with self.lock:
            return [i for i in self.infos.values() if i.status != "DELETE_COMPLETE"]

    def latest_event_id(self, name_or_id):
        info = self.stack(name_or_id)
        return self.event_log[info.stack_id][-1]["EventId"] if info else None

    def events(self, name_or_id, marker):
        info = self.stack(name_or_id)
        log = self.event_log[info.stack_id]
        ids = [e["EventId"] for e in log]
        return log[ids.index(marker) + 1:] if marker in ids else list(log)

    def delete(self, name_or_id):
        info = self.stack(name_or_id)
        self.calls.append(("delete", info.name))
        with self.lock:
            self.infos[info.stack_id] = replace(info, status="DELETE_IN_PROGRESS")
        outcome = self.scenario.get(info.name + ":delete", "ok")
        if outcome == "ok":
            self.queue(info.name, ("DELETE_COMPLETE", [self._event(info, info.name, STACK_TYPE, "DELETE_COMPLETE")]))
        else:
            self.queue(info.name, ("DELETE_FAILED", [
                self._event(info, "Bucket", "AWS::S3::Bucket", "DELETE_FAILED", "The bucket you tried to delete is not empty"),
                self._event(info, info.name, STACK_TYPE, "DELETE_FAILED", "resources failed to delete: [Bucket]")]))

    def prepare(self, plan: StackPlan, kind: str, template_url):
        self.calls.append(("prepare", plan.name, kind, template_url))
        outcome = self.scenario.get(plan.name, "ok")
        if outcome == "refuse-change-set":
            raise ChangeSetFailed("Template format error: unsupported structure")
        if outcome == "unchanged":
            return ChangeSet(plan.name, kind, "cs-" + plan.name, None, unchanged=True)
        info = self.stack(plan.name)
        if info is None:
            info = self.add_stack(plan.name, "REVIEW_IN_PROGRESS")
        changes = [ResourceChange("Add" if kind == "CREATE" else "Modify", k, v.get("Type", ""), "")
                   for k, v in sorted(plan.template.get("Resources", {}).items())]
        return ChangeSet(plan.name, kind, "cs-" + plan.name, info.stack_id, changes)

    def discard(self, change_set):
        self.calls.append(("discard", change_set.stack_name))

    def execute(self, change_set, plan, template_url):
        self.calls.append(("execute", plan.name))
        if self.on_execute:
            self.on_execute(plan.name)
        info = self.stack(change_set.stack_id)
        verb = "CREATE" if change_set.kind == "CREATE" else "UPDATE"
        with self.lock:
            self.infos[info.stack_id] = replace(info, status=f"{verb}_IN_PROGRESS")
        resources = sorted(plan.template.get("Resources", {}))
        start = [self._event(info, info.name, STACK_TYPE, f"{verb}_IN_PROGRESS", "User Initiated")]
        if self.scenario.get(plan.name, "ok") == "fail":
            failed = [self._event(info, resources[0], "AWS::SQS::Queue", f"{verb}_FAILED", "Resource creation cancelled"),
                      self._event(info, resources[1], "AWS::Lambda::Function", f"{verb}_FAILED",
                                  "Runtime python2.7 is not supported"),
                      self._event(info, resources[2], "AWS::IAM::Role", f"{verb}_FAILED", "Resource creation cancelled")]
            end = "ROLLBACK_COMPLETE" if verb == "CREATE" else "UPDATE_ROLLBACK_COMPLETE"
            self.queue(info.name, (f"{verb}_IN_PROGRESS", start), ("ROLLBACK_IN_PROGRESS" if verb == "CREATE" else
                       "UPDATE_ROLLBACK_IN_PROGRESS", failed), (end, []))
            return
        done = [self._event(info, r, "AWS::SQS::Queue", f"{verb}_COMPLETE") for r in resources]
        self.queue(info.name, (f"{verb}_IN_PROGRESS", start), (f"{verb}_IN_PROGRESS", done[:1]),
                   (f"{verb}_COMPLETE", done[1:]))
        with self.lock:
            self.infos[info.stack_id] = replace(self.infos[info.stack_id], tags=plan.tag_map)

    def export_value(self, name):
        return self.exports.get(name)

    def upload(self, bucket, key, data):
        self.calls.append(("upload", bucket, key))
        return True

    def template_url(self, bucket, key):
        return f"https://{bucket}.s3.eu-west-1.amazonaws.com/{key}"

    def template(self, name_or_id):
        return self.templates[self.stack(name_or_id).stack_id]

    def resources(self, name_or_id):
        info = self.stack(name_or_id)
        return [{"LogicalResourceId": "Bucket", "ResourceType": "AWS::S3::Bucket", "PhysicalResourceId": b}
                for b in self.buckets.get(info.name, [])]

    def empty_bucket(self, bucket):
        self.calls.append(("empty", bucket))
        return 3

    def names_of(self, call: str) -> list:
        return [c[1] for c in self.calls if c[0] == call]


def test_the_fake_settles_through_the_real_polling_loop():
    fake = FakeTarget()
    fake.add_stack("s", "UPDATE_IN_PROGRESS")
    fake.queue("s", ("UPDATE_IN_PROGRESS", []), ("UPDATE_COMPLETE", []))
    seen = []
    assert fake.settle("s", None, seen.append).status == "UPDATE_COMPLETE"
    assert [e["ResourceStatus"] for e in seen] == ["UPDATE_IN_PROGRESS"]


def test_a_deleted_stack_is_found_by_id_only():
    fake = FakeTarget()
    info = fake.add_stack("s", "CREATE_COMPLETE")
    fake.delete("s")
    fake._tick(0)
    assert fake.stack("s") is None and fake.stack(info.stack_id).status == "DELETE_COMPLETE"
