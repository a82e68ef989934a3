"""The events concern."""
