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
