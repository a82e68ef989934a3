"""Built-in defaults of a service's share of the account, each with its reason and source.

`platform.yaml` may override some under `defaults:`; a spec may override per function or queue.
The order is always: spec value, then platform default, then the value here.
"""

from __future__ import annotations

# AWS keeps 100 of the account's concurrency unreserved (Lambda quotas): reserved concurrency
# across the fleet must leave it.
UNRESERVED_CONCURRENCY_MINIMUM = 100
