"""Building blocks of the generated ASL: retry policies, `${Placeholder}`s, and the states of the
semaphore behind `max_concurrent_executions` (acquire, release, and the cleanup state machine).

Following AWS's "Controlling concurrency in distributed systems using AWS Step Functions": one
DynamoDB item per workflow (key: the state machine ARN) counts the holders, and each holding
execution is an attribute named by its execution ARN, so taking and giving back a slot are single
conditional UpdateItems. Pure functions returning plain dicts, like workflow_asl.py.
"""

from __future__ import annotations

from generator.concerns.workflow import defaults

DYNAMODB_UPDATE = "arn:aws:states:::dynamodb:updateItem"
ACQUIRE, ALREADY_HELD = "Acquire slot", "Slot already held"
RELEASE, RELEASE_AFTER_FAILURE, RELEASE_FAILED = "Release slot", "Release slot after failure", "ReleaseFailed"
SUCCEEDED, FAILED = "Succeeded", "Failed"
CLEANUP_RELEASE, CLEANUP_DONE, CLEANUP_FAILED = "Release slot of ended execution", "Done", "CleanupFailed"

TABLE = "SemaphoreTable"  # DefinitionSubstitutions key of the semaphore table's name
LOCK_KEY = "lock"  # the table's partition key: one item per state machine (its ARN)
HOLDERS = "holders"  # number of executions holding a slot; each holder is also an attribute
CONDITION_FAILED = "DynamoDB.ConditionalCheckFailedException"
# Where semaphore tasks put their (small) results. Never `ResultPath: null`: CloudFormation
# rejects null values anywhere in a template, the Definition object included.
SLOT = "$.slot"


def placeholder(name: str) -> str:
    """`${name}`: filled in by the state machine's DefinitionSubstitutions."""
    return "${" + name + "}"


def retry(errors, interval: int, attempts: int, backoff: float, max_delay: int) -> dict:
    """Exponential backoff with full jitter: retries of many executions do not arrive together."""
    return {"ErrorEquals": list(errors), "IntervalSeconds": interval, "MaxAttempts": attempts,
            "BackoffRate": backoff, "MaxDelaySeconds": max_delay, "JitterStrategy": "FULL"}


def transient_retry(errors) -> dict:
    return retry(errors, defaults.WORKFLOW_RETRY_INTERVAL_SECONDS, defaults.WORKFLOW_RETRY_MAX_ATTEMPTS,
                 defaults.WORKFLOW_RETRY_BACKOFF_RATE, defaults.WORKFLOW_RETRY_MAX_DELAY_SECONDS)


def lock_key(state_machine_path: str) -> dict:
    return {LOCK_KEY: {"S.$": state_machine_path}}


def release_parameters(state_machine_path: str, execution_path: str) -> dict:
    """Give back the slot of one execution, only if it holds one: running it twice is harmless."""
    return {
        "TableName": placeholder(TABLE),
        "Key": lock_key(state_machine_path),
        "UpdateExpression": "SET #holders = #holders - :one REMOVE #owner",
        "ConditionExpression": "attribute_exists(#owner)",
        "ExpressionAttributeNames": {"#holders": HOLDERS, "#owner.$": execution_path},
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }


def release_state(next_state: str, parameters: dict, on_error: str, error_path: str) -> dict:
    """A release: not holding (ConditionalCheckFailed) is fine; other errors are retried long."""
    return {
        "Type": "Task",
        "Resource": DYNAMODB_UPDATE,
        "Parameters": parameters,
        "ResultSelector": {"held": False},
        "ResultPath": SLOT,
        "TimeoutSeconds": defaults.WORKFLOW_SERVICE_TASK_TIMEOUT_SECONDS,
        "Retry": [{"ErrorEquals": [CONDITION_FAILED], "MaxAttempts": 0},
                  retry(["States.ALL"], defaults.WORKFLOW_RETRY_INTERVAL_SECONDS, defaults.SEMAPHORE_RELEASE_MAX_ATTEMPTS,
                        defaults.WORKFLOW_RETRY_BACKOFF_RATE, defaults.WORKFLOW_RETRY_MAX_DELAY_SECONDS)],
        "Catch": [{"ErrorEquals": [CONDITION_FAILED], "ResultPath": SLOT, "Next": next_state},
                  {"ErrorEquals": ["States.ALL"], "ResultPath": error_path, "Next": on_error}],
        "Next": next_state,
    }


def cleanup_definition() -> dict:
    """The EXPRESS state machine that EventBridge starts when an execution of a semaphore workflow
    ends FAILED, TIMED_OUT or ABORTED: it releases that execution's slot if it still holds one
    (the input is the "Step Functions Execution Status Change" event)."""
    return {
        "Comment": "Releases the semaphore slot of an execution that ended without releasing it",
        "StartAt": CLEANUP_RELEASE,
        "TimeoutSeconds": defaults.SEMAPHORE_CLEANUP_TIMEOUT_SECONDS,
        "States": {
            # Not holding a slot (released on the failure path already) ends here too.
            CLEANUP_RELEASE: release_state(CLEANUP_DONE, release_parameters(
                "$.detail.stateMachineArn", "$.detail.executionArn"), CLEANUP_FAILED, SLOT),
            CLEANUP_DONE: {"Type": "Succeed"},
            # Fails visibly (ExecutionsFailed alarm): the slot stays taken until someone releases it.
            CLEANUP_FAILED: {"Type": "Fail", "Error": "CleanupFailed", "Cause": "the slot could not be released"},
        },
    }


def semaphore_states(limit: int, first: str, to_compensation: dict) -> dict[str, dict]:
    """AWS's "controlling concurrency with Step Functions" semaphore, as one conditional update:
    take a slot if fewer than `limit` are held and this execution holds none; then `first`.
    Also the release after the last step, which leads to SUCCEEDED."""
    states: dict[str, dict] = {}
    states[ACQUIRE] = {
        "Type": "Task",
        "Resource": DYNAMODB_UPDATE,
        "Parameters": {
            "TableName": placeholder(TABLE),
            "Key": lock_key("$$.StateMachine.Id"),
            # if_not_exists: the first acquire of a new workflow creates the item.
            "UpdateExpression": "SET #holders = if_not_exists(#holders, :zero) + :one, #owner = :since",
            "ConditionExpression": "(attribute_not_exists(#holders) OR #holders < :limit) "
                                   "AND attribute_not_exists(#owner)",
            "ExpressionAttributeNames": {"#holders": HOLDERS, "#owner.$": "$$.Execution.Id"},
            "ExpressionAttributeValues": {":zero": {"N": "0"}, ":one": {"N": "1"}, ":limit": {"N": str(limit)},
                                          ":since": {"S.$": "$$.State.EnteredTime"}},
        },
        "ResultSelector": {"held": True},
        "ResultPath": SLOT,
        "TimeoutSeconds": defaults.WORKFLOW_SERVICE_TASK_TIMEOUT_SECONDS,
        "Retry": [
            # All slots taken: wait (backoff with jitter) and try again.
            retry([CONDITION_FAILED], defaults.SEMAPHORE_RETRY_INTERVAL_SECONDS,
                  defaults.SEMAPHORE_RETRY_MAX_ATTEMPTS, defaults.SEMAPHORE_RETRY_BACKOFF_RATE,
                  defaults.SEMAPHORE_RETRY_MAX_DELAY_SECONDS),
            transient_retry(["States.ALL"]),
        ],
        "Catch": [{"ErrorEquals": [CONDITION_FAILED], "ResultPath": SLOT, "Next": ALREADY_HELD},
                  to_compensation],
        "Next": first,
    }
    # A retried acquire whose first attempt did succeed finds its own slot: continue with it.
    states[ALREADY_HELD] = {
        "Type": "Task",
        "Resource": DYNAMODB_UPDATE,
        "Parameters": {
            "TableName": placeholder(TABLE),
            "Key": lock_key("$$.StateMachine.Id"),
            "UpdateExpression": "SET #owner = #owner",
            "ConditionExpression": "attribute_exists(#owner)",
            "ExpressionAttributeNames": {"#owner.$": "$$.Execution.Id"},
        },
        "ResultSelector": {"held": True},
        "ResultPath": SLOT,
        "TimeoutSeconds": defaults.WORKFLOW_SERVICE_TASK_TIMEOUT_SECONDS,
        "Retry": [{"ErrorEquals": [CONDITION_FAILED], "MaxAttempts": 0}, transient_retry(["States.ALL"])],
        "Catch": [{"ErrorEquals": [CONDITION_FAILED], "ResultPath": SLOT, "Next": ACQUIRE},
                  to_compensation],
        "Next": first,
    }
    # After the last step. A release that fails for good fails the execution, which is what
    # makes the cleanup state machine release the slot.
    states[RELEASE] = release_state(SUCCEEDED, release_parameters("$$.StateMachine.Id", "$$.Execution.Id"),
                                    RELEASE_FAILED, "$.error")
    states[RELEASE_FAILED] = {"Type": "Fail", "Error": RELEASE_FAILED,
                              "Cause": "the steps succeeded but the semaphore slot could not be released; "
                                       "the cleanup state machine releases it"}
    return states
