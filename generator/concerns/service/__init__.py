"""The service concern."""
