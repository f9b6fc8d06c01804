"""AD-HOC (deleted before hand-off): the kernel's route matrix and fuzz, for this area's routes only."""
import pytest
from fastapi.testclient import TestClient

from ipbureau.core.access import ANONYMOUS
from tests.kernel import test_fuzz as fuzz
from tests.kernel import test_route_matrix as matrix
from tests.kernel.routes import route_cases

pytestmark = pytest.mark.committing
MINE = ("/enterprises", "/api/enterprises", "/services", "/api/services")


import gc

_orig_call = matrix._call


def _call(client, case, headers):
    response = _orig_call(client, case, headers)
    gc.collect()  # the app's error pages leak a connection per page (reported); keep the pool usable here
    return response


matrix._call = _call


def _mine(app):
    return [c for c in route_cases(app) if c.path.startswith(MINE)]


def test_matrix_mine(app, users):
    cases = _mine(app)
    print(len(cases), "routes")
    assert all(c.requirement for c in cases), [str(c) for c in cases if not c.requirement]
    wrong = []
    anonymous = TestClient(app, raise_server_exceptions=False)
    for case in cases:
        problem = matrix._verdict(case, ANONYMOUS, matrix._call(anonymous, case, {}))
        if problem:
            wrong.append(f"{case} as anonymous: {problem}")
    for role in matrix.ROLES:
        client, csrf, bearer = matrix._signed_in(app, users[role].username)
        for case in cases:
            headers = bearer if case.is_api else ({"X-CSRF-Token": csrf} if case.method in matrix.UNSAFE else {})
            problem = matrix._verdict(case, role, matrix._call(client, case, headers))
            if problem:
                wrong.append(f"{case} as {role}: {problem}")
    assert wrong == [], "\n".join(wrong)


def test_fuzz_mine(app, users):
    client = TestClient(app, raise_server_exceptions=False)
    token = fuzz.CSRF_RE.search(client.get("/login").text).group(1)
    client.post("/login", data={"username": users["admin"].username, "password": fuzz.PASSWORD, "csrf_token": token,
                                "next": "/"}, follow_redirects=False)
    csrf = fuzz.CSRF_RE.search(client.get("/").text).group(1)
    api_token = client.post("/api/auth/token", json={"username": users["admin"].username, "password": fuzz.PASSWORD})
    bearer = {"Authorization": f"Bearer {api_token.json()['access_token']}"}
    failures, english, sent = [], [], 0
    for case in _mine(app):
        headers = bearer if case.is_api else ({"X-CSRF-Token": csrf} if case.method in fuzz.UNSAFE else {})
        for url, kwargs in fuzz._requests(case):
            response = client.request(case.method, url, headers=headers, follow_redirects=False, **kwargs)
            gc.collect()
            sent += 1
            if response.status_code >= 500:
                failures.append(f"{case.method} {url} {kwargs} -> {response.status_code} {response.text[:300]}")
            elif response.status_code == 422 and case.is_api:
                detail = str(response.json().get("detail", ""))
                if not fuzz.CHINESE.search(detail):
                    english.append(f"{case.method} {url} {kwargs} -> {detail[:120]}")
    print(sent, "requests")
    assert failures == [], "\n".join(failures)
    assert english == [], "\n".join(english)
