"""Code that runs in each service's Lambda functions, not in svcgen.

Modules here are copied into every service's code package as `svcgen_runtime`, so they depend
only on the Lambda Python runtime (standard library + boto3) and never import `generator`.
"""
