"""Which field names are masked in a service's logs.

The platform team owns the list (platform.yaml `logging.sensitive_fields`); where a platform sets
none, svcgen's default below applies. Each contract adds the fields it marks `sensitive: true`.
Names match whole keys, case-insensitively, `-` and `_` alike (runtime/masking.py), so `name`
masks a `name` key and not `service_name`.
"""

from __future__ import annotations

from typing import Iterable

# The default list, in one place: personal data (GDPR special care for identity and contact
# data) and payment secrets (PCI DSS: card number, CVV, PIN) that a banking service may receive.
DEFAULT_SENSITIVE_FIELDS = (
    "account_number", "address", "authorization", "card_number", "cvv", "date_of_birth", "email",
    "iban", "name", "passport_number", "password", "phone", "pin", "secret", "ssn", "tax_id",
)


def platform_fields(platform) -> tuple[str, ...]:
    """The platform's list (platform.yaml `logging.sensitive_fields`), or the default."""
    fields = platform.logging.sensitive_fields
    return tuple(fields) if fields is not None else DEFAULT_SENSITIVE_FIELDS


def sensitive_fields(platform, contract_fields: Iterable[str]) -> list[str]:
    """Sorted, normalized like the runtime does, so the generated list is stable."""
    names = {_normalize(n) for n in platform_fields(platform)} | {_normalize(n) for n in contract_fields}
    return sorted(names)


def _normalize(name: str) -> str:
    return name.lower().replace("-", "_")
