"""The event store concern."""
