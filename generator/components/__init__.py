"""One module per concern; each owns its resources, outputs and the IAM it needs."""
