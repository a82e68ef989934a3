"""The HTTP concern as registered in generator/concerns/registry.py: `http:` makes a function an
API Gateway HTTP API resolver (codegen kind `http`)."""

from __future__ import annotations

from typing import Any

from generator.concerns.concern import Concern
from generator.concerns.http.spec import HttpFragment


class HttpConcern(Concern):
    name = "http"
    function_fragment = HttpFragment
    rules_modules = ("generator.concerns.http.rules",)
    resolve_module = "generator.concerns.http.resolve"
    render_module = "generator.concerns.http.render"
    kind = "http"
    trigger_words = "http"
    described_as = "an HTTP route"
    test_helpers = ("http_event", "lambda_context")

    def trigger(self, spec, key: str) -> bool:
        return spec.functions[key].http is not None

    def test_context(self, plan) -> dict[str, Any]:
        return {"method": _method(plan.route.method), "path_parameters": {p: f"{p}-1" for p in plan.route.params}}

    def invoke_request(self, fn, event, sample):
        """An HTTP API event: the file's whole event, or the route called with the file as its body."""
        if isinstance(event, dict) and ("requestContext" in event or "routeKey" in event):
            return {"event": event, "recipe": None}, "HTTP API event from the file"
        method = _method(fn.http.method)
        params = {p.strip("{}+"): f"{p.strip('{}+')}-1" for p in fn.http.path.split("/") if p.startswith("{")}
        body = event if event is not None else ({} if method in ("POST", "PUT", "PATCH") else None)
        request = {"event": body, "recipe": "http", "method": method, "route": fn.http.path, "path_parameters": params}
        origin = ", body from the file" if event is not None else ""
        return request, f"{method} {fn.http.path}{origin}"


def _method(method: str) -> str:
    """The method a test or a local call uses: `ANY` routes are called with GET."""
    return "GET" if method == "ANY" else method
