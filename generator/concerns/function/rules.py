"""Rules of a function itself: its name, handler, environment and trigger."""

from __future__ import annotations

import keyword

from generator import function_env
from generator.codegen.functions import SUPPORT_MODULES, handler_target, snake
from generator.concerns import registry as concerns
from generator.naming import logical
from generator.rules.base import DESIGN_NOTES, SpecRule

LAMBDA_ENV = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html"

# Set by svcgen or reserved by Lambda itself: a spec must not override them.
RESERVED_ENV_PREFIXES = ("AWS_", "LAMBDA_", "_")
RESERVED_ENV = tuple(function_env.RESERVED)
# Functions svcgen adds to a service itself; a spec function of the same name would collide.
RESERVED_FUNCTIONS = ("store-publisher",)


def triggers(spec, name: str) -> list[str]:
    """What invokes a function, in the registry's words: `subscribe`, `http`, `a workflow step`,
    `a schedule` … (generator/concerns/registry.py)."""
    return [c.trigger_words for c in concerns.triggers() if c.trigger(spec, name)]


class LogicalIdsDiffer(SpecRule):
    id = "SVC1001"
    concern = "function"
    summary = "function names differ in more than their dashes"
    rationale = "function names become CloudFormation logical IDs, which keep only letters and digits"
    source = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html"

    def check(self, ctx):
        seen: dict[str, str] = {}
        for fn_name in ctx.spec.functions:
            base = logical(fn_name)
            if base in seen:
                yield self.error(ctx.doc, ("functions", fn_name),
                                 f"function names must differ in more than their dashes, got {fn_name!r} and "
                                 f"{seen[base]!r}, which both become resource names starting {base!r}",
                                 "rename one of them")
            seen.setdefault(base, fn_name)


class EnvironmentNotReserved(SpecRule):
    id = "SVC1002"
    concern = "function"
    summary = "a function's environment does not set names Lambda reserves or svcgen sets itself"
    rationale = "Lambda refuses reserved names; a name svcgen sets would be silently replaced"
    source = LAMBDA_ENV

    def check(self, ctx):
        for fn_name, fn in ctx.spec.functions.items():
            for key in fn.environment:
                prefix = next((p for p in RESERVED_ENV_PREFIXES if key.startswith(p)), None)
                if prefix is None and key not in RESERVED_ENV:
                    continue
                why = (f"names starting with {prefix} are reserved by Lambda" if prefix
                       else f"svcgen sets {key} itself, to {function_env.RESERVED[key]}")
                yield self.error(ctx.doc, ("functions", fn_name, "environment", key),
                                 f"environment variable names must not be reserved, got {key!r}", f"{why}; rename it")


class PythonNamesNotKeywords(SpecRule):
    id = "SVC1003"
    concern = "function"
    summary = "function names and handler paths are not Python keywords"
    rationale = "a function's code is the module plumbing/<function>.py and its handler is imported: a keyword there "\
                "(`class`, `import`, `None`) generates code that does not parse"
    source = "https://docs.python.org/3/reference/lexical_analysis.html#keywords"

    def check(self, ctx):
        for fn_name, fn in ctx.spec.functions.items():
            if keyword.iskeyword(fn_name):  # kebab-case names with a `-` are never keywords
                yield self.error(ctx.doc, ("functions", fn_name),
                                 f"function names must not be a Python keyword, got {fn_name!r}",
                                 f"its code is the module plumbing/{fn_name}.py, which Python cannot import; rename it")
            bad = [part for part in (fn.handler or "").split(".") if keyword.iskeyword(part)]
            if bad:
                yield self.error(ctx.doc, ("functions", fn_name, "handler"),
                                 f"handlers must not contain a Python keyword, got {bad[0]!r} in {fn.handler!r}",
                                 "Python cannot import it; rename the module or function")


class FunctionNameNotReserved(SpecRule):
    id = "SVC1004"
    concern = "function"
    summary = "function names are not those of functions svcgen adds itself"
    rationale = "svcgen adds e.g. the event store's publisher: a spec function of the same name would collide"
    source = DESIGN_NOTES

    def check(self, ctx):
        for name in ctx.spec.functions:
            if name in RESERVED_FUNCTIONS:
                yield self.error(ctx.doc, ("functions", name),
                                 f"function names must not be one svcgen adds itself, got {name!r}", "rename it")


class OneTrigger(SpecRule):
    id = "SVC1005"
    concern = "function"
    summary = "a function has one trigger: subscriptions, an HTTP route, or being a workflow step"
    rationale = "each trigger gets a different generated entry (batch consumer, HTTP resolver, task); one "\
                "function cannot be two of them"
    source = DESIGN_NOTES

    def check(self, ctx):
        for name in ctx.spec.functions:
            kinds = triggers(ctx.spec, name)
            if len(kinds) > 1:
                yield self.error(ctx.doc, ("functions", name), f"a function has one trigger, got {' and '.join(kinds)}",
                                 "split it into one function per trigger")


class HandlerModuleOwn(SpecRule):
    id = "SVC1006"
    concern = "function"
    summary = "each function has its own handler module, outside plumbing/, not named like svcgen's modules"
    rationale = "svcgen writes plumbing/ itself and one handler module per function: a clash overwrites code"
    source = DESIGN_NOTES

    def check(self, ctx):
        modules: dict[str, str] = {}
        for name, fn in ctx.spec.functions.items():
            path = ("functions", name)
            module, _ = handler_target(fn.handler or f"handlers.{snake(name)}.handle")
            if snake(name) in SUPPORT_MODULES:
                yield self.error(ctx.doc, path, f"would overwrite svcgen's plumbing/{snake(name)}.py, got function "
                                 f"name {name!r}", f"rename the function (reserved: {', '.join(sorted(SUPPORT_MODULES))})")
            if module.split(".")[0] == "plumbing":
                yield self.error(ctx.doc, path + ("handler",),
                                 f"must not be inside plumbing/ (svcgen regenerates it), got {module!r}",
                                 "use handlers.<module>.<function>")
            elif module in modules:
                yield self.error(ctx.doc, path + ("handler",), f"each function has its own handler module, got "
                                 f"{module!r} also used by {modules[module]!r}", "svcgen creates one module per function")
            modules.setdefault(module, name)


class EnvironmentNotDerived(SpecRule):
    id = "SVC1020"
    concern = "function"
    summary = "a function's environment does not set a name svcgen derives for that function " \
              "(`WORKFLOW_<WORKFLOW>_ARN` for `starts`, `<PAUSE>_QUEUE_URL` for a reviewer)"
    rationale = "svcgen sets these itself and its value wins: the spec's value would be silently replaced, and " \
                "code reading it would get svcgen's ARN or URL instead"
    source = LAMBDA_ENV

    def check(self, ctx):
        for fn_name, fn in ctx.spec.functions.items():
            derived = function_env.derived(ctx.spec, ctx.platform, fn_name)
            for key in fn.environment:
                if key in derived and key not in RESERVED_ENV:  # SVC1002 reports the reserved ones
                    yield self.error(ctx.doc, ("functions", fn_name, "environment", key),
                                     f"must not be a name svcgen sets on this function, got {key!r}, which svcgen "
                                     f"sets to {derived[key]}", "rename it")
