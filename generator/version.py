"""svcgen's own version, as installed: said once for `--version`, SARIF, manifests and stack tags."""

from __future__ import annotations


def svcgen_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("svcgen")
    except PackageNotFoundError:  # a source tree never installed; "unknown" is also a valid AWS tag value
        return "unknown"
