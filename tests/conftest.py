"""Test fixtures. The suite runs against SQLite by default and against PostgreSQL when
IPBUREAU_TEST_DATABASE_URL is set (``make test`` runs both)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"
PASSWORD = "correct-horse-42"


def _shared(relative: str) -> Path:
    """A file of the project's shared reference data (read-only, beside the checkout)."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.fail(f"shared reference data missing: {path}")
    return path


@pytest.fixture(scope="session")
def cnipr_sample() -> bytes:
    return _shared("patent-exports/cnipr_export_sample.csv").read_bytes()


@pytest.fixture(scope="session")
def sipo_sample() -> bytes:
    return _shared("patent-exports/sipo_export_sample_199.xlsx").read_bytes()


@pytest.fixture(scope="session")
def test_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("ipbureau-data")
    url = os.environ.get("IPBUREAU_TEST_DATABASE_URL") or f"sqlite:///{data_dir / 'test.db'}"
    env = {
        "IPBUREAU_DATA_DIR": str(data_dir),
        "IPBUREAU_DATABASE_URL": url,
        "IPBUREAU_SEARCH_INDEX_DIR": str(data_dir / "index"),
        "IPBUREAU_SECRET_KEY": "test-secret-key-not-for-production",
        "IPBUREAU_MAX_UPLOAD_MB": "2",
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    from ipbureau.config import get_settings
    from ipbureau.database.core import reset_engine_cache

    get_settings.cache_clear()
    reset_engine_cache()
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()
    reset_engine_cache()


@pytest.fixture(scope="session")
def migrated(test_env: dict[str, str]) -> str:
    """A freshly migrated database with the reference data loaded, once per session."""
    from ipbureau.database.core import get_engine, session_scope
    from ipbureau.database.migrate import upgrade
    from ipbureau.database.registry import metadata
    from ipbureau.reference import service as reference

    engine = get_engine()
    # Start from nothing: a PostgreSQL test database may hold a previous run's tables.
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    with session_scope() as session:
        reference.load_districts(session)
        reference.load_ipc(session)
    return test_env["IPBUREAU_DATABASE_URL"]


REFERENCE_TABLES = {"district", "ipc_code", "alembic_version"}


def _clear_business_tables() -> None:
    from ipbureau.database.core import get_engine
    from ipbureau.database.registry import metadata

    with get_engine().begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                conn.execute(table.delete())


@pytest.fixture
def db(migrated: str, test_env: dict[str, str]):
    """A session on an empty business database (reference data kept); cleaned after the test."""
    from ipbureau.database.core import get_sessionmaker
    from ipbureau.web.templating import forget_demo_flag

    _clear_business_tables()
    shutil.rmtree(test_env["IPBUREAU_SEARCH_INDEX_DIR"], ignore_errors=True)
    forget_demo_flag()
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()
        _clear_business_tables()
        forget_demo_flag()


@pytest.fixture
def app(db):
    from ipbureau.app import create_app

    return create_app()


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def enterprise(db):
    from ipbureau.enterprises.models import Enterprise

    ent = Enterprise(credit_code="91120116MAHUXQEEXM", name="天津测试科技有限公司", district_code="120116",
                     contact_person="张三", contact_phone="022-12345678", tags=["高新技术企业"])
    db.add(ent)
    db.commit()
    return ent


@pytest.fixture
def users(db, enterprise) -> dict[str, object]:
    """One user of every role (password PASSWORD), keyed by role value."""
    from ipbureau.auth import service
    from ipbureau.auth.enums import Role
    from ipbureau.auth.models import UserCreate

    made = {}
    for role in Role:
        made[role.value] = service.create(db, UserCreate(
            username=f"{role.value}_user", display_name=f"{role.label}测试", password=PASSWORD, role=role,
            district_code="120116" if role == Role.DISTRICT_STAFF else None,
            enterprise_id=enterprise.id if role == Role.ENTERPRISE else None))
    db.commit()
    return made


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_from(page.text), "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text


def bearer(client, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The app served by uvicorn on 127.0.0.1 in a background thread, on the test database.

    Yields the base URL. The app is the ``app`` fixture's, so the server uses the
    same IPBUREAU_* settings and database as ``db`` and ``users``.
    """
    import socket
    import threading
    import time
    import urllib.request

    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # a free port, held until uvicorn takes the socket over
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="live-server")
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail("the live test server did not start")
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
