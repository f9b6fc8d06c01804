"""``ipbureau restore PATH``: an archive of ``ipbureau backup`` into a fresh instance, verified against its manifest.

In order, stopping at the first problem with a Chinese message:

1. the archive is read whole and every member checked against the manifest's SHA-256 (a damaged or altered archive
   is refused before anything is touched);
2. the target must be empty: no table with records, no file that the archive would overwrite with other content
   (``force`` overrides: the database is replaced, the archive's files overwrite theirs);
3. the database is restored (SQLite: the backup API into the configured file; PostgreSQL: ``pg_restore``) and its
   per-table record counts and content checksums compared with the manifest's;
4. an archive of an older schema is migrated to this version (an archive of a newer one is refused at step 1);
5. the files are written under the data dir and checked again.

The search index is not in the archive: the caller rebuilds it (the CLI runs ``search.service.reindex_all``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from ipbureau.database.core import make_engine
from ipbureau.database.migrate import alembic_config, upgrade
from ipbureau.ops import postgres
from ipbureau.ops.backup import sqlite_path
from ipbureau.ops.manifest import (
    FILES_DIR,
    FORMAT,
    MANIFEST,
    BackupError,
    alembic_revision,
    compare_tables,
    sha256_of,
    table_digests,
    tables_with_records,
)


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    revision_before: str | None  # the archive's schema version
    revision_after: str | None  # after the migrations run by the restore
    files: int = 0
    indexed: int | None = None  # patents in the rebuilt search index (the caller's step)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        tables = self.manifest["tables"]
        records = sum(t["rows"] for t in tables.values())
        lines = [f"恢复完成：备份时间 {self.manifest['created_at']}（程序版本 {self.manifest['app_version']}）",
                 f"数据库：{len(tables)} 张表共 {records} 条记录，记录数与内容校验和均与清单一致",
                 f"文件：{self.files} 个，校验和均与清单一致"]
        if self.revision_before != self.revision_after:
            lines.append(f"数据库结构已从版本 {self.revision_before} 升级到 {self.revision_after}")
        else:
            lines.append(f"数据库结构版本：{self.revision_after}（无需升级）")
        if self.indexed is not None:
            lines.append(f"检索索引已重建：{self.indexed} 件专利")
        return "\n".join([*lines, *self.notes])


# ---- 1. the archive ------------------------------------------------------------------------------------

def _corrupt(reason: str) -> BackupError:
    return BackupError(f"备份文件已损坏或不是 ipbureau 的备份，未做任何恢复：{reason}")


def unpack(archive: Path, workdir: Path) -> dict[str, Any]:
    """Extract the archive into ``workdir`` and check every member against the manifest; returns the manifest."""
    if not archive.is_file():
        raise BackupError(f"备份文件不存在：{archive}")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(workdir, filter="data")  # refuses absolute paths, "..", links out of the directory
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise _corrupt(f"无法读取压缩包（{exc}）") from None
    try:
        manifest = json.loads((workdir / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _corrupt(f"缺少清单 {MANIFEST}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _corrupt(f"清单无法解析（{exc}）") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _corrupt(f"清单格式不是 {FORMAT}")
    database = manifest["database"]
    unsafe = [name for name in (database["member"], *manifest["files"])
              if Path(name).is_absolute() or ".." in Path(name).parts]
    if unsafe:
        raise _corrupt(f"清单中有不安全的路径：{unsafe[0]}")
    expected = {database["member"]: database["sha256"],
                **{f"{FILES_DIR}/{name}": entry["sha256"] for name, entry in manifest["files"].items()}}
    for member, digest in expected.items():
        path = workdir / member
        if not path.is_file():
            raise _corrupt(f"清单列出的 {member} 不在压缩包中")
        if sha256_of(path) != digest:
            raise _corrupt(f"{member} 的校验和与清单不符")
    listed = set(expected) | {MANIFEST}
    extra = sorted(p.relative_to(workdir).as_posix() for p in workdir.rglob("*")
                   if p.is_file() and p.relative_to(workdir).as_posix() not in listed)
    if extra:
        raise _corrupt(f"压缩包中有清单未列出的文件：{'、'.join(extra[:5])}")
    return manifest


def _check_revision(manifest: dict[str, Any], database_url: str) -> str | None:
    """This version's head revision; refuses an archive whose schema this version does not know (a newer one)."""
    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    revision = manifest.get("alembic_revision")
    if revision is not None:
        try:
            scripts.get_revision(revision)
        except Exception:  # alembic raises several kinds for an unknown revision
            raise BackupError(f"备份的数据库结构版本 {revision} 比本程序新：请先升级程序再恢复") from None
    return scripts.get_current_head()


# ---- 2. the target -------------------------------------------------------------------------------------

def _check_target(database_url: str, engine_name: str, data_dir: Path, manifest: dict[str, Any],
                  force: bool) -> None:
    target_engine = make_url(database_url).get_backend_name()
    if target_engine != engine_name:
        raise BackupError(f"备份的是 {engine_name} 数据库，目标是 {target_engine}：请恢复到同一种数据库")
    if force:
        return
    if engine_name != "sqlite" or sqlite_path(database_url).exists():
        engine = make_engine(database_url)
        try:
            with engine.connect() as connection:
                filled = tables_with_records(connection)
        finally:
            engine.dispose()
        if filled:
            raise BackupError(f"目标数据库不是空的（{'、'.join(filled[:5])} 等 {len(filled)} 张表有记录），"
                              "未做任何恢复；确要覆盖请加 --force")
    clashes = [name for name in manifest["files"]
               if (data_dir / name).exists() and sha256_of(data_dir / name) != manifest["files"][name]["sha256"]]
    if clashes:
        raise BackupError(f"数据目录中已有 {len(clashes)} 个同名而内容不同的文件（如 {clashes[0]}），"
                          "未做任何恢复；确要覆盖请加 --force")


# ---- 3. the database -----------------------------------------------------------------------------------

def _restore_sqlite(database_url: str, dump: Path) -> None:
    target = sqlite_path(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)  # replaces the whole target database, page by page, under its lock
    finally:
        destination.close()
        source.close()


def _restore_postgres(database_url: str, dump: Path, force: bool) -> None:
    if force:  # what the dump does not hold (tables of a newer schema) must not survive either
        engine = make_engine(database_url)
        try:
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        finally:
            engine.dispose()
    postgres.restore(database_url, dump)


def _verify_database(database_url: str, manifest: dict[str, Any]) -> str | None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            problems = compare_tables(manifest["tables"], table_digests(connection))
            revision = alembic_revision(connection)
    finally:
        engine.dispose()
    if problems:
        raise BackupError("恢复后的数据库与备份清单不一致：" + "；".join(problems[:10]))
    return revision


# ---- the whole ----------------------------------------------------------------------------------------

def restore_backup(archive: Path, database_url: str, data_dir: Path, *, force: bool = False) -> RestoreResult:
    """Restore ``archive`` into the instance of ``database_url`` and ``data_dir`` (see module doc)."""
    data_dir = data_dir.resolve()
    with tempfile.TemporaryDirectory(prefix="ipbureau-restore-") as work:
        workdir = Path(work)
        manifest = unpack(archive.resolve(), workdir)
        head = _check_revision(manifest, database_url)
        engine_name = manifest["database"]["engine"]
        _check_target(database_url, engine_name, data_dir, manifest, force)

        dump = workdir / manifest["database"]["member"]
        if engine_name == "sqlite":
            _restore_sqlite(database_url, dump)
        else:
            _restore_postgres(database_url, dump, force)
        revision = _verify_database(database_url, manifest)
        if revision != head:
            upgrade(database_url)

        for name, entry in manifest["files"].items():
            target = data_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(workdir / FILES_DIR / name, target)
            if sha256_of(target) != entry["sha256"]:
                raise BackupError(f"文件 {name} 写入后校验和与清单不符（磁盘问题？）")
    return RestoreResult(manifest, revision, head, files=len(manifest["files"]))
