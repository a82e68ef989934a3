"""Built-in defaults of EventBridge rule targets, each with its reason and source.

`platform.yaml` may override some under `defaults:`; a spec may override per function or queue.
The order is always: spec value, then platform default, then the value here.
"""

from __future__ import annotations

# Explicit retry policy (EventBridge default is 185 attempts / 24 h, stated so it is a decision)
# and a DLQ for events that could not be delivered (EventBridge docs; cfn-lint-serverless ES4000).
RULE_MAX_RETRY_ATTEMPTS = 185
RULE_MAX_EVENT_AGE_SECONDS = 86400
