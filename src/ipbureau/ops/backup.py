"""``ipbureau backup``: one .tar.gz archive of an instance, safe to take while it serves.

The archive holds

- ``database/ipbureau.sqlite3`` (SQLite: a copy made with the online backup API, ``sqlite3.Connection.backup``,
  consistent even while requests write) or ``database/ipbureau.pgdump`` (PostgreSQL: ``pg_dump -Fc``);
- ``files/...``: every file under the data dir (uploaded pre-examination documents, the notices' outbox...), except
  the database itself, the search index (derived from the database: the restore rebuilds it), earlier backups and
  the signing key (a backup must not carry it: a restored instance makes its own, so everyone signs in again);
- ``manifest.json``: time, app version, Alembic revision, per-table record counts and content checksums (computed
  from the very data archived: the SQLite copy, or the PostgreSQL snapshot pg_dump reads), and each file's SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from ipbureau import __version__
from ipbureau.database.core import make_engine
from ipbureau.ops import postgres
from ipbureau.ops.manifest import (
    DATABASE_DIR,
    FILES_DIR,
    FORMAT,
    MANIFEST,
    BackupError,
    alembic_revision,
    data_files,
    sha256_of,
    table_digests,
)

SQLITE_NAME = "ipbureau.sqlite3"
PG_NAME = "ipbureau.pgdump"
BACKUPS_DIR = "backups"  # under the data dir: the default place of archives, never archived itself


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]

    def summary(self) -> str:
        tables = self.manifest["tables"]
        records = sum(t["rows"] for t in tables.values())
        files = self.manifest["files"]
        size = self.path.stat().st_size
        return (f"备份已完成：{self.path}（{size / 1024 / 1024:.1f} MB）\n"
                f"数据库：{self.manifest['database']['engine']}，结构版本 {self.manifest['alembic_revision']}，"
                f"{len(tables)} 张表共 {records} 条记录\n"
                f"文件：{len(files)} 个（{sum(f['size'] for f in files.values()) / 1024:.1f} KB）；检索索引不备份，恢复时重建")


def default_path(data_dir: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return data_dir / BACKUPS_DIR / f"ipbureau-backup-{stamp}.tar.gz"


def sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("内存中的 SQLite 数据库无法备份或恢复")
    return Path(database)


def _dump_sqlite(database_url: str, workdir: Path) -> tuple[Path, dict[str, Any], str | None]:
    source = sqlite_path(database_url)
    if not source.exists():
        raise BackupError(f"数据库文件不存在：{source}")
    copy = workdir / SQLITE_NAME
    live = sqlite3.connect(source)
    target = sqlite3.connect(copy)
    try:
        live.backup(target)  # the online backup API: a consistent copy while other connections write
    finally:
        target.close()
        live.close()
    engine = make_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as connection:
            return copy, table_digests(connection), alembic_revision(connection)
    finally:
        engine.dispose()


def _dump_postgres(database_url: str, workdir: Path) -> tuple[Path, dict[str, Any], str | None]:
    dump = workdir / PG_NAME
    engine = make_engine(database_url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            with connection.begin():
                connection.execute(text("SET TRANSACTION READ ONLY"))
                # pg_dump reads the snapshot this transaction sees, so the checksums describe exactly the dump.
                snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
                postgres.dump(database_url, dump, snapshot=snapshot)
                return dump, table_digests(connection), alembic_revision(connection)
    finally:
        engine.dispose()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o600
    archive.addfile(info, io.BytesIO(data))


def create_backup(database_url: str, data_dir: Path, *, target: Path | None = None,
                  excluded: tuple[Path, ...] = ()) -> BackupResult:
    """Write the archive (see module doc) to ``target`` (default: <data dir>/backups/ipbureau-backup-<UTC>.tar.gz).
    ``excluded``: further paths under the data dir not to archive (the search index, wherever it is configured)."""
    engine_name = make_url(database_url).get_backend_name()
    if engine_name not in ("sqlite", "postgresql"):
        raise BackupError(f"不支持备份 {engine_name} 数据库（支持 SQLite 和 PostgreSQL）")
    data_dir = data_dir.resolve()
    target = (target or default_path(data_dir)).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    skip = [data_dir / BACKUPS_DIR, data_dir / "secret_key", target, *excluded]
    if engine_name == "sqlite":
        db_file = sqlite_path(database_url).resolve()
        skip += [db_file, db_file.with_name(db_file.name + "-wal"), db_file.with_name(db_file.name + "-shm"),
                 db_file.with_name(db_file.name + "-journal")]
    with tempfile.TemporaryDirectory(prefix="ipbureau-backup-", dir=target.parent) as work:
        workdir = Path(work)
        dump, tables, revision = (_dump_sqlite if engine_name == "sqlite" else _dump_postgres)(database_url, workdir)
        partial = workdir / "archive.tar.gz"
        files: dict[str, dict[str, Any]] = {}
        with tarfile.open(partial, "w:gz") as archive:
            database_member = f"{DATABASE_DIR}/{dump.name}"
            archive.add(dump, arcname=database_member)
            for relative in data_files(data_dir, skip):
                path = data_dir / relative
                try:
                    mtime = path.stat().st_mtime
                    data = path.read_bytes()  # hashed and archived from the same bytes, even if it changes meanwhile
                except FileNotFoundError:  # removed since it was listed (a rolled-back upload)
                    continue
                name = relative.as_posix()
                _add_bytes(archive, f"{FILES_DIR}/{name}", data, mtime)
                files[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            manifest = {
                "format": FORMAT,
                "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "app_version": __version__,
                "alembic_revision": revision,
                "database": {"engine": engine_name, "member": database_member, "size": dump.stat().st_size,
                             "sha256": sha256_of(dump)},
                "tables": tables,
                "files": files,
                "search_index": "not archived: derived from the database, rebuilt by the restore (ipbureau reindex)",
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            _add_bytes(archive, MANIFEST, body, datetime.now(timezone.utc).timestamp())
        partial.replace(target)  # the archive appears whole or not at all
    return BackupResult(target, manifest)
