"""The app's routes as the kernel tests see them: every APIRoute through included routers, with the policy
requirement it declares (``ipbureau.policy.requires``) and its parameters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute

# Routes outside the policy by nature: liveness, the API schema and its offline documentation.
OUTSIDE_POLICY = {"/healthz", "/api/openapi.json", "/api/docs", "/api/docs/oauth2-redirect"}


@dataclass(frozen=True)
class RouteCase:
    path: str
    method: str
    route: APIRoute
    requirement: tuple[str, str] | None  # (resource, action)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api")

    def url(self, value: str = "999999") -> str:
        return re.sub(r"\{[^}]+\}", value, self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _api_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:  # an included router (FastAPI keeps them as entries)
            context = getattr(route, "include_context", None)
            inner = prefix + (getattr(context, "prefix", "") or "")
            yield from _api_routes(list(original.routes) + list(getattr(original, "_low_priority_routes", [])), inner)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def requirement_of(route: APIRoute) -> tuple[str, str] | None:
    """The (resource, action) of the route's ``requires`` dependency, searched through its dependency tree."""
    found: list[tuple[str, str]] = []

    def walk(dependant: Any) -> None:
        call = getattr(dependant, "call", None)
        if call is not None and hasattr(call, "resource") and hasattr(call, "action"):
            found.append((call.resource, call.action))
        for sub in dependant.dependencies:
            walk(sub)

    walk(route.dependant)
    unique = sorted(set(found))
    if len(unique) > 1:
        raise AssertionError(f"{route.path} declares several requirements: {unique}")
    return unique[0] if unique else None


def route_cases(app: Any) -> list[RouteCase]:
    cases = []
    for path, route in _api_routes(list(app.routes)):
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            cases.append(RouteCase(path, method, route, requirement_of(route)))
    return sorted(cases, key=lambda c: (c.path, c.method))
