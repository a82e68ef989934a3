"""Built-in defaults of the service's KMS key, each with its reason and source.

`platform.yaml` may override some under `defaults:`; a spec may override per function or queue.
The order is always: spec value, then platform default, then the value here.
"""

from __future__ import annotations

# Customer managed key with rotation: checkov CKV_AWS_26/27 + cdk-nag KMS5; a customer key (not
# alias/aws/sqs) is required because EventBridge and SNS must be allowed to use it in its policy.
KMS_PENDING_WINDOW_DAYS = 7

# Log groups encrypted with the service's key (checkov CKV_AWS_158: CloudWatch Logs otherwise
# uses its own service key, which no policy of the bank controls). The key policy lets the
# Region's CloudWatch Logs principal use the key for exactly the service's log groups, named in
# the encryption context CloudWatch Logs sends ("Encrypt log data in CloudWatch Logs using AWS
# KMS", step 2: these actions, and `kms:EncryptionContext:aws:logs:arn`).
LOGS_KEY_ACTIONS = ("kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*")
LOGS_CONTEXT_KEY = "kms:EncryptionContext:aws:logs:arn"
