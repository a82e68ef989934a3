"""The template rules that guard what checkov reports (generator/concerns/service/checkov_rules.py,
SVC3010–SVC3014), and the skip helper they read (generator/scan_skips.py).

Each rule passes on what svcgen renders and fails on the rendered template changed the way a
regression would change it (`mutate`), on the template-rule harness of the limits' tests.
"""

from __future__ import annotations

from troposphere.logs import LogGroup

from generator.scan_skips import skip_checks, skipped
from tests.rules.test_names_limits_rules import fails, passes, service

SCHEDULED = service(functions="  nightly:\n    schedule: {expression: rate(1 hour)}\n")
DIRECT = service()
ROUTED_AND_QUEUED = service(functions="  get-balance:\n    http: GET /balances\n"
                                      "  settle:\n    subscribe: [{event: AccountOpened, from: accounts}]\n")


def _resources(template, type_):
    return {k: r for k, r in template["Resources"].items() if r["Type"] == type_}


def _function(template, title="Post"):
    return template["Resources"][title]


def _set_skip(check, comment, title="Post"):
    def mutate(template):
        for skip in _function(template, title)["Metadata"]["checkov"]["skip"]:
            if skip["id"] == check:
                skip["comment"] = comment
    return mutate


# --- the helper -----------------------------------------------------------------------------

def test_skip_checks_merges_sorted_and_a_later_reason_replaces():
    group = LogGroup("G", Metadata={"cfn-lint": {"config": {"ignore_checks": ["W1"]}}})
    skip_checks(group, {"CKV_AWS_66": "first", "CKV_AWS_158": "b"})
    skip_checks(group, {"CKV_AWS_66": "second"})
    assert group.Metadata["cfn-lint"] == {"config": {"ignore_checks": ["W1"]}}
    assert group.Metadata["checkov"] == {"skip": [{"id": "CKV_AWS_158", "comment": "b"},
                                                  {"id": "CKV_AWS_66", "comment": "second"}]}
    assert skipped(group.to_dict()) == {"CKV_AWS_158": "b", "CKV_AWS_66": "second"}
    assert skipped({"Type": "X"}) == {}


# --- SVC3010 every skip names a check and says why ----------------------------------------------

def test_svc3010_rendered_skips_have_reasons():
    passes("SVC3010", DIRECT)
    passes("SVC3010", ROUTED_AND_QUEUED)


def test_svc3010_empty_comment_fails():
    (error,) = fails("SVC3010", DIRECT, mutate=_set_skip("CKV_AWS_117", "  "))
    assert "CKV_AWS_117" in error.message and "no comment" in error.message
    assert error.path == "functions.post"


def test_svc3010_missing_comment_and_bad_id_fail():
    def mutate(template):
        _function(template)["Metadata"]["checkov"]["skip"] = [{"id": "CKV_AWS_117"}, {"id": "CKV-AWS-1", "comment": "x"},
                                                               {"id": "CKV_AWS_117", "comment": "y"}]
    messages = [e.message for e in fails("SVC3010", DIRECT, mutate=mutate)]
    assert len(messages) == 3
    assert any("not a check ID" in m for m in messages) and any("skipped twice" in m for m in messages)


# --- SVC3011 log groups are encrypted -----------------------------------------------------------

def test_svc3011_every_rendered_log_group_has_the_service_key():
    passes("SVC3011", ROUTED_AND_QUEUED)  # a function's log group and the API's access logs
    passes("SVC3011", ROUTED_AND_QUEUED, stage="pr-1")


def test_svc3011_log_group_without_key_fails_unless_a_reason_is_given():
    def no_key(template):
        del template["Resources"]["PostLogGroup"]["Properties"]["KmsKeyId"]

    (error,) = fails("SVC3011", DIRECT, mutate=no_key)
    assert "PostLogGroup" in error.message and error.path == "functions.post"

    def no_key_with_reason(template):
        no_key(template)
        template["Resources"]["PostLogGroup"]["Metadata"] = {
            "checkov": {"skip": [{"id": "CKV_AWS_158", "comment": "a reason"}]}}

    passes("SVC3011", DIRECT, mutate=no_key_with_reason)


def test_the_key_lets_cloudwatch_logs_use_it_for_exactly_the_service_log_groups():
    from tests.rules.test_names_limits_rules import template_context

    template = template_context(ROUTED_AND_QUEUED).template
    (key,) = _resources(template, "AWS::KMS::Key").values()
    (statement,) = [s for s in key["Properties"]["KeyPolicy"]["Statement"] if s["Sid"] == "LogsEncryptOwnLogGroups"]
    assert statement["Principal"] == {"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}}
    arns = statement["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    names = sorted(g["Properties"]["LogGroupName"] for g in _resources(template, "AWS::Logs::LogGroup").values())
    assert sorted(a["Fn::Sub"].split(":log-group:")[1] for a in arns) == names


# --- SVC3012 asynchronously invoked functions keep their failures ------------------------------

def test_svc3012_scheduled_function_has_its_on_failure_destination():
    passes("SVC3012", SCHEDULED)
    passes("SVC3012", ROUTED_AND_QUEUED)  # API Gateway and SQS invoke synchronously


def test_svc3012_scheduled_function_without_destination_fails():
    def no_destination(template):
        for title in list(_resources(template, "AWS::Lambda::EventInvokeConfig")):
            del template["Resources"][title]

    (error,) = fails("SVC3012", SCHEDULED, mutate=no_destination)
    assert "Nightly" in error.message and "schedule" in error.message


def test_svc3012_async_service_permission_without_destination_fails():
    def eventbridge_may_invoke(template):
        template["Resources"]["PostEventsPermission"] = {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": ["Post", "Arn"]},
            "Principal": "events.amazonaws.com"}}

    (error,) = fails("SVC3012", DIRECT, mutate=eventbridge_may_invoke)
    assert "function Post is invoked asynchronously (permission PostEventsPermission)" in error.message


# --- SVC3013 a function's accepted checkov findings carry their reason --------------------------

def test_svc3013_every_rendered_function_states_its_reasons():
    passes("SVC3013", DIRECT)
    passes("SVC3013", SCHEDULED)
    passes("SVC3013", ROUTED_AND_QUEUED)
    passes("SVC3013", service(functions="  post: {reserved_concurrency: 5}\n"))


def test_svc3013_function_without_its_reasons_fails():
    def no_metadata(template):
        del _function(template)["Metadata"]["checkov"]

    errors = fails("SVC3013", DIRECT, mutate=no_metadata)
    assert sorted(e.message.split(" fails checkov ")[1].split(" ")[0] for e in errors) == \
        ["CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"]


def test_function_reasons_say_how_each_function_is_invoked():
    from tests.rules.test_names_limits_rules import template_context

    def reason(text, title):
        return skipped(template_context(text).template["Resources"][title])["CKV_AWS_116"]

    assert "svcgen wires no invoker" in reason(DIRECT, "Post")
    assert "Scheduler invokes it asynchronously" in reason(SCHEDULED, "Nightly")
    assert "API Gateway" in reason(ROUTED_AND_QUEUED, "GetBalance")
    assert "SQS event source mapping" in reason(ROUTED_AND_QUEUED, "Settle")
    reserved = template_context(service(functions="  post: {reserved_concurrency: 5}\n")).template
    assert "CKV_AWS_115" not in skipped(reserved["Resources"]["Post"])


# --- SVC3014 no secret in a function's environment ----------------------------------------------

def test_svc3014_names_of_where_secrets_are_kept_pass():
    passes("SVC3014", service(functions="  post:\n    environment: {DB_PASSWORD_SECRET_ARN: arn, TOKEN_PARAMETER: p, "
                                        "TOKENIZER_MODE: fast}\n"))


def test_svc3014_secret_named_variable_fails():
    errors = fails("SVC3014", service(functions="  post:\n    environment: {DB_PASSWORD: hunter2, api_key: k}\n"))
    assert [e.path for e in errors] == ["functions.post.environment.DB_PASSWORD", "functions.post.environment.api_key"]
