"""Code that runs in each service's Lambda functions, not in svcgen.

codegen copies these modules into every service's code package as `plumbing/runtime/`, so they
never import `generator`; they use the Lambda Python runtime, boto3, pydantic and Powertools
(which the service's package bundles).
"""
