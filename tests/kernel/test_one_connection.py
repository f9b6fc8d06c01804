"""Nothing in a request opens a second database connection: with 15 users at once, a request waiting for a
second connection of its own while holding its first exhausted the pool (every request then waited 30 s).

Every page and API route that takes no path parameter is requested by the city administrator, counting the
connections taken from the pool while it is served (the usage writer's own thread aside).
"""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from ipbureau.database.core import get_engine
from tests.conftest import login
from tests.kernel.routes import OUTSIDE_POLICY, route_cases

pytestmark = pytest.mark.committing  # the app must use the real pool, not the test's one shared connection


def test_each_request_holds_at_most_one_connection(app, users):
    checkouts: list[str] = []

    def counted(*_args) -> None:
        name = threading.current_thread().name
        if name not in {"usage-writer", "session-seen-writer"}:
            checkouts.append(name)

    engine = get_engine()
    event.listen(engine, "checkout", counted)
    try:
        client = TestClient(app, raise_server_exceptions=False)
        login(client, users["admin"].username)
        over: list[str] = []
        checked = with_one = 0
        for case in route_cases(app):
            if case.method != "GET" or "{" in case.path or case.path in OUTSIDE_POLICY or case.path == "/logout":
                continue
            checkouts.clear()
            response = client.get(case.path, follow_redirects=False)
            checked += 1
            assert response.status_code < 500, f"{case}: {response.status_code}"
            with_one += len(checkouts) == 1
            if len(checkouts) > 1:
                over.append(f"{case}: {len(checkouts)} connections")
        client.close()
    finally:
        event.remove(engine, "checkout", counted)
    assert checked > 50
    assert with_one > 50  # the count sees the requests' connections (the instrument works)
    assert over == [], "requests that opened a second connection:\n" + "\n".join(over)
