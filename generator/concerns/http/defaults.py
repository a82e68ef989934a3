"""Built-in defaults of HTTP APIs, each with its reason and source.

`platform.yaml` may override some under `defaults:`; a spec may override per function or queue.
The order is always: spec value, then platform default, then the value here.
"""

from __future__ import annotations

# Per-route throttling (burst 100, 50 requests/s) is a platform setting, `http:` in platform.yaml
# (spec/platform.py HttpSpec): without it only the account-wide API Gateway quota applies, and one
# noisy caller can use up the account's Lambda concurrency (cfn-lint-serverless ES2003).
# Payload format 2.0: the HTTP API's current Lambda event (Powertools' APIGatewayHttpResolver).
HTTP_PAYLOAD_FORMAT_VERSION = "2.0"
# Per-route metrics (ApiId, Stage, Route dimensions): find the failing route, not just the API.
HTTP_DETAILED_METRICS = True
# Access log line, one JSON object per request (cfn-lint-serverless ES2000/WS2001). Never bodies
# or headers, and `routeKey` rather than `path`: a path carries ids (`/accounts/123/balance`), the
# route key only the template (`GET /accounts/{id}/balance`).
HTTP_ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "requestTime": "$context.requestTime",
    "ip": "$context.identity.sourceIp",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "responseLength": "$context.responseLength",
    "latency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "integrationStatus": "$context.integrationStatus",
    "integrationErrorMessage": "$context.integrationErrorMessage",
    "errorMessage": "$context.error.message",
    "authorizerError": "$context.authorizer.error",
}

# Why a routed function has no function DLQ (checkov CKV_AWS_116, docs/security-scan.md).
CHECKOV_HTTP_NO_DLQ = (
    "CKV_AWS_116",
    "No DLQ: API Gateway invokes it synchronously and returns its error to the HTTP caller; there is no "
    "event to keep.")
