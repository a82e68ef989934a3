"""The http concern."""
