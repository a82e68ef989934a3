"""The encryption concern."""
