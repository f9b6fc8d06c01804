"""Settings, read from the environment (prefix ``IPBUREAU_``) or a ``.env`` file.

The defaults give a zero-set-up installation: an SQLite file and a search
index under ``./var``. Production sets ``IPBUREAU_DATABASE_URL`` to a
PostgreSQL URL (``postgresql+psycopg://user:pass@host/db``).
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IPBUREAU_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str | None = None
    search_index_dir: Path | None = None
    secret_key: str | None = None
    # Uploads above this size are refused before they are parsed.
    max_upload_mb: int = 50
    # Imports (imports/readers.py): files with more data rows, or XLSX workbooks that unpack to more than this,
    # are refused before they are parsed (a small zip can unpack to millions of empty rows).
    import_max_rows: int = 1_000_000
    import_max_xlsx_unpacked_mb: int = 400
    # Served over HTTPS (behind a reverse proxy that terminates TLS): cookies are marked Secure and responses
    # carry Strict-Transport-Security. IPBUREAU_SECURE_COOKIES is the documented name; IPBUREAU_HTTPS_ONLY
    # is kept for installations that set it already.
    https_only: bool = Field(False, validation_alias=AliasChoices("IPBUREAU_SECURE_COOKIES", "IPBUREAU_HTTPS_ONLY"))
    # Behind a reverse proxy: the addresses whose X-Forwarded-For/-Proto headers are believed (comma-separated,
    # or "*"); `ipbureau serve` passes them to uvicorn.
    forwarded_allow_ips: str = "127.0.0.1"
    # PostgreSQL connections per server worker process: each worker has its own pool, so the database must
    # allow workers × (pool_size + max_overflow) connections (and a few for the CLI).
    db_pool_size: int = 5
    db_max_overflow: int = 5
    # Seconds a request waits for a pooled connection before it gets a 503.
    db_pool_timeout_s: float = 15.0
    # SQLite: how long a writer waits for another worker's write to end before giving up (milliseconds).
    sqlite_busy_timeout_ms: int = 10_000
    # Server-side sessions (auth/sessions.py): a browser session ends 12 h after sign-in whatever happens
    # (absolute; also the cookie's lifetime) and after 30 min without a request (idle); API tokens end
    # after api_token_max_age_s and have no idle limit (a nightly script is not idle, just infrequent).
    session_max_age_s: int = 12 * 3600
    session_idle_timeout_s: int = 30 * 60
    api_token_max_age_s: int = 12 * 3600
    # Login throttling (auth/throttle.py): this many wrong passwords for one user name, or from one address,
    # within the window lock that name or address for the window's length.
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20
    login_failure_window_s: int = 15 * 60
    # Each server process, when it starts, embeds in the background what has no current vector (the offer's
    # patents, the open demands: market/embeddings.py), e.g. after `make demo`, a restore or a model change; the
    # processes take turns through a lock file. The test suite turns it off.
    embed_missing_at_start_up: bool = True
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
