"""A stand-in for the KYC partner's API (not a Lambda handler; check-kyc and purge-kyc-data use it).

Deterministic, like the partner's sandbox: the answer is a function of the application id alone,
so a retried step, a second execution for the same application and the tests all get the same
verdict. The partner is asked by application id only; no personal data leaves the bank here.
Sandbox rule: an application id ending in `-refer` is referred (high risk); any other is clear.
"""

import hashlib


def reference(application_id: str) -> str:
    """The partner's id of its check of this application (what it keeps, and what a purge deletes)."""
    return "kyc-" + hashlib.sha256(application_id.encode()).hexdigest()[:12]


def check(application_id: str) -> dict:
    referred = application_id.endswith("-refer")
    return {"reference": reference(application_id), "verdict": "refer" if referred else "clear",
            "risk": "high" if referred else "low"}


def purge(reference: str) -> bool:
    """Ask the partner to delete what it holds about a check; True once nothing is left (a purge
    of an unknown reference succeeds too, so the compensation can be repeated)."""
    return True
