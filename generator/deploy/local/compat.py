"""What makes svcgen's templates deployable on moto 5.2.1's CloudFormation (`svcgen local up`).

Rendered templates stay plain CloudFormation for AWS. A moto target (generator/deploy/moto_target.py)
rewrites each template with `moto_deployable` before it is hashed and sent, and each rewrite below
compensates for one measured moto difference. tests/e2e/test_harness.py pins these behaviours, so a
moto upgrade that changes one of them fails there first.

Resources of the types in KNOWN_MOTO_SKIPS are accepted by moto and silently not created (SNS
subscriptions, queue and topic policies, alarms, pipes, HTTP APIs): a local stage has no alarms, no
store fan-out pipes and no HTTP API. tests/e2e/moto_compat.py can create some of them through the
service APIs (`materialize_skipped`); the product does not.
"""

from __future__ import annotations

import copy
import re
from typing import Any

MOTO_VERSION = "5.2.1"

# Types that moto's CloudFormation accepts and silently does not create (no model class in
# moto/cloudformation/parsing.py:get_model_map, so parse_resource() returns None). Measured
# by deploying each type; test_harness.py asserts this set is exact. A Ref to one of them is
# dropped from the referring property; a Fn::GetAtt fails the whole stack.
KNOWN_MOTO_SKIPS: frozenset[str] = frozenset({
    "AWS::SNS::Subscription",
    "AWS::SNS::TopicPolicy",
    "AWS::SQS::QueuePolicy",
    "AWS::CloudWatch::Alarm",
    "AWS::Pipes::Pipe",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Stage",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Authorizer",
})

# Environment for the moto server process. moto invokes Lambda functions in Docker whenever a
# message reaches a queue with an event source mapping (sqs/models.py Queue.add_message); on a
# machine with Docker that pulls images and runs containers. Pointing DOCKER_HOST nowhere makes
# every invocation fail fast and identically everywhere.
SERVER_ENV: dict[str, str] = {"DOCKER_HOST": "unix:///nonexistent/moto-e2e-docker.sock"}

SKIPPED_PLACEHOLDER = "moto-skipped:"

# moto's Ref of these types returns the Python object (the class has no physical_resource_id);
# the named attribute is what AWS's Ref returns.
REF_AS_ATTRIBUTE = {"AWS::Events::EventBus": "Name", "AWS::Events::Archive": "ArchiveName"}


# --- template adaptation ---------------------------------------------------------------

def moto_deployable(template: dict) -> dict:
    """Return a copy of ``template`` that moto deploys the way AWS deploys the original.

    - KMS Key KeyPolicy / Events Archive EventPattern objects: moto stores the dict where it
      expects a JSON string (DescribeKey then fails with HTTP 500; the Archive fails at once),
      so they are wrapped in Fn::ToJsonString, which moto resolves without the transform.
    - StepFunctions ``Definition`` and ``DefinitionSubstitutions`` are ignored by moto (empty
      definition, placeholders left in), so they become an equivalent ``DefinitionString``.
    - Ref of an EventBus/Archive becomes the GetAtt that yields what AWS's Ref yields.
    - Ref/GetAtt of a KNOWN_MOTO_SKIPS resource becomes a visible placeholder string instead
      of a dropped property (KeyError deep in moto) or a failed stack.
    """
    adapted = copy.deepcopy(template)
    resources = adapted.get("Resources", {})
    types = {logical_id: res["Type"] for logical_id, res in resources.items()}
    for res in resources.values():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::KMS::Key":
            _json_encode_property(props, "KeyPolicy")
            _kms_tag_shape(props)
        elif res["Type"] == "AWS::Events::Archive":
            _json_encode_property(props, "EventPattern")
        elif res["Type"] == "AWS::StepFunctions::StateMachine":
            _inline_state_machine_definition(props)
    for section in ("Resources", "Outputs"):
        if section in adapted:
            adapted[section] = _rewrite_references(adapted[section], types)
    return adapted


def _kms_tag_shape(props: dict) -> None:
    """moto's KMS CloudFormation model tags with the KMS API's TagKey/TagValue names and fails
    with KeyError on CloudFormation's Key/Value (kms/models.py create_key -> tag_resource)."""
    if "Tags" in props:
        props["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in props["Tags"]]


def is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and (
        "Ref" in value or next(iter(value)).startswith("Fn::"))


def _json_encode_property(props: dict, name: str) -> None:
    if isinstance(props.get(name), dict) and not is_intrinsic(props[name]):
        props[name] = {"Fn::ToJsonString": props[name]}


def _inline_state_machine_definition(props: dict) -> None:
    substitutions = props.pop("DefinitionSubstitutions", None) or {}
    if "Definition" in props:
        definition = _substitute_in_strings(props.pop("Definition"), substitutions)
        props["DefinitionString"] = {"Fn::ToJsonString": definition}
    elif substitutions:
        if not isinstance(props.get("DefinitionString"), str):
            raise NotImplementedError("DefinitionSubstitutions with a computed DefinitionString")
        props["DefinitionString"] = {"Fn::Sub": [props["DefinitionString"], substitutions]}


def _substitute_in_strings(node: Any, substitutions: dict) -> Any:
    """Apply DefinitionSubstitutions the way AWS does (textually), via one Fn::Sub per string."""
    if isinstance(node, list):
        return [_substitute_in_strings(item, substitutions) for item in node]
    if isinstance(node, dict):
        return {key: _substitute_in_strings(value, substitutions) for key, value in node.items()}
    if isinstance(node, str):
        used = {key: value for key, value in substitutions.items() if "${%s}" % key in node}
        return {"Fn::Sub": [node, used]} if used else node
    return node


def _rewrite_references(node: Any, types: dict[str, str]) -> Any:
    if isinstance(node, list):
        return [_rewrite_references(item, types) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        (key, arg), = node.items()
        if key == "Ref" and isinstance(arg, str):
            return _moto_ref(arg, types)
        if key == "Fn::GetAtt":
            logical_id, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
            if types.get(logical_id) in KNOWN_MOTO_SKIPS:
                return f"{SKIPPED_PLACEHOLDER}{logical_id}.{attribute}"
            return node
        if key == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else arg
            text = re.sub(r"\$\{([^!}][^}]*)\}",
                          lambda m: _moto_sub_variable(m.group(1), variables, types), text)
            return {"Fn::Sub": text if isinstance(arg, str)
                    else [text, _rewrite_references(variables, types)]}
    return {key: _rewrite_references(value, types) for key, value in node.items()}


def _moto_ref(logical_id: str, types: dict[str, str]) -> Any:
    if types.get(logical_id) in REF_AS_ATTRIBUTE:
        return {"Fn::GetAtt": [logical_id, REF_AS_ATTRIBUTE[types[logical_id]]]}
    if types.get(logical_id) in KNOWN_MOTO_SKIPS:
        return SKIPPED_PLACEHOLDER + logical_id
    return {"Ref": logical_id}


def _moto_sub_variable(name: str, variables: dict, types: dict[str, str]) -> str:
    logical_id = name.split(".", 1)[0]
    if name in variables or logical_id not in types:
        return "${%s}" % name
    if types[logical_id] in KNOWN_MOTO_SKIPS:
        return SKIPPED_PLACEHOLDER + name
    if "." not in name and types[logical_id] in REF_AS_ATTRIBUTE:
        return "${%s.%s}" % (name, REF_AS_ATTRIBUTE[types[logical_id]])
    return "${%s}" % name
