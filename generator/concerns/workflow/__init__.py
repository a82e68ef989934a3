"""The workflow concern."""
