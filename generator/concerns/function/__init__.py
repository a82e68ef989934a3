"""The function concern."""
