"""Your code: one module per function, created once by svcgen and never changed by it."""
