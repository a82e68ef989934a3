"""Rule classes with stable IDs (base.py) and the registry that collects them (registry.py)."""
