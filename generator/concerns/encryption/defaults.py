"""Built-in defaults of the service's KMS key, each with its reason and source.

`platform.yaml` may override some under `defaults:`; a spec may override per function or queue.
The order is always: spec value, then platform default, then the value here.
"""

from __future__ import annotations

# Customer managed key with rotation: checkov CKV_AWS_26/27 + cdk-nag KMS5; a customer key (not
# alias/aws/sqs) is required because EventBridge and SNS must be allowed to use it in its policy.
KMS_PENDING_WINDOW_DAYS = 7
