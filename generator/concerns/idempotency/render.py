"""Idempotent consumers: one DynamoDB table per service for Powertools' idempotency records.

Queues and EventBridge deliver at least once, so a consumer that must not act twice (send a
payment, open an account) records each business event's key before acting. Records expire after
24 h, EventBridge's maximum retry age (runtime/consumer.py IDEMPOTENCY_EXPIRY_SECONDS), via
DynamoDB TTL on Powertools' `expiration` attribute.
"""

from __future__ import annotations

from troposphere import GetAtt, Ref, Sub
from troposphere.dynamodb import (AttributeDefinition, KeySchema, PointInTimeRecoverySpecification,
                                  SSESpecification, Table, TimeToLiveSpecification)

from generator import function_env
from generator.concerns.encryption import render as encryption
from generator.concerns.function import render as function
from generator.render_context import RenderContext

TABLE = "IdempotencyTable"
# Powertools' DynamoDBPersistenceLayer: get the record, put it conditionally, update it with the
# result, delete it when the function failed (so the retry runs). Nothing else.
ACTIONS = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
# Powertools' default attribute names (DynamoDBPersistenceLayer key_attr / expiry_attr).
KEY_ATTRIBUTE, EXPIRY_ATTRIBUTE = "id", "expiration"


def render(ctx: RenderContext) -> None:
    if ctx.svc.idempotency_table is None:
        return
    ctx.add(Table(
        TABLE,
        TableName=ctx.svc.idempotency_table,
        AttributeDefinitions=[AttributeDefinition(AttributeName=KEY_ATTRIBUTE, AttributeType="S")],
        KeySchema=[KeySchema(AttributeName=KEY_ATTRIBUTE, KeyType="HASH")],
        BillingMode="PAY_PER_REQUEST",
        PointInTimeRecoverySpecification=PointInTimeRecoverySpecification(PointInTimeRecoveryEnabled=True),
        SSESpecification=SSESpecification(SSEEnabled=True, SSEType="KMS", KMSMasterKeyId=encryption.key_arn()),
        TimeToLiveSpecification=TimeToLiveSpecification(AttributeName=EXPIRY_ATTRIBUTE, Enabled=True),
    ), stateful=True)
    for fn in ctx.svc.functions:
        if fn.idempotency_key is None:
            continue
        ctx.grant(fn.key, ACTIONS, [GetAtt(TABLE, "Arn")], sid="IdempotencyRecords")
        ctx.grant(fn.key, ["kms:Decrypt", "kms:GenerateDataKey"], [encryption.key_arn()], sid="IdempotencyKey",
                  condition={"StringEquals": {"kms:ViaService": Sub("dynamodb.${AWS::Region}.amazonaws.com")}})
        function.add_environment(ctx, fn, {function_env.IDEMPOTENCY_TABLE: Ref(TABLE)})
