"""The alarms concern as registered in generator/concerns/registry.py: the alerts topic and the alarms
on everything that can fail quietly."""

from __future__ import annotations

from generator.concerns.concern import Concern


class AlarmsConcern(Concern):
    name = "alarms"
    resolve_module = "generator.concerns.alarms.resolve"
    render_module = "generator.concerns.alarms.render"
