"""The alarms concern."""
