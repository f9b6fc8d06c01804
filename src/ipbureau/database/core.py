"""Engine, sessions and the declarative base shared by every domain package."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, Integer, MetaData, Select, create_engine, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, declared_attr, mapped_column, sessionmaker

from ipbureau.config import get_settings

# Stable constraint names, so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """A record two staff may change at once: the ORM counts its versions (``version_id_col``), so an UPDATE based
    on a version someone else has replaced meanwhile fails (StaleDataError, a 409) instead of overwriting; pages
    and the API carry the version the user saw (core.workflow's ``expected_version``)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805  (a declarative directive, called on the class)
        return {"version_id_col": cls.__table__.c.version}


def _sqlite_pragmas(busy_timeout_ms: int):
    """The connect hook of an SQLite engine. Several server workers share the file: WAL lets readers run
    while one writes, and a writer waits up to ``busy_timeout_ms`` for another's write instead of failing."""

    def on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return on_connect


def _json_serializer(value: object) -> str:
    # Chinese stays readable in the database, and JSON text can be matched with LIKE.
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str) -> Engine:
    settings = get_settings()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, json_serializer=_json_serializer,
                               pool_pre_ping=True)
        event.listen(engine, "connect", _sqlite_pragmas(settings.sqlite_busy_timeout_ms))
        return engine
    # One pool per server worker process (sized in settings). pool_pre_ping finds connections the server has
    # dropped (a restart, pg_terminate_backend) and replaces them, so the app recovers without a restart.
    return create_engine(url, pool_pre_ping=True, pool_size=settings.db_pool_size,
                         max_overflow=settings.db_max_overflow, pool_timeout=settings.db_pool_timeout_s,
                         pool_recycle=1800, json_serializer=_json_serializer)


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().resolved_database_url())


@lru_cache
def _default_sessionmaker() -> sessionmaker[Session]:
    import ipbureau.database.registry  # noqa: F401  (every mapper must be known before the first flush)

    return sessionmaker(bind=get_engine(), expire_on_commit=False)


# Set by the test suite only: every session (requests, services, session_scope) then comes from this
# factory, bound to one connection whose transaction is rolled back after the test.
_session_factory: sessionmaker[Session] | None = None


def set_session_factory(factory: sessionmaker[Session] | None) -> None:
    """Make ``get_sessionmaker()`` return ``factory`` (tests); ``None`` restores the engine's own."""
    global _session_factory
    _session_factory = factory


def get_sessionmaker() -> sessionmaker[Session]:
    return _session_factory or _default_sessionmaker()


def reset_engine_cache() -> None:
    """Forget the cached engine (tests and the CLI switch databases through settings)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    _default_sessionmaker.cache_clear()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def refresh_planner_statistics(session: Session) -> None:
    """After a bulk load on PostgreSQL: ANALYZE, so that the next queries are planned for the rows now there.

    Until autovacuum's analyze comes round (a minute or more, per database), PostgreSQL plans as if the freshly
    filled tables were empty and picks nested loops that take minutes on the demo's 3,000 enterprises (the
    assessment's grouped counts). SQLite keeps no such statistics unless asked and plans by its heuristics."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))


def paginate(session: Session, query: Select, *order_by: Any, offset: int = 0, limit: int = 50) -> tuple[list[Any], int]:
    """One page of a query's rows (in ``order_by`` order) and the total count of the unpaged query."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(*order_by).offset(offset).limit(limit)).all()
    return list(rows), total
