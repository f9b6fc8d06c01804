"""Backup and restore (issue 11.7): an instance with patents, a pre-examination case with its uploaded document and a
listing is backed up, restored into a fresh instance (a new SQLite file, or a new PostgreSQL database when the
suite runs on PostgreSQL) and found the same: record counts, content checksums, document bytes. A target that holds
records is refused (unless --force); an archive of an older schema is migrated on restore; a damaged or altered
archive is refused with a clear message before anything is touched."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from ipbureau.cli import app as cli
from ipbureau.config import get_settings
from ipbureau.database.core import get_engine, make_engine, reset_engine_cache
from ipbureau.database.migrate import upgrade
from ipbureau.market.models import Listing
from ipbureau.ops.backup import create_backup
from ipbureau.ops.manifest import MANIFEST, BackupError, table_digests
from ipbureau.ops.restore import restore_backup
from ipbureau.patents.models import Patent
from ipbureau.protection.preexam import service as preexam
from ipbureau.protection.preexam.models import Document
from ipbureau.reference import service as reference
from tests.market.test_market import _listing, add_patent
from tests.preexam.test_preexam_kernel import _centre, _file, _submit

runner = CliRunner()
PDF = b"%PDF-1.4 backup test document\n" + bytes(range(256)) * 64
OLDER_REVISION = "0016"  # before 0017 added the version columns


@pytest.fixture
def fresh_instance(test_env, tmp_path) -> Iterator[tuple[str, Path]]:
    """An empty instance beside the suite's: its database URL (a new SQLite file, or a new PostgreSQL database on
    the suite's server) and its data dir."""
    data_dir = tmp_path / "fresh"
    data_dir.mkdir()
    url = test_env["IPBUREAU_DATABASE_URL"]
    if url.startswith("sqlite"):
        yield f"sqlite:///{data_dir / 'ipbureau.db'}", data_dir
        return
    base = make_url(url)
    name = f"{base.database}_restored"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False), data_dir
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _digests(url: str) -> dict:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return table_digests(connection)
    finally:
        engine.dispose()


def _count(url: str, model) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model))
    finally:
        engine.dispose()


@pytest.mark.committing  # the backup reads the database through its own connection
def test_backup_restores_into_a_fresh_instance_with_the_same_records_and_files(db, users, enterprise, test_env,
                                                                                 fresh_instance, tmp_path):
    patents = [add_patent(db, enterprise) for _ in range(3)]
    staff = users["bureau_staff"]
    centre = _centre(db)
    _file(db, staff, enterprise, centre, ipc_fields="G06F")
    case = _submit(db, users["enterprise"], centre=centre)
    preexam.upload_documents(db, case.id, [preexam.Upload("说明书.pdf", "application/pdf", PDF)], actor=staff)
    listing = _listing(db, users, enterprise, patents=patents[:1])
    db.commit()
    document = db.scalar(select(Document).where(Document.case_id == case.id))

    archive = tmp_path / "instance.tar.gz"
    made = runner.invoke(cli, ["backup", "--to", str(archive)])
    assert made.exit_code == 0, made.output
    assert "备份已完成" in made.output
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
        members = set(tar.getnames())
    source_url = test_env["IPBUREAU_DATABASE_URL"]
    assert manifest["tables"] == _digests(source_url)  # the manifest describes the database as it is
    assert manifest["tables"]["patent"]["rows"] == 3 and manifest["tables"]["market_listing"]["rows"] == 1
    # The suite's data dir is shared by every test (other tests leave notices in its outbox): the manifest lists
    # exactly what is on disk, the document among it.
    on_disk = {path.relative_to(get_settings().data_dir).as_posix()
               for path in get_settings().data_dir.rglob("*") if path.is_file()}
    assert set(manifest["files"]) <= on_disk
    assert manifest["files"][document.stored_path] == {"size": len(PDF), "sha256": document.sha256}
    assert f"files/{document.stored_path}" in members
    assert not any(name.startswith("files/search-index") or name.endswith("secret_key") for name in members)

    fresh_url, fresh_dir = fresh_instance
    result = restore_backup(archive, fresh_url, fresh_dir)
    assert result.revision_before == result.revision_after == manifest["alembic_revision"]
    assert "记录数与内容校验和均与清单一致" in result.summary()
    assert _digests(fresh_url) == manifest["tables"]
    assert _count(fresh_url, Patent) == 3 and _count(fresh_url, Listing) == 1
    assert (fresh_dir / document.stored_path).read_bytes() == PDF
    assert _count(fresh_url, Listing) == db.scalar(select(func.count()).select_from(Listing))
    assert listing.id is not None

    with pytest.raises(BackupError) as refused:
        restore_backup(archive, fresh_url, fresh_dir)
    assert "目标数据库不是空的" in refused.value.message and "--force" in refused.value.message
    again = restore_backup(archive, fresh_url, fresh_dir, force=True)
    assert again.files == len(manifest["files"]) and _digests(fresh_url) == manifest["tables"]


# ---- an instance of an older schema, on SQLite, of its own --------------------------------------------------

@pytest.fixture(scope="module")
def older_archive(tmp_path_factory) -> tuple[Path, dict]:
    """An archive of a small instance migrated only to 0016 (before the version columns), with one document."""
    home = tmp_path_factory.mktemp("older")
    url = f"sqlite:///{home / 'ipbureau.db'}"
    upgrade(url, OLDER_REVISION)
    engine = make_engine(url)
    try:
        from sqlalchemy.orm import Session

        with Session(engine) as session:
            reference.load_districts(session)
            session.commit()
    finally:
        engine.dispose()
    (home / "preexam" / "7").mkdir(parents=True)
    (home / "preexam" / "7" / "doc.pdf").write_bytes(PDF)
    archive = home / "older.tar.gz"
    result = create_backup(url, home, target=archive)
    assert result.manifest["alembic_revision"] == OLDER_REVISION
    return archive, result.manifest


@pytest.fixture
def instance_env(monkeypatch, tmp_path) -> Iterator[Path]:
    """The CLI's settings pointed at a fresh SQLite instance under tmp_path (restored to the suite's afterwards)."""
    home = tmp_path / "cli-instance"
    monkeypatch.setenv("IPBUREAU_DATA_DIR", str(home))
    monkeypatch.setenv("IPBUREAU_DATABASE_URL", f"sqlite:///{home / 'ipbureau.db'}")
    monkeypatch.setenv("IPBUREAU_SEARCH_INDEX_DIR", str(home / "search-index"))
    get_settings.cache_clear()
    reset_engine_cache()
    yield home
    monkeypatch.undo()
    get_settings.cache_clear()
    reset_engine_cache()


def test_an_older_backup_is_migrated_on_restore_by_the_command(older_archive, instance_env):
    archive, manifest = older_archive
    result = runner.invoke(cli, ["restore", str(archive)])
    assert result.exit_code == 0, result.output
    assert "恢复完成" in result.output and f"已从版本 {OLDER_REVISION} 升级到" in result.output
    assert "检索索引已重建：0 件专利" in result.output
    engine = get_engine()
    with engine.connect() as connection:
        assert "version" in {c["name"] for c in inspect(connection).get_columns("preexam_case")}
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) != OLDER_REVISION
        assert connection.scalar(text("SELECT count(*) FROM district")) == manifest["tables"]["district"]["rows"] > 0
    assert (instance_env / "preexam" / "7" / "doc.pdf").read_bytes() == PDF


def _rewritten(archive: Path, target: Path, change) -> Path:
    """A copy of the archive with ``change(name, data) -> data | None`` applied to each member (None drops it)."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                copy.addfile(member, io.BytesIO(data))
    return target


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0xFF])


@pytest.mark.parametrize(("damage", "message"), [
    ("truncated", "无法读取压缩包"),
    ("not_gzip", "无法读取压缩包"),
    ("document_altered", "files/preexam/7/doc.pdf 的校验和与清单不符"),
    ("database_altered", "的校验和与清单不符"),
    ("manifest_missing", "缺少清单"),
    ("extra_file", "清单未列出的文件"),
])
def test_a_damaged_or_altered_archive_is_refused_before_anything_is_restored(older_archive, tmp_path, damage,
                                                                             message):
    archive, _manifest = older_archive
    bad = tmp_path / "bad.tar.gz"
    if damage == "truncated":
        bad.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif damage == "not_gzip":
        bad.write_bytes(gzip.decompress(archive.read_bytes())[:4096])
    elif damage == "document_altered":
        _rewritten(archive, bad, lambda name, data: _flip_last_byte(data) if name.endswith("doc.pdf") else data)
    elif damage == "database_altered":
        _rewritten(archive, bad, lambda name, data: _flip_last_byte(data) if name.startswith("database/") else data)
    elif damage == "manifest_missing":
        _rewritten(archive, bad, lambda name, data: None if name == MANIFEST else data)
    else:
        with tarfile.open(bad, "w:gz") as tar, tarfile.open(archive, "r:gz") as source:
            for member in source.getmembers():
                tar.addfile(member, source.extractfile(member))
            extra = tarfile.TarInfo("files/planted.sh")
            extra.size = 3
            tar.addfile(extra, io.BytesIO(b"rm\n"))
    target_dir = tmp_path / "target"
    with pytest.raises(BackupError) as refused:
        restore_backup(bad, f"sqlite:///{target_dir / 'ipbureau.db'}", target_dir)
    assert "备份文件已损坏或不是 ipbureau 的备份，未做任何恢复" in refused.value.message
    assert message in refused.value.message
    assert not target_dir.exists()  # nothing written


def test_the_restore_command_prints_the_refusal_and_exits_non_zero(older_archive, instance_env, tmp_path):
    bad = tmp_path / "half.tar.gz"
    archive, _manifest = older_archive
    bad.write_bytes(archive.read_bytes()[:1000])
    result = runner.invoke(cli, ["restore", str(bad)])
    assert result.exit_code == 1
    assert "备份文件已损坏" in result.output
