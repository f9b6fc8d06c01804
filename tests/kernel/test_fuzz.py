"""Hostile numbers and dates on every route: each path and query parameter, each JSON body field and each form
field in turn gets a huge, negative, non-ASCII-digit, non-finite or impossible value. Nothing may answer 5xx:
malformed or out-of-range input is a 4xx with a Chinese message.

As the city bureau's administrator (who may reach nearly every route), with the API through a bearer token and
pages through a cookie session with its CSRF token.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from tests.conftest import PASSWORD
from tests.kernel.routes import RouteCase, route_cases

pytestmark = pytest.mark.committing

HOSTILE = ["99999999999999999999999", "-1", "²", "١٢", "1e309", "nan", "-1e309", "2023-13-45"]
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _model_of(field: Any) -> type[BaseModel] | None:
    annotation = getattr(getattr(field, "field_info", None), "annotation", None) or getattr(field, "type_", None)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _params(dependant: Any, kind: str) -> list[str]:
    names = []
    for field in getattr(dependant, kind):
        model = _model_of(field)  # a query-parameter model: each of its fields is a parameter
        if model is not None:
            names += [info.alias or name for name, info in model.model_fields.items()]
        else:
            names.append(getattr(field, "alias", None) or field.name)
    for sub in dependant.dependencies:
        names += _params(sub, kind)
    return list(dict.fromkeys(names))


def _body_fields(case: RouteCase) -> list[str]:
    names: list[str] = []
    for field in case.route.dependant.body_params:
        annotation = getattr(field, "type_", None) or getattr(getattr(field, "field_info", None), "annotation", None)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += [info.alias or name for name, info in annotation.model_fields.items()]
        else:
            names.append(getattr(field, "alias", None) or field.name)
    return names


def _requests(case: RouteCase) -> list[tuple[str, dict[str, Any]]]:
    """(url, request kwargs) pairs: each parameter and field in turn with each hostile value."""
    out = []
    path_names = _params(case.route.dependant, "path_params")
    for value in HOSTILE:
        for name in path_names:
            url = case.path
            for other in path_names:
                url = url.replace("{" + other + "}", quote(value) if other == name else "1")
            out.append((re.sub(r"\{[^}]+\}", "1", url), {}))
        base = case.url("1")
        for name in _params(case.route.dependant, "query_params"):
            out.append((base, {"params": {name: value}}))
        if case.method in UNSAFE:
            fields = _body_fields(case)
            if fields:
                body = {name: value for name in fields}
                out.append((base, {"json": body} if case.is_api else {"data": body}))
    return out


def test_hostile_numbers_and_dates_never_give_a_server_error(app, users):
    client = TestClient(app, raise_server_exceptions=False)
    token = CSRF_RE.search(client.get("/login").text).group(1)
    client.post("/login", data={"username": users["admin"].username, "password": PASSWORD, "csrf_token": token,
                                "next": "/"}, follow_redirects=False)
    csrf = CSRF_RE.search(client.get("/").text).group(1)
    api_token = client.post("/api/auth/token", json={"username": users["admin"].username, "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {api_token.json()['access_token']}"}

    failures: list[str] = []
    english: list[str] = []
    sent = 0
    for case in route_cases(app):
        if case.path.endswith("/logout"):
            continue
        headers = bearer if case.is_api else ({"X-CSRF-Token": csrf} if case.method in UNSAFE else {})
        for url, kwargs in _requests(case):
            response = client.request(case.method, url, headers=headers, follow_redirects=False, **kwargs)
            sent += 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {url} {kwargs} -> {response.status_code}")
            elif response.status_code == 422 and case.is_api:
                detail = str(response.json().get("detail", ""))
                if not CHINESE.search(detail):
                    english.append(f"{case.method} {url} {kwargs} -> {detail[:120]}")
    client.close()
    assert sent > 1000  # the fuzz reached the app's parameters
    assert failures == [], f"{len(failures)} of {sent} hostile requests gave a server error:\n" + "\n".join(failures)
    assert english == [], "validation messages not in Chinese:\n" + "\n".join(english)
