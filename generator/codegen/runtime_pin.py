"""The runtime library the generated code is written for, and each service's requirements.txt.

The generated plumbing imports `svcgen_runtime` (runtime/ in this repository, distribution
`svcgen-runtime`), and each service's requirements.txt pins exactly this version: generated code
and runtime change together, so a service runs the runtime it was generated for and upgrading
svcgen then rebuilding raises the pin (an owned file) and nothing else. svcgen itself depends on
`svcgen-runtime==RUNTIME_VERSION` (pyproject.toml), so `svcgen invoke` and a service's tests run on
it in svcgen's environment. tests/unit/test_runtime_pin.py holds these equal to runtime/.
"""

from __future__ import annotations

RUNTIME_DISTRIBUTION = "svcgen-runtime"
RUNTIME_VERSION = "0.1.0"
# What else the generated code runs on: exactly the runtime's own requirements (runtime/pyproject.toml
# says why each, boto3 included), repeated because the generated plumbing imports them directly
# too (Powertools' Logger, Tracer and batch utilities, pydantic models), and a service's package
# must hold them whichever way it is installed.
RUNTIME_REQUIREMENTS = (
    "aws-lambda-powertools[tracer]==3.37.0",
    "pydantic>=2.13,<3",
    "boto3>=1.34",
)

# Wheels for the functions' machine: arm64 Linux (concerns/function/render.py `Architectures`).
LAMBDA_PLATFORM = "manylinux2014_aarch64"


def requirements() -> list[str]:
    """The lines of a service's requirements.txt, the runtime first."""
    return [f"{RUNTIME_DISTRIBUTION}=={RUNTIME_VERSION}", *RUNTIME_REQUIREMENTS]


def install_command(lambda_runtime: str) -> str:
    """How to install the requirements into a code package for Lambda (`python3.12` -> wheels
    for CPython 3.12 on arm64 Linux, never built on the developer's machine)."""
    version = lambda_runtime.removeprefix("python")
    return (f"pip install -r requirements.txt --target <package dir> --implementation cp "
            f"--python-version {version} --platform {LAMBDA_PLATFORM} --only-binary=:all:")
