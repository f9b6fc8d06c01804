"""Every route (pages and API) × every role and the anonymous visitor, with the expected outcome derived from
the access policy (``ipbureau.policy``), never written by hand:

- a route that declares no ``requires(resource, action)`` fails the test (outside the policy by nature:
  liveness, the API schema and its documentation);
- a visitor without a login: the API answers 401, a page redirects to the login page (unless the action
  admits ``anonymous``);
- a role the policy does not give the action: 403;
- a role it does: anything but 401/403/5xx (a dummy id gives 404, an empty form 422 — the rule on the row is
  the service's, tested per domain and below).
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ipbureau.auth.enums import Role
from ipbureau.core.access import ANONYMOUS
from ipbureau.policy import policy
from tests.conftest import PASSWORD
from tests.kernel.routes import OUTSIDE_POLICY, RouteCase, route_cases

pytestmark = pytest.mark.committing  # unsafe routes may start background jobs that open their own sessions

ROLES = [role.value for role in Role]
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _order(case: RouteCase) -> tuple[int, str, str]:
    # Ending the session goes last, so it does not sign the role out for the routes after it.
    return (1 if case.path.endswith("/logout") else 0, case.path, case.method)


def _signed_in(app, username: str) -> tuple[TestClient, str, dict[str, str]]:
    """A cookie session (for pages) with its CSRF token, and a bearer header (for the API)."""
    client = TestClient(app, raise_server_exceptions=False)
    page = client.get("/login")
    token = CSRF_RE.search(page.text).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token,
                                           "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    csrf = CSRF_RE.search(client.get("/").text).group(1)
    api = client.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert api.status_code == 200, api.text
    return client, csrf, {"Authorization": f"Bearer {api.json()['access_token']}"}


def _call(client: TestClient, case: RouteCase, headers: dict[str, str]):
    kwargs: dict = {"headers": headers, "follow_redirects": False}
    if case.method in UNSAFE:
        kwargs["json" if case.is_api else "data"] = {}
    return client.request(case.method, case.url(), **kwargs)


def _verdict(case: RouteCase, role: str, response) -> str | None:
    """None when the response is what the policy says; otherwise what is wrong."""
    status = response.status_code
    location = response.headers.get("location", "")
    resource, action = case.requirement
    allowed = role in policy.roles_for(resource, action)
    if status >= 500:
        return f"{status} (server error)"
    if role == ANONYMOUS and not allowed:
        if case.is_api:
            return None if status == 401 else f"{status}, expected 401"
        return None if status == 303 and location.startswith("/login") else f"{status} {location}, expected login"
    if not allowed:
        return None if status == 403 else f"{status}, expected 403 ({resource}.{action})"
    if case.path == "/logout" and status == 303 and location.startswith("/login"):
        return None  # signing out succeeded: back to the login page
    if status in (401, 403) or (status == 303 and location.startswith("/login")):
        return f"{status} {location}, expected access ({resource}.{action})"
    return None


def test_every_route_declares_its_policy(app):
    cases = route_cases(app)
    assert len(cases) > 200  # the enumeration sees the whole app
    undeclared = [str(c) for c in cases if c.requirement is None and c.path not in OUTSIDE_POLICY]
    assert undeclared == [], "routes without requires(resource, action):\n" + "\n".join(undeclared)


def test_route_role_matrix(app, users):
    cases = sorted((c for c in route_cases(app) if c.requirement is not None), key=_order)
    wrong: list[str] = []
    checked = 0
    anonymous = TestClient(app, raise_server_exceptions=False)
    # A visitor's form carries the CSRF token of the login page, as a browser's would.
    visitor_csrf = {"X-CSRF-Token": CSRF_RE.search(anonymous.get("/login").text).group(1)}
    for case in cases:
        headers = visitor_csrf if case.method in UNSAFE and not case.is_api else {}
        problem = _verdict(case, ANONYMOUS, _call(anonymous, case, headers))
        checked += 1
        if problem:
            wrong.append(f"{case} as anonymous: {problem}")
    for role in ROLES:
        client, csrf, bearer = _signed_in(app, users[role].username)
        for case in cases:
            headers = bearer if case.is_api else ({"X-CSRF-Token": csrf} if case.method in UNSAFE else {})
            problem = _verdict(case, role, _call(client, case, headers))
            checked += 1
            if problem:
                wrong.append(f"{case} as {role}: {problem}")
        client.close()
    anonymous.close()
    assert checked == len(cases) * (len(ROLES) + 1)
    assert wrong == [], f"{len(wrong)} of {checked} route × role outcomes differ from the policy:\n" + "\n".join(wrong)


def test_menu_follows_the_policy(app, users):
    """Each role's menu holds exactly the items whose (resource, action) the policy gives it."""
    from ipbureau.policy import MENU

    for role in ROLES:
        client, _csrf, _bearer = _signed_in(app, users[role].username)
        page = client.get("/").text
        menu = page[page.index('<nav class="mainnav"'):]
        menu = menu[:menu.index("</nav>")]
        for path, label, resource, action in MENU:
            shown = f'<a href="{path}"' in menu and label in menu
            assert shown == (role in policy.roles_for(resource, action)), (role, path)
        client.close()


# Answers that are not JSON documents: files, and 204 deletions with no body.
NOT_JSON = {"/api/docs/assets/{name}", "/api/search/export", "/api/stats/whitepaper",
            "/api/navigation/chains/{chain_code}/report.docx"}


def test_every_json_route_declares_its_response_model(app):
    missing = [str(c) for c in route_cases(app)
               if c.is_api and c.path not in OUTSIDE_POLICY | NOT_JSON and c.route.status_code != 204
               and c.route.response_model is None]
    assert missing == [], "JSON routes without response_model:\n" + "\n".join(missing)
