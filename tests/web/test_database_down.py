"""Database down (issue 11.8): every request gets a 503 with a Chinese message — JSON under /api, the error page
otherwise — never a 500 with a traceback; /healthz says so; and the app recovers by itself once the database is
back (pool_pre_ping replaces dead connections; no restart).

The app under test gets its sessions from an engine of its own (``set_session_factory``, the suite's hook),
pointed at an unreachable database: an SQLite file in a directory that does not exist yet, or a PostgreSQL port
nobody listens on; then the database "returns" (the directory appears) or its connections are killed
(pg_terminate_backend) and the next requests must succeed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from ipbureau.app import DATABASE_DOWN, create_app
from ipbureau.database import core
from tests.conftest import csrf_from
from tests.web.served import free_port

DOWN_PAGE_TEXT = DATABASE_DOWN


@pytest.fixture
def app_on(migrated) -> Iterator:
    """``app_on(engine)``: a test client of an app whose every session comes from ``engine``."""
    opened: list = []

    def start(engine) -> TestClient:
        core.set_session_factory(sessionmaker(bind=engine, expire_on_commit=False))
        client = TestClient(create_app(), raise_server_exceptions=False)
        client.__enter__()
        opened.append((client, engine))
        return client

    yield start
    for client, engine in opened:
        client.__exit__(None, None, None)
        engine.dispose()
    core.set_session_factory(None)


def _assert_unavailable(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["database"] == "unreachable" and health.json()["detail"] == DATABASE_DOWN
    api = client.post("/api/auth/token", json={"username": "nobody", "password": "wrong-password-1"})
    assert api.status_code == 503 and api.json() == {"detail": DATABASE_DOWN}
    assert api.headers["retry-after"]
    page = client.get("/login")
    if page.status_code == 200:  # a login form that needs no database: then signing in is what fails
        page = client.post("/login", data={"username": "nobody", "password": "wrong-password-1",
                                           "csrf_token": csrf_from(page.text), "next": "/"}, follow_redirects=False)
    assert page.status_code == 503
    assert DOWN_PAGE_TEXT in page.text and "<html" in page.text.lower() and "Traceback" not in page.text
    assert page.headers["x-frame-options"] == "DENY"


def _assert_available(client: TestClient) -> None:
    assert client.get("/healthz").json()["database"] == "ok"
    refused = client.post("/api/auth/token", json={"username": "nobody", "password": "wrong-password-1"})
    assert refused.status_code == 401  # the database answered: no such user


@pytest.mark.skipif(os.environ.get("IPBUREAU_TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="SQLite is not the test database")
def test_sqlite_unreachable_then_back(app_on, migrated, tmp_path: Path):
    real_file = Path(make_url(migrated).database)
    gone = tmp_path / "not-mounted-yet"
    client = app_on(core.make_engine(f"sqlite:///{gone / real_file.name}"))
    _assert_unavailable(client)
    _assert_unavailable(client)  # and again: nothing cached a broken state
    gone.symlink_to(real_file.parent, target_is_directory=True)  # the volume is back
    _assert_available(client)


@pytest.mark.skipif(not os.environ.get("IPBUREAU_TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="PostgreSQL is not the test database")
def test_postgresql_unreachable(app_on, migrated):
    closed = make_url(migrated).set(host="127.0.0.1", port=free_port())  # a port nobody listens on
    client = app_on(core.make_engine(closed.render_as_string(hide_password=False)))
    _assert_unavailable(client)


@pytest.mark.skipif(not os.environ.get("IPBUREAU_TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="PostgreSQL is not the test database")
def test_postgresql_connections_killed_then_recovered(app_on, migrated):
    engine = core.make_engine(migrated)
    client = app_on(engine)
    _assert_available(client)
    with engine.connect() as conn:  # the pooled connections die, as in a database restart
        conn.execute(text("SET application_name = 'ipbureau-down-test'"))
        pids = [row[0] for row in conn.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))]
    admin = core.make_engine(migrated)
    try:
        with admin.connect() as conn:
            killed = [conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}) for pid in pids]
    finally:
        admin.dispose()
    assert any(killed)
    for _ in range(3):  # every request after the restart succeeds: no 500, no 503, no restart of the app
        _assert_available(client)
