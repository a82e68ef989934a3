"""Template rules that keep what an independent scanner (checkov) reports on svcgen's output where
docs/security-scan.md says it is: every finding fixed, or accepted with its reason in the resource
(generator/scan_skips.py). A template that would regress is refused by svcgen itself, before any
scanner runs: a log group without a key, an asynchronously invoked function without an on-failure
destination, a function check failed without its reason, a skip without a comment, or an
environment variable that looks like a secret (which would make the accepted CKV_AWS_173 untrue).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.concerns.service.names import owner_key
from generator.rules.base import TemplateRule
from generator.scan_skips import CHECK_ID, METADATA_KEY, skipped

SCAN_DOC = "docs/security-scan.md"
LOGS_KMS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html"
LAMBDA_ASYNC = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html"
LAMBDA_ENV_SECRETS = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html"
FUNCTION = "AWS::Lambda::Function"
# Services that invoke a function asynchronously when given a resource-based permission (Lambda
# developer guide, "Invoking Lambda with events from other AWS services").
ASYNC_PRINCIPALS = ("events.amazonaws.com", "scheduler.amazonaws.com", "sns.amazonaws.com", "s3.amazonaws.com",
                    "logs.amazonaws.com", "iot.amazonaws.com", "ses.amazonaws.com",
                    "cloudformation.amazonaws.com", "config.amazonaws.com", "codecommit.amazonaws.com")
# checkov's Lambda checks svcgen renders against, each with the property that passes it.
FUNCTION_CHECKS = {
    "CKV_AWS_115": ("ReservedConcurrentExecutions",),
    "CKV_AWS_116": ("DeadLetterConfig", "TargetArn"),
    "CKV_AWS_117": ("VpcConfig",),
    "CKV_AWS_173": ("KmsKeyArn",),
}
# A variable name that says it holds a secret; a name of where a secret is kept (…_ARN, …_NAME,
# …_ID, …_PARAMETER, …_PATH) is fine.
SECRET_WORDS = re.compile(r"(^|_)(SECRET|PASSWORD|PASSWD|PASSPHRASE|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIALS?|TOKEN)"
                          r"(_|$)", re.IGNORECASE)
SECRET_REFERENCE = re.compile(r"_(ARN|NAME|ID|PARAMETER|PARAM|PATH)$", re.IGNORECASE)


def _resources(ctx, type_: str | None = None) -> Iterator[tuple[str, dict]]:
    for title, body in ctx.template.get("Resources", {}).items():
        if isinstance(body, dict) and (type_ is None or body.get("Type") == type_):
            yield title, body


def _where(ctx, title: str) -> tuple:
    return owner_key(ctx.origins.get(title, ()))


def _refers_to(value: Any, title: str) -> bool:
    """Whether a property value is `Ref title` or `Fn::GetAtt [title, …]`."""
    if not isinstance(value, dict):
        return False
    ref, get_att = value.get("Ref"), value.get("Fn::GetAtt")
    return ref == title or (isinstance(get_att, list) and get_att[:1] == [title]) \
        or (isinstance(get_att, str) and get_att.split(".")[0] == title)


class ScanSkipsHaveReasons(TemplateRule):
    id = "SVC3010"
    concern = "service"
    summary = "every checkov skip in a template names a check (CKV_AWS_…) once and says why (a non-empty comment)"
    rationale = "a skip tells a bank's reviewers and auditors why a scanner's finding is accepted; checkov shows a " \
                "skip without a comment as 'No comment provided', and a misspelt ID skips nothing"
    source = SCAN_DOC

    def check(self, ctx):
        for title, body in _resources(ctx):
            metadata = body.get("Metadata")
            if not isinstance(metadata, dict) or METADATA_KEY not in metadata:
                continue
            skips = (metadata[METADATA_KEY] or {}).get("skip") if isinstance(metadata[METADATA_KEY], dict) else None
            if not isinstance(skips, list):
                yield self.error(ctx.doc, _where(ctx, title), f"resource {title}: Metadata.checkov has no skip list",
                                 "this is a bug in svcgen, please report it")
                continue
            seen: set[str] = set()
            for skip in skips:
                check = skip.get("id") if isinstance(skip, dict) else None
                comment = skip.get("comment") if isinstance(skip, dict) else None
                if not isinstance(check, str) or not CHECK_ID.fullmatch(check):
                    yield self.error(ctx.doc, _where(ctx, title),
                                     f"resource {title}: checkov skip {check!r} is not a check ID (CKV_AWS_<n>)",
                                     "this is a bug in svcgen, please report it")
                elif check in seen:
                    yield self.error(ctx.doc, _where(ctx, title), f"resource {title}: {check} is skipped twice",
                                     "this is a bug in svcgen, please report it")
                elif not isinstance(comment, str) or not comment.strip():
                    yield self.error(ctx.doc, _where(ctx, title), f"resource {title}: the checkov skip of {check} "
                                     "has no comment", "say why the finding is accepted (generator/scan_skips.py)")
                if isinstance(check, str):
                    seen.add(check)


class LogGroupsEncrypted(TemplateRule):
    id = "SVC3011"
    concern = "service"
    summary = "every log group is encrypted with a KMS key (KmsKeyId), or says why not (a CKV_AWS_158 skip)"
    rationale = "logs of a bank's functions carry account and payment identifiers; with the service's own key, " \
                "the bank's key policy decides who can read them, and deleting the key makes them unreadable"
    source = LOGS_KMS

    def check(self, ctx):
        for title, body in _resources(ctx, "AWS::Logs::LogGroup"):
            if not (body.get("Properties") or {}).get("KmsKeyId") and not skipped(body).get("CKV_AWS_158"):
                yield self.error(ctx.doc, _where(ctx, title), f"log group {title} has no KmsKeyId",
                                 "render it with generator.concerns.encryption.render.log_group")


class AsyncInvokedHaveOnFailure(TemplateRule):
    id = "SVC3012"
    concern = "service"
    summary = "every function invoked asynchronously (a schedule's or rule's target, or a permission of an " \
              "asynchronous service) has an on-failure destination (EventInvokeConfig) or a DLQ"
    rationale = "Lambda retries a failed asynchronous invocation twice and then drops the event unless a " \
                "destination or DLQ keeps it: a scheduled payment run would vanish without a trace"
    source = LAMBDA_ASYNC

    def check(self, ctx):
        functions = dict(_resources(ctx, FUNCTION))
        invoked: dict[str, str] = {}  # function title -> what invokes it asynchronously
        for title, body in _resources(ctx):
            props = body.get("Properties") or {}
            kind = body.get("Type")
            if kind == "AWS::Scheduler::Schedule":
                targets = [props.get("Target") or {}]
            elif kind == "AWS::Events::Rule":
                targets = props.get("Targets") or []
            elif kind == "AWS::Lambda::Permission" and props.get("Principal") in ASYNC_PRINCIPALS:
                targets = [{"Arn": props.get("FunctionName")}]
            else:
                continue
            for target in targets:
                for fn in functions:
                    if isinstance(target, dict) and _refers_to(target.get("Arn"), fn):
                        invoked.setdefault(fn, f"{kind.split('::')[-1].lower()} {title}")
        destined = {fn for fn in functions
                    for _, config in _resources(ctx, "AWS::Lambda::EventInvokeConfig")
                    if _refers_to((config.get("Properties") or {}).get("FunctionName"), fn)
                    and ((config["Properties"].get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")}
        for fn, by in sorted(invoked.items()):
            dlq = ((functions[fn].get("Properties") or {}).get("DeadLetterConfig") or {}).get("TargetArn")
            if fn not in destined and not dlq:
                yield self.error(ctx.doc, _where(ctx, fn), f"function {fn} is invoked asynchronously ({by}) but has "
                                 "no on-failure destination nor DLQ", "give it an AWS::Lambda::EventInvokeConfig "
                                 "with DestinationConfig.OnFailure (as a schedule's function has)")


class FunctionScanFindingsAccepted(TemplateRule):
    id = "SVC3013"
    concern = "service"
    summary = "a function that fails one of checkov's Lambda checks (CKV_AWS_115, 116, 117, 173) says why, in " \
              "the function's checkov skips"
    rationale = "each of these checks is accepted on purpose for every function svcgen renders " \
                "(docs/security-scan.md); a function without the reason would fail a bank's scan unexplained"
    source = SCAN_DOC

    def check(self, ctx):
        for title, body in _resources(ctx, FUNCTION):
            props, reasons = body.get("Properties") or {}, skipped(body)
            for check, path in FUNCTION_CHECKS.items():
                value: Any = props
                for key in path:
                    value = value.get(key) if isinstance(value, dict) else None
                if value in (None, "", [], {}) and not reasons.get(check):
                    yield self.error(ctx.doc, _where(ctx, title), f"function {title} fails checkov {check} "
                                     f"({'.'.join(path)} not set) without a reason",
                                     "render it with generator.concerns.function.render.render_function")


class NoSecretsInEnvironment(TemplateRule):
    id = "SVC3014"
    concern = "service"
    summary = "no function environment variable is named like a secret (…PASSWORD, …SECRET, …TOKEN, …API_KEY); " \
              "a name of where one is kept (…_ARN, …_NAME, …_ID, …_PARAMETER, …_PATH) is fine"
    rationale = "environment variables are shown to anyone who may read the function's configuration and are " \
                "encrypted with Lambda's AWS managed key only (checkov CKV_AWS_173 is accepted because they hold " \
                "no secret); a secret belongs in Secrets Manager, read at run time"
    source = LAMBDA_ENV_SECRETS

    def check(self, ctx):
        for title, body in _resources(ctx, FUNCTION):
            variables = ((body.get("Properties") or {}).get("Environment") or {}).get("Variables") or {}
            for name in variables:
                if SECRET_WORDS.search(name) and not SECRET_REFERENCE.search(name):
                    where = _where(ctx, title)
                    path = where + ("environment", name) if where[:1] == ("functions",) else where
                    yield self.error(ctx.doc, path, f"function {title}: environment variable {name} is named like a "
                                     "secret", f"keep the secret in Secrets Manager and pass its ARN ({name}_ARN)")

