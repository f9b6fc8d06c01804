"""The Alembic migrations and the SQLAlchemy models describe the same schema.

A model change without a migration fails here (compare_metadata finds the difference).
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from ipbureau.database.core import make_engine
from ipbureau.database.migrate import downgrade, upgrade
from ipbureau.database.registry import metadata


def _differences(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        return compare_metadata(context, metadata)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'migrations.db'}"


def test_upgrade_creates_every_table_and_downgrade_removes_them(sqlite_url):
    engine = make_engine(sqlite_url)
    try:
        assert inspect(engine).get_table_names() == []
        upgrade(sqlite_url)
        tables = set(inspect(engine).get_table_names())
        assert set(metadata.tables) <= tables
        assert tables - set(metadata.tables) == {"alembic_version"}

        downgrade(sqlite_url, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        # And back up again: the downgrade left nothing behind that blocks a new upgrade.
        upgrade(sqlite_url)
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_match_migrations_on_sqlite(sqlite_url):
    engine = make_engine(sqlite_url)
    try:
        upgrade(sqlite_url)
        differences = _differences(engine)
    finally:
        engine.dispose()
    assert differences == [], f"models differ from the migrations; write a migration: {differences}"


def test_models_match_migrations_on_test_database(migrated):
    """The same check on the suite's database (PostgreSQL under `make test`)."""
    engine = make_engine(migrated)
    try:
        differences = _differences(engine)
    finally:
        engine.dispose()
    assert differences == [], f"models differ from the migrations; write a migration: {differences}"
