"""Test fixtures. The suite runs against SQLite by default and against PostgreSQL when
IPBUREAU_TEST_DATABASE_URL is set (``make test`` runs both)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

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


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist (``-n 2``), each worker gets a PostgreSQL database of its own beside the given one
    (``<name>_gw0``...), created when missing. SQLite needs nothing: each worker has its own temporary dir."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def test_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("ipbureau-data")
    url = os.environ.get("IPBUREAU_TEST_DATABASE_URL") or f"sqlite:///{data_dir / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and not url.startswith("sqlite"):
        url = _worker_database(url, worker)
    env = {
        "IPBUREAU_DATA_DIR": str(data_dir),
        "IPBUREAU_DATABASE_URL": url,
        "IPBUREAU_SEARCH_INDEX_DIR": str(data_dir / "index"),
        "IPBUREAU_SECRET_KEY": "test-secret-key-not-for-production",
        "IPBUREAU_MAX_UPLOAD_MB": "2",
        # The cheapest Argon2id (auth/security.py): the suite hashes passwords for every test's users.
        "IPBUREAU_PASSWORD_HASH_PROFILE": "test",
        "IPBUREAU_EMBED_MISSING_AT_START_UP": "false",
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


def _business_tables() -> list:
    from ipbureau.database.registry import metadata

    return [table for table in reversed(metadata.sorted_tables) if table.name not in REFERENCE_TABLES]


def _clear_business_tables() -> None:
    """Empty every business table (reference data kept), for the tests that commit for real.

    PostgreSQL: one TRUNCATE of them all. SQLite: one query finds the tables that hold rows, and only
    those are emptied (children first).
    """
    from ipbureau.database.core import get_engine

    engine = get_engine()
    tables = _business_tables()
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL lock_timeout = '20s'"))  # a leaked transaction fails the test, not hang it
            names = ", ".join(engine.dialect.identifier_preparer.format_table(t) for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        quote = engine.dialect.identifier_preparer.format_table
        probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM {quote(t)})" for t in tables)
        filled = set(conn.execute(text(probe)).scalars())
        for table in tables:
            if table.name in filled:
                conn.execute(table.delete())


def _commits_for_real(request: pytest.FixtureRequest) -> bool:
    """Whether the test's data must be committed, visible to other connections (see ``db``)."""
    return request.node.get_closest_marker("committing") is not None or "live_server" in request.fixturenames


@contextmanager
def _rolled_back_connection() -> Iterator[Connection]:
    """One connection of the app's engine inside a transaction that is rolled back at the end."""
    from ipbureau.database.core import get_engine

    engine = get_engine()
    connection = engine.connect()
    sqlite = engine.dialect.name == "sqlite"
    driver = connection.connection.driver_connection
    transaction = connection.begin()
    if sqlite:
        # pysqlite only BEGINs before a DML statement, so a session's SAVEPOINT would open the transaction and its
        # RELEASE commit it. In the driver's autocommit mode with an explicit BEGIN, savepoints nest inside it.
        driver.isolation_level = None
        connection.exec_driver_sql("BEGIN")
    try:
        yield connection
    finally:
        transaction.rollback()
        if sqlite:
            driver.isolation_level = ""
        connection.close()


@pytest.fixture
def db(request: pytest.FixtureRequest, migrated: str, test_env: dict[str, str]) -> Iterator[Session]:
    """A session on an empty business database (reference data kept); nothing of the test stays after it.

    By default the test runs inside one transaction on one connection, rolled back at the end: every session
    of the app (requests, services, ``session_scope``, the demo generator) is bound to that connection and
    their ``commit()`` only releases a savepoint (``join_transaction_mode="create_savepoint"``).

    Tests whose data must be seen by other connections (a background job thread, the uvicorn ``live_server``
    and so the browser tests, anything reading through ``get_engine()``) are marked ``committing``
    (``live_server`` implies it): they commit for real, and the business tables are emptied after them.
    """
    from sqlalchemy.orm import sessionmaker

    from ipbureau.database.core import get_sessionmaker, set_session_factory
    from ipbureau.web.templating import forget_demo_flag

    shutil.rmtree(test_env["IPBUREAU_SEARCH_INDEX_DIR"], ignore_errors=True)
    forget_demo_flag()
    if _commits_for_real(request):
        if "full_demo" in request.fixturenames:
            pytest.fail("a test on the shared full demo cannot be committing: emptying the tables would drop the demo")
        _clear_business_tables()  # whatever an earlier failure may have left
        session = get_sessionmaker()()
        try:
            yield session
        finally:
            session.rollback()
            session.close()
            _clear_business_tables()
            forget_demo_flag()
        return
    with _rolled_back_connection() as connection:
        factory = sessionmaker(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
        set_session_factory(factory)
        session = factory()
        try:
            yield session
        finally:
            session.close()
            set_session_factory(None)
            forget_demo_flag()


# The demo that the heavy tests share: what ``load_demo(patents=2000, enterprises=300)`` (seed 2023, every domain's
# demo module) makes on an empty business database.
FULL_DEMO = {"patents": 2000, "enterprises": 300}


@pytest.fixture(scope="session")
def full_demo(migrated: str, test_env: dict[str, str]) -> Iterator[str]:
    """The full demo, loaded and committed once per session; yields ``load_demo``'s summary.

    For tests marked ``heavy`` that would each load that same demo: they take this fixture (and ``db``) instead,
    see the demo as a fresh ``load_demo(**FULL_DEMO)`` leaves it, and whatever they change is rolled back (so such
    a test must not be ``committing``). Those tests run after all the others (``pytest_collection_modifyitems``),
    which all expect an empty business database; the tables are emptied when the session ends.
    """
    from ipbureau.database.core import get_sessionmaker
    from ipbureau.demo.generator import load_demo
    from ipbureau.web.templating import forget_demo_flag

    assert get_sessionmaker().kw.get("join_transaction_mode") is None, "full_demo must be set up before db"
    _clear_business_tables()
    summary = load_demo(**FULL_DEMO)
    try:
        yield summary
    finally:
        _clear_business_tables()
        forget_demo_flag()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests on the shared full demo run last (stable order otherwise): it stays committed until the session ends.
    Under pytest-xdist (``-n 2``, ``--dist load``) tests are handed out in this order, so in each worker too they
    come after all the others; each worker that gets one loads the demo once, into its own database."""
    items.sort(key=lambda item: "full_demo" in getattr(item, "fixturenames", ()))


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
