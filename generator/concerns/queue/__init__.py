"""The queue concern."""
