"""Settings, read from the environment (prefix ``IPBUREAU_``) or a ``.env`` file.

The defaults give a zero-set-up installation: an SQLite file and a search
index under ``./var``. Production sets ``IPBUREAU_DATABASE_URL`` to a
PostgreSQL URL (``postgresql+psycopg://user:pass@host/db``).
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IPBUREAU_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str | None = None
    search_index_dir: Path | None = None
    secret_key: str | None = None
    # Uploads above this size are refused before they are parsed.
    max_upload_mb: int = 50
    # Session cookies are marked Secure when the site is served over HTTPS.
    https_only: bool = False
    session_max_age_s: int = 8 * 3600
    # How notices are e-mailed: "file" (.eml files under <data_dir>/outbox) or "console".
    mail_sender: str = "file"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'ipbureau.db').resolve()}"

    def resolved_index_dir(self) -> Path:
        path = self.search_index_dir or (self.data_dir / "search-index")
        path.mkdir(parents=True, exist_ok=True)
        return path

    def resolved_secret_key(self) -> str:
        """The signing key: configured, or generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key_file = self.data_dir / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        return key_file.read_text().strip()

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


@lru_cache
def get_settings() -> Settings:
    return Settings()
