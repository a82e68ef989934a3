"""`schedule:` on a function: EventBridge Scheduler invokes it on a rate, cron or one-time (`at`)
expression. The first concern built as a plugin (generator/concerns/registry.py): its spec
fragment, resolution, rendering, codegen kind and rules all live in this folder.
"""
