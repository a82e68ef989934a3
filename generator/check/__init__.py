"""`svcgen check`: every rule over the whole fleet, platform rules from platform.yaml, waivers
from the platform team's waivers file, findings as text, JSON, SARIF or JUnit."""
