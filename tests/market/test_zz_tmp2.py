import pytest
from fastapi.testclient import TestClient
from tests.kernel import test_route_matrix as m
pytestmark = pytest.mark.committing

def test_one(app, users):
    for role, url, method in (("mediator", "/market/open-licences/999999", "GET"), ("public", "/market/stats", "GET"), ("enterprise", "/market/pledges", "POST"), ("agency", "/market/listings/999999/close", "POST")):
        client, csrf, bearer = m._signed_in(app, users[role].username)
        r = client.request(method, url, headers={"X-CSRF-Token": csrf} if method == "POST" else {}, data={} if method=="POST" else None, follow_redirects=False)
        print(role, url, r.status_code, r.text[-600:])
