"""Every CloudFormation and S3 call the deploy commands make, against any CloudFormation API.

Waiting is done here rather than with botocore's waiters: a waiter gives no progress on the way,
and one `Throttling` answer ends it. The clients retry throttled calls themselves (`mode=adaptive`,
which also slows the client down); when they give up, `call` waits longer and tries again, so a
deploy of many stacks in parallel never fails because CloudFormation asked it to slow down.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from botocore.config import Config
from botocore.exceptions import ClientError

from generator.deploy.events import newer_than
from generator.deploy.plan import StackPlan

THROTTLING = frozenset({"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
                        "SlowDown", "RequestThrottled"})
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
# CloudFormation's two ways of saying a change set holds no change (AWS; moto answers the second
# at CreateChangeSet itself).
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
SUCCESS = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"})
REVIEW = "REVIEW_IN_PROGRESS"  # a stack made by a CREATE change set never executed: nothing runs


def client_config(max_attempts: int = 10) -> Config:
    return Config(retries={"mode": "adaptive", "max_attempts": max_attempts}, user_agent_extra="svcgen-deploy")


def in_progress(status: str | None) -> bool:
    return bool(status) and status.endswith("_IN_PROGRESS") and status != REVIEW


class Interrupted(Exception):
    """The deploy was asked to stop (Ctrl-C) while waiting; CloudFormation goes on without us."""


class ChangeSetFailed(Exception):
    """CloudFormation refused the change set (an invalid template, a missing export...)."""


class ExecuteFailed(Exception):
    """The execution was refused at once (not a resource failing later: that is in the events)."""


@dataclass(frozen=True)
class StackInfo:
    name: str
    stack_id: str
    status: str
    reason: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    updated: datetime | None = None  # last update, else creation

    @classmethod
    def from_api(cls, data: dict) -> "StackInfo":
        when = data.get("LastUpdatedTime") or data.get("CreationTime")
        if isinstance(when, datetime) and when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return cls(data["StackName"], data["StackId"], data["StackStatus"], data.get("StackStatusReason") or "",
                   {t["Key"]: t["Value"] for t in data.get("Tags") or []},
                   {o["OutputKey"]: o.get("OutputValue", "") for o in data.get("Outputs") or []}, when)


@dataclass(frozen=True)
class ResourceChange:
    action: str  # Add, Modify, Remove (also Import, Dynamic)
    logical_id: str
    resource_type: str
    replacement: str = ""  # True, False, Conditional; "" where CloudFormation gives none (Add, Remove)


@dataclass
class ChangeSet:
    stack_name: str
    kind: str  # CREATE or UPDATE
    id: str | None = None  # None: nothing was created on the server (see moto_target)
    stack_id: str | None = None
    changes: list[ResourceChange] = field(default_factory=list)
    unchanged: bool = False


class Target:
    """CloudFormation and S3 behind one object, shared by the deploy's threads (boto3 clients
    are thread-safe). `transform` is a local target's template adaptation (None here)."""

    kind = "aws"
    transform: Callable[[dict], dict] | None = None

    def __init__(self, cfn, s3, poll_seconds: float = 3.0, sleep: Callable[[float], None] = time.sleep,
                 max_throttle_retries: int = 8, stop: threading.Event | None = None):
        self.cfn, self.s3 = cfn, s3
        self.poll_seconds = poll_seconds
        self.sleep = sleep
        self.max_throttle_retries = max_throttle_retries
        self.stop = stop or threading.Event()
        self._exports: dict[str, str] = {}

    # --- calls ----------------------------------------------------------------------------------

    def call(self, method: Callable[..., Any], **kwargs: Any) -> Any:
        for attempt in range(self.max_throttle_retries + 1):
            try:
                return method(**kwargs)
            except ClientError as exc:
                if error_code(exc) not in THROTTLING or attempt == self.max_throttle_retries:
                    raise
                self._pause(min(30.0, 2.0 ** attempt) * (0.5 + random.random() / 2))
        raise AssertionError("unreachable: the last attempt re-raises")

    def _pause(self, seconds: float) -> None:
        if self.stop.is_set():
            raise Interrupted()
        self.sleep(seconds)

    def pages(self, operation: str, key: str, **kwargs: Any) -> list:
        """Every item of a CloudFormation listing (they all page with NextToken)."""
        items: list = []
        while True:
            page = self.call(getattr(self.cfn, operation), **kwargs)
            items += page.get(key) or []
            if not page.get("NextToken"):
                return items
            kwargs["NextToken"] = page["NextToken"]

    # --- stacks ---------------------------------------------------------------------------------

    def stack(self, name_or_id: str) -> StackInfo | None:
        try:
            found = self.call(self.cfn.describe_stacks, StackName=name_or_id)["Stacks"]
        except ClientError as exc:
            if error_code(exc) == "ValidationError" and "does not exist" in str(exc):
                return None
            raise
        return StackInfo.from_api(found[0]) if found else None

    def stacks(self) -> list[StackInfo]:
        return [StackInfo.from_api(s) for s in self.pages("describe_stacks", "Stacks")]

    def latest_event_id(self, name_or_id: str) -> str | None:
        try:
            page = self.call(self.cfn.describe_stack_events, StackName=name_or_id)
        except ClientError as exc:
            if "does not exist" in str(exc):
                return None
            raise
        events = page.get("StackEvents") or []
        return events[0]["EventId"] if events else None

    def events(self, name_or_id: str, marker: str | None) -> list[dict]:
        """Events after `marker` (all without one), oldest first."""
        kwargs: dict[str, Any] = {"StackName": name_or_id}
        collected: list[dict] = []
        while True:
            page = self.call(self.cfn.describe_stack_events, **kwargs)
            taken, reached = newer_than(page.get("StackEvents") or [], marker)
            collected = taken + collected
            if reached or not page.get("NextToken"):
                return collected
            kwargs["NextToken"] = page["NextToken"]

    def settle(self, name_or_id: str, marker: str | None = None,
               on_event: Callable[[dict], None] | None = None) -> StackInfo | None:
        """Wait until the stack is in no `*_IN_PROGRESS` state; report each new event on the way."""
        while True:
            info = self.stack(name_or_id)
            if on_event is not None and info is not None:
                for event in self.events(info.stack_id, marker):
                    marker = event["EventId"]
                    on_event(event)
            if info is None or not in_progress(info.status):
                return info
            self._pause(self.poll_seconds)

    def delete(self, name_or_id: str) -> None:
        self.call(self.cfn.delete_stack, StackName=name_or_id)

    # --- change sets ----------------------------------------------------------------------------

    def prepare(self, plan: StackPlan, kind: str, template_url: str | None) -> ChangeSet:
        """Create a change set and wait until CloudFormation has computed it."""
        kwargs = dict(StackName=plan.name, ChangeSetName=f"svcgen-{uuid.uuid4().hex[:12]}", ChangeSetType=kind,
                      Capabilities=CAPABILITIES, Description="svcgen deploy",
                      Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in plan.parameters],
                      Tags=[{"Key": k, "Value": v} for k, v in plan.tags],
                      **({"TemplateURL": template_url} if template_url else {"TemplateBody": plan.body}))
        try:
            created = self.call(self.cfn.create_change_set, **kwargs)
        except ClientError as exc:
            if any(text in str(exc) for text in NO_CHANGES):
                return ChangeSet(plan.name, kind, unchanged=True)
            raise ChangeSetFailed(error_message(exc)) from None
        change_set = ChangeSet(plan.name, kind, created["Id"], created.get("StackId"))
        while True:
            described = self.call(self.cfn.describe_change_set, ChangeSetName=change_set.id)
            status = described.get("Status", "")
            if status == "FAILED":
                reason = described.get("StatusReason") or "no reason given"
                if any(text in reason for text in NO_CHANGES):
                    change_set.unchanged = True
                    return change_set
                self.discard(change_set)
                raise ChangeSetFailed(reason)
            if status == "CREATE_COMPLETE":
                change_set.changes = self._changes(change_set.id, described)
                return change_set
            self._pause(min(self.poll_seconds, 2.0))

    def _changes(self, change_set_id: str, described: dict) -> list[ResourceChange]:
        changes = list(described.get("Changes") or [])
        token = described.get("NextToken")
        while token:
            page = self.call(self.cfn.describe_change_set, ChangeSetName=change_set_id, NextToken=token)
            changes += page.get("Changes") or []
            token = page.get("NextToken")
        found = []
        for change in changes:
            item = change.get("ResourceChange") or {}
            found.append(ResourceChange(item.get("Action", ""), item.get("LogicalResourceId", ""),
                                        item.get("ResourceType", ""), item.get("Replacement") or ""))
        return found

    def discard(self, change_set: ChangeSet) -> None:
        """Delete the change set; for a new stack, the empty REVIEW_IN_PROGRESS stack it made too."""
        if change_set.id is None:
            return
        self.call(self.cfn.delete_change_set, ChangeSetName=change_set.id)
        if change_set.kind == "CREATE":
            info = self.stack(change_set.stack_id or change_set.stack_name)
            if info is not None and info.status == REVIEW:
                self.delete(info.stack_id)

    def execute(self, change_set: ChangeSet, plan: StackPlan, template_url: str | None) -> None:
        try:
            self.call(self.cfn.execute_change_set, ChangeSetName=change_set.id, StackName=plan.name)
        except ClientError as exc:
            raise ExecuteFailed(error_message(exc)) from None

    def template(self, name_or_id: str) -> dict:
        body = self.call(self.cfn.get_template, StackName=name_or_id, TemplateStage="Original")["TemplateBody"]
        return body if isinstance(body, dict) else load_template(body)

    def resources(self, name_or_id: str) -> list[dict]:
        return self.pages("list_stack_resources", "StackResourceSummaries", StackName=name_or_id)

    # --- exports and S3 -------------------------------------------------------------------------

    def export_value(self, name: str) -> str | None:
        if name not in self._exports:  # only found ones are kept: a platform deploy may add it
            self._exports.update({e["Name"]: e["Value"] for e in self.pages("list_exports", "Exports")})
        return self._exports.get(name)

    def upload(self, bucket: str, key: str, data: bytes | Path) -> bool:
        """Put the object unless one is there already (keys hold a content hash); True if uploaded."""
        try:
            self.call(self.s3.head_object, Bucket=bucket, Key=key)
            return False
        except ClientError as exc:
            if error_code(exc) not in ("404", "NoSuchKey", "NotFound"):
                raise
        body = data.read_bytes() if isinstance(data, Path) else data
        self.call(self.s3.put_object, Bucket=bucket, Key=key, Body=body)
        return True

    def template_url(self, bucket: str, key: str) -> str:
        region = self.s3.meta.region_name or "us-east-1"
        return f"https://{bucket}.s3.{region}.amazonaws.com/{quote(key)}"

    def empty_bucket(self, bucket: str) -> int:
        """Delete every object version and delete marker (a versioned bucket is not empty until
        then, and CloudFormation cannot delete a bucket that is not empty); the count removed."""
        removed = 0
        kwargs: dict[str, Any] = {"Bucket": bucket}
        while True:
            try:
                page = self.call(self.s3.list_object_versions, **kwargs)
            except ClientError as exc:
                if error_code(exc) == "NoSuchBucket":
                    return removed
                raise
            keys = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in (page.get("Versions") or []) + (page.get("DeleteMarkers") or [])]
            for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
                self.call(self.s3.delete_objects, Bucket=bucket,
                          Delete={"Objects": keys[start:start + 1000], "Quiet": True})
            removed += len(keys)
            if not page.get("IsTruncated"):
                return removed
            kwargs.update(KeyMarker=page.get("NextKeyMarker"), VersionIdMarker=page.get("NextVersionIdMarker"))


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def error_message(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    return f"{error.get('Message') or exc} ({error.get('Code', 'error')})"


class _TemplateLoader(yaml.SafeLoader):
    """CloudFormation YAML, including the short forms (`!Ref x`, `!GetAtt a.b`) a stack deployed by
    another tool may hold: each becomes its long form, which is all teardown reads."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _short_form)


def load_template(text: str) -> dict:
    data = yaml.load(text, Loader=_TemplateLoader)  # noqa: S506 - a SafeLoader subclass
    return data if isinstance(data, dict) else {}
