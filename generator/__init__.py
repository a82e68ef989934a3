"""svcgen: serverless services on AWS from one YAML spec."""
