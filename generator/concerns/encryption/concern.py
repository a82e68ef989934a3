"""The encryption concern as registered in generator/concerns/registry.py: the service's KMS key, which
queues and topics use."""

from __future__ import annotations

from generator.concerns.concern import Concern


class EncryptionConcern(Concern):
    name = "encryption"
    render_module = "generator.concerns.encryption.render"
