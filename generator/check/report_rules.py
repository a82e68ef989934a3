"""The rule a report names for findings that no rule class made: errors of the YAML itself or of
a file's shape (its schema), which carry the rule ID "" (generator.errors.SpecError). SARIF needs a
rule for every result and JUnit a name for every test case, so they are reported as SVC0000,
with `svcgen rules SVC0000` to explain them like any other rule."""

from __future__ import annotations

from generator.rules.base import Rule

SCHEMA_RULE = "SVC0000"


class ValidFile(Rule):
    """Checked by loading the file (spec.load, spec.validate); `check` is not used."""

    id = SCHEMA_RULE
    kind = "schema"
    waivable = False  # nothing can be checked, or accepted, in a file that cannot be read
    prefix = "SVC0"
    concern = "spec"
    summary = "every file is valid YAML and matches its schema (a service spec, platform.yaml, the waivers file)"
    rationale = ("svcgen acts only on what it understands: a mistyped key, a value of the wrong type or broken "
                 "YAML would otherwise be ignored or misread, and the service would be built from something "
                 "other than what its authors wrote. These errors come from reading the file, before any other "
                 "rule runs, and no other rule judges a file that has them.")
    source = "docs/checks.md"


def rule_id(rule: str) -> str:
    """A finding's rule ID for a report: its own, or SVC0000 for errors of the YAML or schema."""
    return rule or SCHEMA_RULE
