"""Who is alerted, and the thresholds the platform may tune."""

from __future__ import annotations

from generator.concerns.alarms import defaults


def service_fields(given) -> dict:
    configured = given.platform.defaults.alarms.queue_age_seconds
    return {"alert_emails": tuple(given.spec.alerts.email),
            "queue_age_alarm_seconds": configured or defaults.QUEUE_AGE_ALARM_SECONDS}
