"""The subscription concern."""
