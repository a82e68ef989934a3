"""The function concern as registered in generator/concerns/registry.py: a function's own
settings, and the codegen kind `direct` of a function no other concern invokes."""

from __future__ import annotations

from generator.concerns.concern import Concern
from generator.concerns.function.spec import FunctionFragment


class FunctionConcern(Concern):
    name = "function"
    function_fragment = FunctionFragment
    rules_modules = ("generator.concerns.function.rules",)
    resolve_module = "generator.concerns.function.resolve"
    render_module = "generator.concerns.function.render"
    # The fallback kind (registry.trigger_of): invoked by hand or by something svcgen does not know.
    kind = "direct"
    fallback = True

    def invoke_request(self, fn, event, sample):
        origin = ", event from the file" if event is not None else ", event {}"
        return {"event": {} if event is None else event, "recipe": None}, "direct invocation" + origin
