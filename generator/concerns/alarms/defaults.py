"""Built-in defaults of alarms, each with its reason and source.

`platform.yaml` may override some under `defaults:`; a spec may override per function or queue.
The order is always: spec value, then platform default, then the value here.
"""

from __future__ import annotations

# Alarm on the age of the oldest message: a stuck consumer shows here before the DLQ fills.
QUEUE_AGE_ALARM_SECONDS = 300
ALARM_PERIOD_SECONDS = 60
