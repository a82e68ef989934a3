"""Stages are isolated on a real CloudFormation API (moto server): every stage has its own bus,
so an event published in a PR stage reaches no queue of dev nor of another PR stage; with
`stages.bridge_from_parent`, dev's milestones are forwarded one way into the PR stage.

dev and pr-1 are built from the demo platform as it is (no bridge); pr-2 from the same specs with
`bridge_from_parent: true`, as a platform that turned the bridge on would build it.
"""

from __future__ import annotations

import json
import shutil
import uuid

import pytest
from demo_stacks import deploy_demo, drain

from generator.resolve import resolve_service
from generator.stages import resolve_stage
from generator.workspace import load_workspace
from tests.conftest import ROOT

SUBSCRIBER = ("notifications", "notify-customer")  # subscribes to accounts' AccountOpened, no filter
EVENT, SOURCE = "AccountOpened", "acme.accounts"


@pytest.fixture(scope="module")
def bridged_workspace(tmp_path_factory):
    specs = tmp_path_factory.mktemp("bridged") / "specs"
    specs.mkdir()
    for spec in (ROOT / "specs").glob("*.yaml"):  # the specs only: nothing here runs their code
        shutil.copy(spec, specs)
    platform = specs / "platform.yaml"
    text = platform.read_text()
    assert "  ephemeral_parent: dev\n" in text
    platform.write_text(text.replace("  ephemeral_parent: dev\n", "  ephemeral_parent: dev\n  bridge_from_parent: true\n"))
    return load_workspace([specs])


@pytest.fixture(scope="module")
def stages(demo_workspace, bridged_workspace, aws, moto_endpoint, moto_server_log):
    """dev, pr-1 (no bridge) and pr-2 (bridged), each with the subscriber's stack; the queue
    URL of the subscriber in each stage."""
    only = [SUBSCRIBER[0]]
    deploy_demo(demo_workspace, aws, moto_endpoint, moto_server_log, only=only, materialize=frozenset())
    deploy_demo(demo_workspace, aws, moto_endpoint, moto_server_log, only=only, materialize=frozenset(),
                stage_name="pr-1", reset=False)
    deploy_demo(bridged_workspace, aws, moto_endpoint, moto_server_log, only=only, materialize=frozenset(),
                stage_name="pr-2", reset=False)
    item = next(s for s in demo_workspace.services if s.spec.service == SUBSCRIBER[0])
    urls = {}
    for stage in ("dev", "pr-1", "pr-2"):
        svc = resolve_service(item.spec, demo_workspace.platform, resolve_stage(stage, demo_workspace.platform))
        queue = next(fn.queue.name for fn in svc.functions if fn.key == SUBSCRIBER[1])
        urls[stage] = aws("sqs").get_queue_url(QueueName=queue)["QueueUrl"]
    return urls


def publish_on(aws, stage: str) -> str:
    marker = str(uuid.uuid4())
    response = aws("events").put_events(Entries=[{
        "EventBusName": f"acme-{stage}-milestones", "Source": SOURCE, "DetailType": EVENT,
        "Detail": json.dumps({"account_id": marker})}])
    assert response["FailedEntryCount"] == 0
    return marker


def received(aws, urls: dict[str, str], marker: str) -> set[str]:
    sqs = aws("sqs")
    return {stage for stage, url in urls.items()
            for body in drain(sqs, url) if body.get("detail", {}).get("account_id") == marker}


def test_every_stage_has_its_own_bus(stages, aws):
    buses = {b["Name"] for b in aws("events").list_event_buses()["EventBuses"]}
    assert {"acme-dev-milestones", "acme-pr-1-milestones", "acme-pr-2-milestones"} <= buses


@pytest.mark.parametrize("stage", ["pr-1", "pr-2"])
def test_a_pr_stages_events_stay_in_it(stages, aws, stage):
    assert received(aws, stages, publish_on(aws, stage)) == {stage}


def test_dev_events_reach_only_the_bridged_pr_stage(stages, aws):
    assert received(aws, stages, publish_on(aws, "dev")) == {"dev", "pr-2"}


def test_nothing_points_from_a_pr_stage_into_dev(stages, aws):
    """The only rule that crosses stages is the bridge on dev's bus; no rule on a PR bus targets
    another bus."""
    events = aws("events")
    for stage in ("pr-1", "pr-2"):
        for rule in events.list_rules(EventBusName=f"acme-{stage}-milestones")["Rules"]:
            targets = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=f"acme-{stage}-milestones")
            assert not [t for t in targets["Targets"] if ":event-bus/" in t["Arn"]], rule["Name"]
    bridges = [r for r in events.list_rules(EventBusName="acme-dev-milestones")["Rules"]
               if any(":event-bus/acme-pr-" in t["Arn"] for t in events.list_targets_by_rule(
                   Rule=r["Name"], EventBusName="acme-dev-milestones")["Targets"])]
    assert len(bridges) == 1
