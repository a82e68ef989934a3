"""Deploying to a moto server (moto 5.2.1 in server mode): what its CloudFormation does
differently from AWS, and how the deploy engine gets AWS's outcome anyway.

Measured against moto 5.2.1 (tests/e2e/test_deploy_moto.py pins each of these down):

- A stack created by executing a CREATE change set has no outputs and registers no exports
  (moto's `execute_change_set` never rebuilds the output map), so nothing can import from it.
  New stacks are therefore created with CreateStack; the change set AWS would show is all `Add`.
- Executing an UPDATE change set ignores its tags, so the hashes of the skip rule would never be
  recorded. Updates use a change set to find out *whether* anything changed (and what, for
  `diff`), then UpdateStack with the tags.
- Everything is synchronous: a resource that fails makes CreateStack or UpdateStack itself answer
  with the error, and the stack stays in CREATE_IN_PROGRESS for ever; there are no resource
  events (only the stack's own), so the reason is the API's answer. A stack found in
  `*_IN_PROGRESS` can never settle: it is reported as rolled back, and deleting it removes what
  moto had created (the rollback AWS would have done). A failed update is not rolled back.
- Change sets carry no `Replacement`, and a change of parameters alone shows no resource change.
- Export values are computed once, at CreateStack: an update that changes an exported value leaves
  the old value in ListExports.
- Calls are never retried: a retried CreateStack after a moto HTTP 500 would meet the stack the
  failed call left behind.
- Some resource types are modelled wrongly or not at all: every template is rewritten by
  `moto_deployable` (generator/deploy/local/compat.py), the target's `transform`.

- Deleting a stack leaves its event buses and archives behind (moto deletes the bus named by the
  resource's empty physical id), so the same stage could not be created again on that server: after
  a stack is gone, `delete` removes the buses and archives its template named.

Not compensated (yet): a stack that fails half-way through an HTTP 500 can neither be described
nor deleted; and deleting a service stack leaves most of its resources (queues, tables, functions),
so the same stage cannot be created again on that server without a reset.
"""

from __future__ import annotations

import json
import urllib.request

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from generator.deploy.local.compat import moto_deployable
from generator.deploy.plan import StackPlan
from generator.deploy.target import (CAPABILITIES, NO_CHANGES, REVIEW, ChangeSet, ExecuteFailed, ResourceChange,
                                     StackInfo, Target, error_message, in_progress)

EMULATED_ROLLBACK = "ROLLBACK_COMPLETE"
# moto's HTTP 500 pages are HTML, which botocore cannot parse (a plain Exception, not BotoCoreError).
_MOTO_ERRORS = (ClientError, BotoCoreError, ResponseParserError)
# urllib must not send a request for a local endpoint through a developer's HTTP(S)_PROXY.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def is_moto(endpoint_url: str | None, timeout: float = 1.0) -> bool:
    """Whether `endpoint_url` is a moto server (it answers on /moto-api/)."""
    if not endpoint_url:
        return False
    try:
        with _NO_PROXY.open(f"{endpoint_url.rstrip('/')}/moto-api/config", timeout=timeout) as response:
            return 200 <= response.status < 300
    except (OSError, ValueError):
        return False


class MotoTarget(Target):
    kind = "moto"
    # Applied by the Deployer before a template is hashed and sent, so a stack deployed here carries
    # the hash of what moto received, and a new svcgen with another rewrite redeploys it.
    transform = staticmethod(moto_deployable)

    def prepare(self, plan: StackPlan, kind: str, template_url: str | None) -> ChangeSet:
        if kind == "CREATE":
            changes = [ResourceChange("Add", logical_id, resource.get("Type", ""))
                       for logical_id, resource in sorted(plan.template.get("Resources", {}).items())]
            return ChangeSet(plan.name, kind, None, None, changes)
        return super().prepare(plan, kind, template_url)

    def execute(self, change_set: ChangeSet, plan: StackPlan, template_url: str | None) -> None:
        source = {"TemplateURL": template_url} if template_url else {"TemplateBody": plan.body}
        common = dict(StackName=plan.name, Capabilities=CAPABILITIES, **source,
                      Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in plan.parameters],
                      Tags=[{"Key": k, "Value": v} for k, v in plan.tags])
        try:
            if change_set.kind == "CREATE":
                leftover = self.stack(plan.name)
                if leftover is not None and leftover.status == REVIEW:
                    self.delete(leftover.stack_id)
                self.call(self.cfn.create_stack, **common)
            else:
                self.discard(change_set)
                self.call(self.cfn.update_stack, **common)
        except ClientError as exc:
            if change_set.kind == "UPDATE" and any(text in str(exc) for text in NO_CHANGES):
                return  # only tags differed, and moto compares template and parameters alone
            raise ExecuteFailed(_reason(exc, change_set.kind)) from None
        except (BotoCoreError, ResponseParserError):
            raise ExecuteFailed("moto failed with an internal error (HTTP 500); its server log has the "
                                "traceback" + _update_note(change_set.kind)) from None

    def delete(self, name_or_id: str) -> None:
        leftovers = self._named_events_resources(name_or_id)
        super().delete(name_or_id)
        if leftovers and self._gone(name_or_id):
            self._delete_events_resources(leftovers)

    def _named_events_resources(self, name_or_id: str) -> list[tuple[str, str]]:
        """(type, name) of the buses and archives the deployed template names literally."""
        try:
            body = self.call(self.cfn.get_template, StackName=name_or_id).get("TemplateBody")
            template = json.loads(body) if isinstance(body, str) else body
        except (*_MOTO_ERRORS, ValueError):
            return []  # no template to read: nothing is cleaned up, as before
        wanted = {"AWS::Events::EventBus": "Name", "AWS::Events::Archive": "ArchiveName"}
        found = []
        for resource in (template or {}).get("Resources", {}).values():
            name = resource.get("Properties", {}).get(wanted.get(resource.get("Type"), ""))
            if isinstance(name, str):
                found.append((resource["Type"], name))
        return sorted(found, key=lambda item: item[0] != "AWS::Events::Archive")  # an archive before its bus

    def _gone(self, name_or_id: str) -> bool:
        try:
            info = self.stack(name_or_id)
        except _MOTO_ERRORS:
            return False
        return info is None or info.status == "DELETE_COMPLETE"

    def _delete_events_resources(self, leftovers: list[tuple[str, str]]) -> None:
        events = self._events_client()
        for rtype, name in leftovers:
            try:
                if rtype == "AWS::Events::Archive":
                    events.delete_archive(ArchiveName=name)
                else:
                    events.delete_event_bus(Name=name)
            except _MOTO_ERRORS:
                pass  # already gone (moto did delete it), or moto failed: the next create will say so

    def _events_client(self):
        import boto3

        meta = self.cfn.meta
        # moto ignores credentials; dummies avoid depending on how the CloudFormation client got its own.
        session = boto3.session.Session(region_name=meta.region_name, aws_access_key_id="svcgen-local",
                                        aws_secret_access_key="svcgen-local")
        return session.client("events", endpoint_url=meta.endpoint_url, config=meta.config)

    def settle(self, name_or_id, marker=None, on_event=None) -> StackInfo | None:
        try:
            info = self.stack(name_or_id)
        except ResponseParserError:  # moto cannot even describe some stacks it failed to create
            return StackInfo(name_or_id, name_or_id, EMULATED_ROLLBACK, "moto cannot describe the stack")
        if info is None or not in_progress(info.status):
            return super().settle(name_or_id, marker, on_event)
        # moto finished (or failed) before it answered: a stack still in progress never moves.
        status = EMULATED_ROLLBACK if info.status.startswith("CREATE") else info.status
        return StackInfo(info.name, info.stack_id, status, f"moto left the stack in {info.status}", info.tags,
                         info.outputs, info.updated)


def _reason(exc: ClientError, kind: str) -> str:
    return error_message(exc) + _update_note(kind)


def _update_note(kind: str) -> str:
    return "; moto applies an update partially and does not roll it back" if kind == "UPDATE" else ""
