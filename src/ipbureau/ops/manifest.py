"""What a backup archive says about itself, computed the same way when it is made and when it is restored.

Per table: the record count and a SHA-256 over its rows in primary-key order, each value normalised so that the
same data gives the same digest whatever the database (SQLite or PostgreSQL): timestamps in UTC without zone,
decimals without trailing zeros, JSON with sorted keys, booleans as JSON booleans. The tables are read by
reflection, not through the ORM models, so an archive of an older schema is verified against its own columns.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, MetaData, inspect, literal, select, text

from ipbureau.core.errors import DomainError

FORMAT = "ipbureau-backup/1"
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
FILES_DIR = "files"
CHUNK = 1 << 20


class BackupError(DomainError):
    """A backup or restore that cannot go on; the message says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__("备份", message)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    """One database-independent form of a column value (see module doc)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return value


def _reflect(connection: Connection) -> MetaData:
    metadata = MetaData()
    metadata.reflect(bind=connection)
    return metadata


def table_digests(connection: Connection) -> dict[str, dict[str, Any]]:
    """{table: {"rows": count, "sha256": digest of its rows in primary-key order, "columns": [names]}}."""
    result: dict[str, dict[str, Any]] = {}
    metadata = _reflect(connection)
    for name in sorted(metadata.tables):
        table = metadata.tables[name]
        columns = sorted(table.columns, key=lambda c: c.name)
        order = list(table.primary_key.columns) or columns
        digest = hashlib.sha256()
        rows = 0
        for row in connection.execute(select(*columns).order_by(*order)):
            line = json.dumps([_canonical(v) for v in row], ensure_ascii=False, sort_keys=True, default=str)
            digest.update(line.encode("utf-8"))
            digest.update(b"\n")
            rows += 1
        result[name] = {"rows": rows, "sha256": digest.hexdigest(), "columns": [c.name for c in columns]}
    return result


def tables_with_records(connection: Connection) -> list[str]:
    """The tables that hold at least one row (the Alembic bookkeeping table aside)."""
    metadata = _reflect(connection)
    return [name for name, table in sorted(metadata.tables.items())
            if name != "alembic_version" and connection.execute(select(literal(1)).select_from(table).limit(1)).first()]


def alembic_revision(connection: Connection) -> str | None:
    if "alembic_version" not in inspect(connection).get_table_names():
        return None
    return connection.scalar(text("SELECT version_num FROM alembic_version"))


def compare_tables(expected: dict[str, dict[str, Any]], found: dict[str, dict[str, Any]]) -> list[str]:
    """The differences, in Chinese, between the manifest's tables and the restored database's (empty: the same)."""
    problems = []
    for name in sorted(set(expected) | set(found)):
        want, got = expected.get(name), found.get(name)
        if want is None:
            problems.append(f"表 {name}：备份中没有，恢复后却存在")
        elif got is None:
            problems.append(f"表 {name}：恢复后缺失（备份中 {want['rows']} 条记录）")
        elif want["rows"] != got["rows"]:
            problems.append(f"表 {name}：记录数 {got['rows']}，备份中为 {want['rows']}")
        elif want["sha256"] != got["sha256"]:
            problems.append(f"表 {name}：内容校验和不一致（记录数相同，均为 {got['rows']}）")
    return problems


def data_files(data_dir: Path, excluded: Iterable[Path]) -> list[Path]:
    """The files under the data dir that a backup keeps (relative paths, sorted), less the excluded paths."""
    if not data_dir.is_dir():
        return []
    root = data_dir.resolve()
    skip = [p.resolve() for p in excluded]
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        if any(path == s or s in path.parents for s in skip):
            continue
        found.append(path.relative_to(root))
    return found
