"""Rules of a service as a whole: its runtime, its name, and the fleet's shared budgets."""

from __future__ import annotations

from generator.concerns.service import defaults
from generator.rules.base import DESIGN_NOTES, FleetRule, SpecRule

LAMBDA_RUNTIMES = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"


class RuntimeAllowed(SpecRule):
    id = "SVC1901"
    concern = "service"
    summary = "the runtime is one of the platform's runtimes (allowed or deprecated)"
    rationale = "the platform team supports, patches and scans only the runtimes it lists"
    source = LAMBDA_RUNTIMES

    def check(self, ctx):
        runtime, runtimes = ctx.spec.runtime, ctx.platform.runtimes
        if runtime is not None and runtime not in runtimes.allowed + runtimes.deprecated:
            hint = f"allowed: {', '.join(runtimes.allowed)}"  # no "did you mean": every version is a close match
            hint += f"; deprecated but accepted: {', '.join(runtimes.deprecated)}" if runtimes.deprecated else ""
            yield self.error(ctx.doc, ("runtime",), f"must be one of the platform's runtimes, got {runtime!r}", hint)


class RuntimeNotDeprecated(SpecRule):
    id = "SVC1902"
    concern = "service"
    severity = "warning"
    summary = "the runtime is not one the platform deprecated"
    rationale = "deprecated runtimes stop receiving security patches; Lambda later blocks updates to them"
    source = LAMBDA_RUNTIMES

    def check(self, ctx):
        if ctx.spec.runtime is not None and ctx.spec.runtime in ctx.platform.runtimes.deprecated:
            sunset = ctx.platform.runtimes.sunset_of(ctx.spec.runtime)
            until = f" (its sunset: {sunset.isoformat()}; from the day after, `svcgen check` fails)" if sunset else ""
            yield self.error(ctx.doc, ("runtime",), f"runtime {ctx.spec.runtime!r} is deprecated by the platform{until}",
                             f"move to one of: {', '.join(ctx.platform.runtimes.allowed)}")


class ServiceNamesUnique(FleetRule):
    id = "SVC2901"
    concern = "service"
    summary = "service names are unique in a build"
    rationale = "the service name is part of every stack, resource and export name"
    source = DESIGN_NOTES

    def check(self, fleet):
        first: dict[str, str] = {}
        for item in fleet.services:
            name = item.spec.service
            if name in first:
                yield self.error(item.doc, ("service",), f"service names must be unique in a build, got {name!r}, "
                                 f"already defined in {first[name]}", "each service has exactly one spec")
            first.setdefault(name, item.doc.file)


class ReservedConcurrencyFitsAccount(FleetRule):
    id = "SVC2902"
    concern = "service"
    summary = "reserved concurrency across the fleet leaves the 100 that AWS keeps unreserved"
    rationale = "Lambda refuses a reservation that would leave fewer than 100 unreserved; the deploy of "\
                "whichever service comes last fails"
    source = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"

    def check(self, fleet):
        platform = fleet.platform
        budget = platform.lambda_.account_concurrency_limit - defaults.UNRESERVED_CONCURRENCY_MINIMUM
        reserved = [(item, fn_name, fn.reserved_concurrency) for item in fleet.services
                    for fn_name, fn in item.spec.functions.items() if fn.reserved_concurrency]
        total = sum(r for _, _, r in reserved)
        if total > budget:
            detail = ", ".join(f"{item.spec.service}.{fn}={r}" for item, fn, r in reserved)
            yield self.error(
                fleet.platform_doc, ("lambda", "account_concurrency_limit"),
                f"reserved concurrency across the fleet must be ≤ {budget} (this limit − "
                f"{defaults.UNRESERVED_CONCURRENCY_MINIMUM} that AWS keeps unreserved), got {total} ({detail})",
                "lower `reserved_concurrency` in the specs, or raise the account's Lambda concurrency quota")
