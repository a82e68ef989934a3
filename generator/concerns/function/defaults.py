"""Built-in defaults of functions and their logs, each with its reason and source.

`platform.yaml` may override some under `defaults:`; a spec may override per function or queue.
The order is always: spec value, then platform default, then the value here.
"""

from __future__ import annotations

# --- function ---
# Explicit Timeout/MemorySize: cfn-lint-serverless ES1005/ES1006 — AWS's 3 s / 128 MB defaults are
# rarely right and hide the decision.
FUNCTION_TIMEOUT = 10
FUNCTION_MEMORY = 256
# Powertools reads these; responses are not captured by the tracer because they may hold personal
# data (banking), and the service name tags every log line and metric.
POWERTOOLS_LOG_LEVEL = "INFO"
TRACER_CAPTURE_RESPONSE = "false"

# --- logs ---
# Own log group with retention: cfn-lint-serverless WS1004 (never-expiring logs cost money and keep
# personal data forever). Ephemeral stages keep logs only briefly.
LOG_RETENTION_DAYS = 30
EPHEMERAL_LOG_RETENTION_DAYS = 3
# CloudWatch Logs accepts only these values for RetentionInDays (AWS::Logs::LogGroup docs).
LOG_RETENTION_ALLOWED = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                         1827, 2192, 2557, 2922, 3288, 3653)

# --- checkov findings accepted on every function (docs/security-scan.md) ---
# Each is written into the function's Metadata (generator/scan_skips.py); rule SVC3013 refuses a
# function that fails one of these checks without its reason.
CHECKOV_NO_VPC = (
    "CKV_AWS_117",
    "Not in a VPC: svcgen wires it only to AWS service APIs (TLS, IAM-signed), never to a private-network "
    "resource (specs have no VPC setting); a VPC would add NAT or endpoints per stage and protect none of "
    "those calls.")
CHECKOV_ENVIRONMENT_KEY = (
    "CKV_AWS_173",
    "No secret in its environment: svcgen's variables are resource names, ARNs and settings, SVC3014 "
    "refuses secret-like names, and Lambda encrypts them at rest with its AWS managed key.")
CHECKOV_NO_RESERVED_CONCURRENCY = (
    "CKV_AWS_115",
    "Reserved only where the spec sets reserved_concurrency (never in ephemeral stages): each reservation "
    "is taken from the account's shared pool; queue.max_concurrency and HTTP throttling cap callers "
    "instead.")
# CKV_AWS_116 (a function DLQ) concerns asynchronous invocations only (Lambda: "Dead-letter
# queues"). The concern that wires a function's invoker replaces this reason with its own.
CHECKOV_DIRECT_NO_DLQ = (
    "CKV_AWS_116",
    "No DLQ: svcgen wires no invoker (no event source, schedule, route, workflow or permission), so no "
    "AWS service invokes it asynchronously.")
