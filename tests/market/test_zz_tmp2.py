import time, traceback
import pytest
from fastapi.testclient import TestClient
from ipbureau.core.access import ANONYMOUS
from tests.kernel import test_route_matrix as m
from tests.kernel.routes import route_cases
pytestmark = pytest.mark.committing

def mine(c):
    return "/market" in c.path or "notices" in c.path

def test_matrix_debug(app, users):
    cases = sorted((c for c in route_cases(app) if c.requirement is not None and mine(c)), key=m._order)
    for role in ("public", "mediator"):
        client, csrf, bearer = m._signed_in(app, users[role].username)
        client2 = TestClient(app, raise_server_exceptions=True)
        for case in cases:
            headers = bearer if case.is_api else ({"X-CSRF-Token": csrf} if case.method in m.UNSAFE else {})
            t = time.monotonic()
            r = m._call(client, case, headers)
            dt = time.monotonic() - t
            if r.status_code >= 500 or dt > 2:
                print("SLOW/500", role, case, r.status_code, round(dt, 1))
                client.cookies  # noqa
                try:
                    client2.cookies = client.cookies
                    m._call(client2, case, headers)
                except Exception:
                    traceback.print_exc(limit=-8)
