"""What `svcgen check` reports: every finding with the service it is about and, when the
platform team waived it, the waiver that did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.errors import SpecError


@dataclass(frozen=True)
class CheckFinding:
    service: str  # the service the finding is about; "" for platform.yaml or the waivers file
    error: SpecError  # where (file:line:col, key path), what (message, hint), rule ID and severity
    waiver: Any = None  # the waivers.Waiver that accepts it, or None

    @property
    def blocking(self) -> bool:
        """An error nobody waived fails `svcgen check` (exit 1)."""
        return self.error.severity == "error" and self.waiver is None
