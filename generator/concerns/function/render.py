"""A Lambda function: its own log group, explicit limits, tracing, JSON logs, Powertools settings.

Code comes from the platform's artifacts bucket; the object key is a stack parameter so the same
template deploys any build of the code (the deployer uploads the package, then passes its key).
"""

from __future__ import annotations

from troposphere import GetAtt, ImportValue, Parameter, Ref
from troposphere.awslambda import Code, Environment, Function, LoggingConfig, TracingConfig

from generator import function_env
from generator.concerns.encryption import render as encryption
from generator.concerns.events.render import environment as publishing_environment
from generator.concerns.function import defaults
from generator.render_context import RenderContext, arn
from generator.resolve import ResolvedFunction
from generator.scan_skips import skip_checks

CODE_KEY_PARAMETER = "CodeKey"


def render_parameters(ctx: RenderContext) -> None:
    ctx.template.add_parameter(Parameter(
        CODE_KEY_PARAMETER,
        Type="String",
        Description="S3 key of this build's code package in the platform artifacts bucket",
        AllowedPattern=r"^[A-Za-z0-9!_.*'()/-]+\.zip$",
        ConstraintDescription="an S3 object key ending in .zip",
    ))


def render(ctx: RenderContext) -> None:
    """The code-key parameter and every function of the spec, each with the publishing
    environment the events concern gives it."""
    render_parameters(ctx)
    for fn in ctx.svc.functions:
        render_function(ctx, fn, publishing_environment(ctx, fn))


def render_function(ctx: RenderContext, fn: ResolvedFunction, extra_environment: dict) -> None:
    origin = ("functions", fn.key)
    log_group = encryption.log_group(ctx, f"{fn.logical_id}LogGroup", fn.log_group_name, origin)
    # The spec may override svcgen's defaults but no name svcgen derives (SVC1002, SVC1020).
    environment = {
        function_env.LOG_LEVEL: defaults.POWERTOOLS_LOG_LEVEL,
        function_env.TRACER_CAPTURE_RESPONSE: defaults.TRACER_CAPTURE_RESPONSE,
        **dict(fn.environment),
        function_env.SERVICE_NAME: ctx.svc.service,
        function_env.METRICS_NAMESPACE: ctx.svc.org,
        function_env.STAGE: ctx.svc.stage.name,
        **extra_environment,
    }
    properties = dict(
        FunctionName=fn.name,
        Description=fn.description,
        Handler=fn.entry,
        Runtime=fn.runtime,
        Architectures=["arm64"],
        Timeout=fn.timeout,
        MemorySize=fn.memory,
        Role=GetAtt(f"{fn.logical_id}Role", "Arn"),
        Code=Code(S3Bucket=ImportValue(ctx.svc.platform_names.artifacts_bucket_export),
                  S3Key=Ref(CODE_KEY_PARAMETER)),
        Environment=Environment(Variables=dict(sorted(environment.items()))),
        TracingConfig=TracingConfig(Mode="Active"),
        LoggingConfig=LoggingConfig(LogFormat="JSON", LogGroup=Ref(log_group),
                                     ApplicationLogLevel="INFO", SystemLogLevel="WARN"),
    )
    if fn.reserved_concurrency is not None:
        properties["ReservedConcurrentExecutions"] = fn.reserved_concurrency
    accepted = [defaults.CHECKOV_NO_VPC, defaults.CHECKOV_ENVIRONMENT_KEY, defaults.CHECKOV_DIRECT_NO_DLQ]
    if fn.reserved_concurrency is None:
        accepted.append(defaults.CHECKOV_NO_RESERVED_CONCURRENCY)
    ctx.add(skip_checks(Function(fn.logical_id, **properties), dict(accepted)), origin)
    # Write only to its own log group (cdk-nag IAM5: no logs:* on *).
    ctx.grant(fn.key, ["logs:CreateLogStream", "logs:PutLogEvents"],
              [arn("logs", f"log-group:{fn.log_group_name}:*")], sid="OwnLogGroup")
    # X-Ray has no resource-level permissions: "*" is the only possible resource here.
    ctx.grant(fn.key, ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], ["*"], sid="Tracing")
    ctx.export(f"{fn.key}-function-arn", GetAtt(fn.logical_id, "Arn"), f"ARN of function {fn.key}")


def add_environment(ctx: RenderContext, fn: ResolvedFunction, variables: dict) -> None:
    """Give an already rendered function more environment, for components rendered after the
    functions (e.g. the event store's table name for functions with `store_access`). svcgen's
    values win: they name resources of this stack."""
    rendered = ctx.template.resources[fn.logical_id]
    if not isinstance(rendered, Function):  # its logical ID was taken first: a collision SVC3001 reports
        return
    merged = {**rendered.Environment.Variables, **variables}
    rendered.Environment = Environment(Variables=dict(sorted(merged.items())))


def invoked(ctx: RenderContext, fn: ResolvedFunction, no_dlq: tuple[str, str]) -> None:
    """The concern that wires `fn`'s invoker says why the function has no DLQ of its own
    (checkov CKV_AWS_116): replaces the reason the function was rendered with."""
    rendered = ctx.template.resources.get(fn.logical_id)
    if isinstance(rendered, Function):  # else its logical ID was taken first: SVC3001 reports it
        skip_checks(rendered, dict([no_dlq]))
