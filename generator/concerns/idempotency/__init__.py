"""The idempotency concern."""
