"""The local AWS of `svcgen local up` (moto's server mode on 127.0.0.1) and what makes svcgen's
templates deployable on it: compat.py (the moto target's template transform), server.py (starting,
finding and stopping the server), commands.py (`svcgen local up|down|status`)."""

DEFAULT_PORT = 5050  # `svcgen local up`'s port on 127.0.0.1; here so that `--help` need not import server.py
