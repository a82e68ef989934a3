"""Deploy the demo platform (specs/) for end-to-end tests; shared by the test modules.

Each module deploys into a freshly reset moto, so modules do not depend on each other's
stacks or on the order they run in. The test is the only consumer of every queue: event
source mappings are disabled after each stack is created.
"""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from moto_compat import (
    KNOWN_MOTO_SKIPS, assert_nothing_unexpectedly_skipped, deploy_stack, disable_event_source_mappings,
    materialize_skipped, moto_deployable,
)
from ruamel.yaml import YAML

from generator import pipeline
from generator.resolve import ResolvedService, resolve_service
from generator.stages import resolve_stage

STAGE = "dev"
CODE_KEY = "e2e/code.zip"
# The platform stack's bucket policy is not modelled by moto either; nothing here needs it.
SKIPS = KNOWN_MOTO_SKIPS | {"AWS::S3::BucketPolicy"}
# urllib must not send requests for 127.0.0.1 through a developer's HTTP(S)_PROXY.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class DemoPlatform:
    services: dict[str, ResolvedService]  # every demo service, deployed or not
    stacks: dict[str, dict]  # stack (service or "platform") -> describe_stacks entry

    def outputs(self, stack: str) -> dict[str, str]:
        return outputs(self.stacks[stack])


def deploy_demo(workspace, aws, moto_endpoint: str, server_log, only: Iterable[str] | None = None,
                materialize: frozenset[str] | None = None, stage_name: str = STAGE,
                reset: bool = True) -> DemoPlatform:
    """Reset moto (unless `reset` is false: another stage deployed before), then create the
    stage's platform stack and the service stacks (all, or `only` those), each built for
    `stage_name` exactly as `svcgen build` builds it. An ephemeral stage's code comes from its
    parent's artifacts bucket, which must be deployed first.

    `materialize`: the skipped resource types to create through the service APIs (default:
    every type moto_compat can); a test that only follows deliveries need not depend on alarms."""
    if reset:
        _reset(moto_endpoint)
    stage = resolve_stage(stage_name, workspace.platform)
    wanted = None if only is None else {"platform", *only}
    cfn = aws("cloudformation")
    stacks = {}
    for artifact in pipeline.render_all(workspace, stage):  # the platform stack comes first
        if wanted is not None and artifact.stack not in wanted:
            continue
        template = YAML(typ="safe", pure=True).load(artifact.text)
        name = f"acme-{stage.name}-{artifact.stack}"
        params = {"CodeKey": CODE_KEY} if "CodeKey" in template.get("Parameters", {}) else None
        stacks[artifact.stack] = deploy_stack(cfn, name, json.dumps(moto_deployable(template)), params,
                                              server_log=server_log)
        assert_nothing_unexpectedly_skipped(template, cfn, name, SKIPS)
        materialize_skipped(_only_types(template, materialize), aws, name)
        disable_event_source_mappings(aws, name)  # the test is the only consumer
        if artifact.stack == "platform" and stage.persistent:  # an ephemeral stage has no bucket
            bucket = outputs(stacks["platform"])["ArtifactsBucketName"]
            aws("s3").put_object(Bucket=bucket, Key=CODE_KEY, Body=_code_package())
    services = {item.spec.service: resolve_service(item.spec, workspace.platform, stage)
                for item in workspace.services}
    return DemoPlatform(services, stacks)


def outputs(stack: dict) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def drain(sqs, url: str) -> list[dict]:
    """Receive and delete everything visible in a queue; the bodies, parsed."""
    messages = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                    AttributeNames=["All"]).get("Messages", [])
        if not batch:
            return messages
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(json.loads(m["Body"]) for m in batch)


def _only_types(template: dict, types: frozenset[str] | None) -> dict:
    """The template without the skipped resources of other types (the rest stay, so that
    references resolve)."""
    if types is None:
        return template
    return {**template, "Resources": {k: v for k, v in template["Resources"].items()
                                      if v["Type"] not in SKIPS or v["Type"] in types}}


def _code_package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handlers/__init__.py", "")
    return buffer.getvalue()


def _reset(moto_endpoint: str) -> None:
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST", data=b"")
    with _HTTP.open(request, timeout=10) as response:
        assert json.load(response).get("status") == "ok"
