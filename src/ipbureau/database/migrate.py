"""Run Alembic migrations from code (``ipbureau migrate``), without an alembic.ini."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config

from ipbureau.config import get_settings


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("ipbureau.database").joinpath("migrations")))
    config.set_main_option("sqlalchemy.url", database_url or get_settings().resolved_database_url())
    return config


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
