"""svcgen's runtime: the code that runs in every svcgen service's Lambda functions.

The code svcgen generates (a service's `plumbing/`) imports these modules, and each service pins
this library in its generated `requirements.txt`, so a service's package bundles it from there
rather than a copy of every module. Nothing here imports svcgen (`generator`): it runs in Lambda,
with Powertools, pydantic and boto3, which this distribution requires.

`__version__` is the one place the version is written: the distribution's pyproject reads it
(setuptools dynamic version), and svcgen's `generator/codegen/runtime_pin.py` names the version it
generates code for, tested equal to it.
"""

__version__ = "0.1.0"
