"""Lint a rendered template in-process: cfn-lint, its informational rules, cfn-lint-serverless,
and svcgen's suppression policy.

Why a `Linter` object: loading cfn-lint's ~350 rules plus the serverless pack takes about half a
second, linting one template about a third. So the rules and the configuration are built once
and reused for every template (`cfnlint.api.lint` would rebuild a `Runner`, and reload every
rule, on each call unless it is handed the legacy `RulesCollection`).

Why svcgen checks suppressions itself: cfn-lint honours `Metadata.cfn-lint.config.ignore_checks`
on a resource silently. svcgen allows such a suppression only with a written reason next to it,
in `Metadata.svcgen.accepted_findings.<ID>`, and allows no global one at all:

  SVC0001  a resource ignores a rule without a non-empty reason
  SVC0002  the template carries a top-level `Metadata.cfn-lint.config` (global ignores or any
           other lint setting); it is reported and removed, so it changes nothing
  SVC0003  a resource ignores something that is not a rule ID; cfn-lint compares resource-level
           ignores exactly (no prefixes), so such an entry suppresses nothing

A `Linter` is not thread-safe: cfn-lint keeps per-template state in its config and rules. Use
one per process (or thread).
"""

from __future__ import annotations

import os
from typing import Any, Iterator, Sequence

from cfnlint.api import run_template_by_data
from cfnlint.config import ConfigMixIn
from cfnlint.decode import decode_str
from cfnlint.helpers import REGIONS
from cfnlint.rules import Match, Rules

from generator.findings import Finding

# The pack's rule files use relative imports, so cfn-lint must import it as a module; loading
# its rules directory as loose files would fail.
SERVERLESS_RULES = "cfn_lint_serverless.rules"

REASONS_KEY = "svcgen"  # Metadata.svcgen.accepted_findings.<rule ID>: "why this is fine"


class Linter:
    """cfn-lint with informational rules on and the cfn-lint-serverless pack, built once."""

    def __init__(self, regions: Sequence[str] = ("eu-west-1",), fast: bool = True) -> None:
        """`fast`: with lint_speedups.py (same findings, a fraction of the time); plain cfn-lint
        is for the test that proves they are the same, and must run in a process of its own,
        since the speed-ups patch cfn-lint for the whole process."""
        # Fail now rather than on the first template; and never let cfn-lint fall back to
        # $AWS_REGION, which would make the result depend on the shell.
        unknown = sorted(set(regions) - set(REGIONS))
        if not regions or unknown:
            raise ValueError(f"lint regions must be known AWS regions, got {list(regions)!r}")
        self._config = ConfigMixIn(
            [],  # no command-line arguments
            include_checks=["I"],  # W and E are always on; I must be asked for
            regions=list(regions),
            append_rules=[SERVERLESS_RULES],
            # An absent file: a .cfnlintrc in the user's home or the working directory would
            # otherwise be read, i.e. a silent global ignore list that svcgen does not allow.
            config_file=os.devnull,
        )
        # The same sources, in the same way, as cfn-lint's own CLI (Runner._get_rules):
        # cfn-lint's rules directory first, then each appended module. A duplicate rule ID raises.
        self._rules = Rules()
        for source in self._config.append_rules:
            if os.path.isdir(source):
                self._rules.update(Rules.create_from_directory(source))
            else:
                self._rules.update(Rules.create_from_module(source))
        if fast:
            from generator.lint_speedups import install

            install(self._rules)

    def lint(self, template_text: str, filename: str) -> list[Finding]:
        """All findings for one template, sorted (by rule, severity, resource, path, line).

        `filename` is deliberately not passed to cfn-lint: its size rules (E1002/I1002) stat that
        path on disk, which for a file not yet written, or an older version of it, would measure
        the wrong bytes. The text is the only input, so the result depends on nothing else.
        """
        template, errors = decode_str(template_text)
        if errors:
            # Unparseable: cfn-lint reports E0000 and nothing else can be checked.
            return sorted({_from_match(m) for m in errors})
        findings = set(self._policy_findings(template))
        _drop_template_config(template)
        findings.update(_from_match(m) for m in run_template_by_data(template, self._config, self._rules))
        return sorted(findings)

    def _policy_findings(self, template: Any) -> Iterator[Finding]:
        config = _get(template, "Metadata", "cfn-lint", "config")
        for key in config:
            yield Finding(
                "SVC0002", "error", "", f"Metadata/cfn-lint/config/{key}", _line(key),
                f"template-level cfn-lint config '{key}' is not allowed: svcgen owns the lint "
                "settings and lints as if it were absent; accept a finding on its resource with "
                f"Metadata.{REASONS_KEY}.accepted_findings.<ID>: <reason>",
            )
        for name, resource in _get(template, "Resources").items():
            yield from self._resource_findings(str(name), resource)

    def _resource_findings(self, name: str, resource: Any) -> Iterator[Finding]:
        config = _get(resource, "Metadata", "cfn-lint", "config")
        if "ignore_checks" not in config:
            return
        ignores = config["ignore_checks"]
        reasons = _get(resource, "Metadata", REASONS_KEY, "accepted_findings")
        base = f"Resources/{name}/Metadata/cfn-lint/config/ignore_checks"
        if not isinstance(ignores, list):
            # cfn-lint would iterate a string character by character and suppress nothing.
            yield Finding("SVC0001", "error", name, base, _line(ignores),
                          "ignore_checks must be a list of rule IDs")
            return
        for index, rule_id in enumerate(ignores):
            where = (name, f"{base}/{index}", _line(rule_id))
            if not isinstance(rule_id, str) or rule_id not in self._rules:
                yield Finding("SVC0003", "error", *where,
                              f"ignore_checks entry {rule_id!r} is not a rule ID, so it suppresses "
                              "nothing (resource-level ignores match exact IDs only)")
                continue
            reason = reasons.get(rule_id)
            if not isinstance(reason, str) or not reason.strip():
                yield Finding("SVC0001", "error", *where,
                              f"{rule_id} is suppressed without a reason: add "
                              f"Metadata.{REASONS_KEY}.accepted_findings.{rule_id}: <why it is fine>")


def _from_match(match: Match) -> Finding:
    path = list(getattr(match, "path", None) or [])
    resource = str(path[1]) if len(path) >= 2 and path[0] == "Resources" else ""
    return Finding(match.rule.id, match.rule.severity, resource, "/".join(map(str, path)),
                   match.linenumber, match.message)


def _drop_template_config(template: Any) -> None:
    """Remove top-level Metadata.cfn-lint.config (already reported as SVC0002).

    cfn-lint would otherwise apply it to the whole template (ignore_checks, regions,
    configure_rules ...), silently weakening the lint that svcgen configures.
    """
    cfn_lint = _get(template, "Metadata", "cfn-lint")
    cfn_lint.pop("config", None)


def _get(node: Any, *keys: str) -> dict:
    """`node[k1][k2]...` if every step is a mapping, else an empty dict (templates are untrusted)."""
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _line(node: Any) -> int:
    """1-based line of a decoded template node (cfn-lint's decoder records where each one starts)."""
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else 1
