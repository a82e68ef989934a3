"""A rule module whose only rule reuses an ID (for the registry test)."""

from generator.rules.base import SpecRule


class Duplicate(SpecRule):
    id = "SVC1101"
    concern = "queue"
    summary = rationale = source = "duplicate"
