"""Deploying what `svcgen build` wrote: code packages, change sets in dependency order, diff,
teardown and prune (docs/deploy.md).

The modules, from the bottom up: `package` and `deps` (deterministic zips of a service's code and
its dependencies), `plan` (what each stack needs: order, hashes, tags, the skip rule), `events`
(reading CloudFormation's stack events), `target` (every CloudFormation and S3 call, and the
throttling-tolerant polling), `moto_target` (what a moto endpoint does differently), `engine`
(deploying the plans in parallel), `diff`, `teardown`, `prune`, `report` (progress lines) and
`commands` (the CLI's commands).
"""
