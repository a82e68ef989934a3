"""One role per function, assembled from what the components declared that function needs.

No managed policies (cdk-nag IAM4), exact actions on exact resources; the only `*` resource is
X-Ray's, which has no resource-level permissions.
"""

from __future__ import annotations

from troposphere import Sub
from troposphere.iam import Policy, Role

from generator.render_context import Grant, RenderContext


def statement(grant: Grant) -> dict:
    result: dict = {"Effect": "Allow", "Action": sorted(grant.actions), "Resource": list(grant.resources)}
    if grant.sid:
        result["Sid"] = grant.sid
    if grant.condition:
        result["Condition"] = grant.condition
    return result


def render_roles(ctx: RenderContext) -> None:
    for fn in ctx.svc.functions:
        statements = [statement(g) for g in ctx.grants.get(fn.key, [])]
        ctx.add(Role(
            f"{fn.logical_id}Role",
            RoleName=fn.role_name,
            Description=f"Runs {fn.name}",
            AssumeRolePolicyDocument={
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    # Confused-deputy guard: only Lambda acting for this account.
                    "Condition": {"StringEquals": {"aws:SourceAccount": Sub("${AWS::AccountId}")}},
                }],
            },
            Policies=[Policy(PolicyName="least-privilege",
                             PolicyDocument={"Version": "2012-10-17", "Statement": statements})],
        ), ("functions", fn.key))
