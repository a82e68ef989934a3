"""The service concern as registered in generator/concerns/registry.py: rules over the whole service:
its name, physical names across the fleet, CloudFormation's limits."""

from __future__ import annotations

from generator.concerns.concern import Concern


class ServiceConcern(Concern):
    name = "service"
    rules_modules = ("generator.concerns.service.rules", "generator.concerns.service.names",
                     "generator.concerns.service.limits", "generator.concerns.service.checkov_rules")
