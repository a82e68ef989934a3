"""One package per concern (function, queue, subscription, event store, workflow, http ...).

Each owns what is specific to it: its rules (classes with stable IDs, see generator/rules/), and
as the code moves here, its resolution, its rendering and its code-generation hook.
"""
