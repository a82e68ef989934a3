"""`max_concurrent_executions`, simulated: many overlapping executions of the generated definition,
each in its own thread, against a real DynamoDB implementation (moto, in-process).

Each execution runs the whole generated state machine in tests/unit/asl_interpreter.py; its
DynamoDB tasks send exactly the generated UpdateItem parameters (with `$$.Execution.Id` etc.
filled in) to moto, its Lambda tasks hold the slot for a random time. Retry waits are the
generated ones (backoff, cap, full jitter), scaled down in time.

DynamoDB applies each request to an item atomically (conditional writes are linearizable per
item); moto does not lock, so every request here runs under one lock: that models DynamoDB's
guarantee, while the order of requests across executions stays up to the threads.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from generator.concerns.workflow import asl
from generator.render import render_service
from generator.resolve import resolve_service
from generator.stages import resolve_stage
from tests.unit.asl_interpreter import TaskFailed, run
from tests.unit.helpers import resolved

REGION, ACCOUNT = "eu-west-1", "123456789012"
TIME_SCALE = 0.0005  # 300 s of waiting for a slot becomes 0.15 s


class Died(Exception):
    """The execution ends where no Catch runs (abort, execution timeout): nothing is released."""


class Simulation:
    """One semaphore workflow, its DynamoDB table and the bookkeeping of who holds a slot."""

    def __init__(self, svc, wf, dynamodb):
        self.wf, self.db = wf, dynamodb
        self.definition = asl.definition(wf, {fn.key: fn.timeout for fn in svc.functions})
        self.machine_arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{wf.name}"
        table = render_service(svc).template.to_dict()["Resources"]["SemaphoreTable"]["Properties"]
        dynamodb.create_table(**{k: table[k] for k in ("TableName", "AttributeDefinitions", "KeySchema", "BillingMode")})
        self.substitutions = {asl.TABLE: table["TableName"]}
        self.lock = threading.Lock()  # DynamoDB's per-item atomicity, see the module docstring
        self.holding: set[str] = set()
        self.max_holding = 0
        self.working = self.max_working = 0
        self.started_work: set[str] = set()

    def execution_arn(self, name: str) -> str:
        return f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{self.wf.name}:{name}"

    def update_item(self, params: dict, lose_response: bool = False) -> dict:
        owner = params["ExpressionAttributeNames"]["#owner"]
        with self.lock:
            try:
                result = self.db.update_item(**params)
            except ClientError as exc:
                raise TaskFailed(f"DynamoDB.{exc.response['Error']['Code']}") from None
            if "REMOVE #owner" in params["UpdateExpression"]:
                self.holding.discard(owner)
            elif "+ :one" in params["UpdateExpression"]:
                self.holding.add(owner)
            self.max_holding = max(self.max_holding, len(self.holding))
            self._check_item()
        if lose_response:  # DynamoDB applied it, the caller never heard back
            raise TaskFailed("DynamoDB.AmazonDynamoDBException")
        return result

    def _check_item(self) -> None:
        item = self.db.get_item(TableName=self.substitutions[asl.TABLE], ConsistentRead=True,
                                Key={"lock": {"S": self.machine_arn}}).get("Item", {})
        owners = {k for k in item if k.startswith("arn:")}
        assert owners == self.holding and int(item.get("holders", {"N": "0"})["N"]) == len(owners)

    def task(self, execution: str, rng: random.Random, fail_in: str | None = None, die_in: str | None = None,
             lose_first_acquire: bool = False, stop: threading.Event | None = None):
        state = {"lost": not lose_first_acquire}

        def handle(name: str, definition_state: dict, params: dict):
            if definition_state["Resource"] == asl.DYNAMODB_UPDATE:
                if stop is not None and stop.is_set():
                    raise Died(execution)
                lose = name == asl.ACQUIRE and not state["lost"]
                state["lost"] = True
                return self.update_item(params, lose_response=lose)
            if name == die_in:
                raise Died(execution)
            with self.lock:
                self.working += 1
                self.max_working = max(self.max_working, self.working)
                assert execution in self.holding, f"{execution} works without a slot"
                self.started_work.add(execution)
            try:
                time.sleep(rng.uniform(0, 0.01))
            finally:
                with self.lock:
                    self.working -= 1
            if name == fail_in:
                raise TaskFailed("Lambda.Unknown")
            if definition_state["Resource"] == asl.SQS_SEND_AND_WAIT:
                return {"decision": rng.choice(["approved", "rejected"])}
            return {"Payload": {}}
        return handle

    def execute(self, name: str, seed: int, **faults):
        execution = self.execution_arn(name)
        rng = random.Random(seed)
        context = {"Execution": {"Id": execution, "Name": name}, "StateMachine": {"Id": self.machine_arn}}
        return run(self.definition, {"detail": {"application_id": name}}, self.task(execution, rng, **faults),
                   context=context, substitutions=self.substitutions, time_scale=TIME_SCALE, rng=rng,
                   max_transitions=100_000)

    def cleanup(self, name: str, status: str = "ABORTED"):
        """What the EventBridge rule does for an execution that ended badly: run the cleanup."""
        event = {"source": "aws.states", "detail-type": "Step Functions Execution Status Change",
                 "detail": {"executionArn": self.execution_arn(name), "stateMachineArn": self.machine_arn,
                            "status": status}}
        return run(asl.cleanup_definition(), event, lambda n, s, params: self.update_item(params),
                   substitutions=self.substitutions)

    def item(self) -> dict:
        return self.db.get_item(TableName=self.substitutions[asl.TABLE], ConsistentRead=True,
                                Key={"lock": {"S": self.machine_arn}}).get("Item", {})


@pytest.fixture
def dynamodb():
    with mock_aws():
        yield boto3.client("dynamodb", region_name=REGION, aws_access_key_id="testing",
                           aws_secret_access_key="testing")


@pytest.fixture
def demo(demo_workspace, dynamodb):
    item = next(i for i in demo_workspace.services if i.spec.service == "accounts")
    svc = resolve_service(item.spec, demo_workspace.platform, resolve_stage("dev", demo_workspace.platform))
    return Simulation(svc, svc.workflows[0], dynamodb)


@pytest.mark.e2e  # a 40-execution simulation on moto
def test_overlapping_executions_never_exceed_the_limit_and_all_of_them_run(demo):
    limit = demo.wf.max_concurrent
    assert limit == 5
    names = [f"app-{i}" for i in range(40)]
    faults = {name: {"fail_in": "compliance-review"} for name in names[::7]}  # the failure path releases too
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        runs = dict(zip(names, pool.map(lambda i: demo.execute(names[i], seed=i, **faults.get(names[i], {})),
                                        range(len(names)))))
    assert demo.max_holding == limit  # there was contention, and it was capped
    assert demo.max_working <= limit
    assert demo.started_work == {demo.execution_arn(n) for n in names}  # every execution ran
    for name, result in runs.items():
        assert result.status == ("FAILED" if name in faults else "SUCCEEDED"), (name, result.error)
        if name in faults:
            assert result.visited[-3:] == ["undo check-kyc", asl.RELEASE_AFTER_FAILURE, asl.FAILED]
    assert demo.item()["holders"] == {"N": "0"} and not demo.holding


def test_a_retried_acquire_whose_first_attempt_succeeded_keeps_its_one_slot(demo):
    result = demo.execute("lost-response", seed=1, lose_first_acquire=True)
    assert result.status == "SUCCEEDED"
    assert asl.ALREADY_HELD in result.visited  # it found its own slot instead of waiting for another
    assert demo.max_holding == 1 and demo.item()["holders"] == {"N": "0"}


def test_cleanup_releases_slots_of_executions_that_died_holding_them(demo):
    limit = demo.wf.max_concurrent
    dead = [f"dead-{i}" for i in range(limit)]
    for name in dead:  # each takes a slot, then ends without any Catch running
        with pytest.raises(Died):
            demo.execute(name, seed=0, die_in="check-kyc")
    assert demo.item()["holders"] == {"N": str(limit)}
    stop = threading.Event()  # ends the waiting executions should the test fail before they can run
    with ThreadPoolExecutor(max_workers=3) as pool:
        try:
            waiting = [pool.submit(demo.execute, f"waiting-{i}", i, stop=stop) for i in range(3)]
            time.sleep(0.5)
            assert not any(f.done() for f in waiting) and demo.working == 0  # all slots held by the dead
            for name in dead[:-1]:
                assert demo.cleanup(name, "TIMED_OUT").status == "SUCCEEDED"
            # a second cleanup of the same execution (EXPRESS runs at least once) changes nothing
            assert demo.cleanup(dead[0], "TIMED_OUT").status == "SUCCEEDED"
            results = [f.result(timeout=30) for f in waiting]
        finally:
            stop.set()
    assert all(r.status == "SUCCEEDED" for r in results)
    assert demo.item()["holders"] == {"N": "1"}  # only the last dead one, not cleaned up yet
    assert demo.cleanup(dead[-1], "ABORTED").status == "SUCCEEDED"
    assert demo.item()["holders"] == {"N": "0"} and not demo.holding


def test_cleanup_of_an_execution_that_released_normally_changes_nothing(demo):
    assert demo.execute("ok", seed=3).status == "SUCCEEDED"
    assert demo.cleanup("ok", "FAILED").status == "SUCCEEDED"
    assert demo.item()["holders"] == {"N": "0"}


def test_limit_one_serialises_executions(dynamodb):
    svc = resolved(ONE_AT_A_TIME)
    sim = Simulation(svc, svc.workflows[0], dynamodb)
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda i: sim.execute(f"e{i}", seed=i), range(12)))
    assert all(r.status == "SUCCEEDED" for r in results)
    assert sim.max_holding == 1 and sim.max_working == 1 and len(sim.started_work) == 12


ONE_AT_A_TIME = """
service: wires
owner: team-wires
description: test
functions:
  send-wire: {}
  cancel-wire: {}
workflows:
  settle:
    max_concurrent_executions: 1
    steps:
      - call: send-wire
        compensate: cancel-wire
"""
