"""The fleet as data: per-service manifests, and the views built on them (graph, inventory, catalog)."""
