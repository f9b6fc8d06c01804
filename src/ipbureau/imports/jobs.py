"""Import jobs: a file is imported in a thread of its own, with a session of its own, while the upload page
polls its progress (or the API waits for its end).

Each job is a row (ImportJobRecord): queued when the upload is saved, running, then succeeded or failed with its
reason. The import itself is one transaction, committed at its end or rolled back, so a process killed in the
middle leaves none of the file's rows; the row of its job still says "running", and the next start of the
application (``recover_interrupted_jobs``) marks it failed with the reason. While a job runs, its progress is
kept in this process's memory: the import transaction holds SQLite's one write lock until it ends, so progress
cannot be committed beside it.

The uploaded file waits on disk (``spool_dir``, named by the job) and is read from there as a stream.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.config import get_settings
from ipbureau.database.core import get_sessionmaker, session_scope, utcnow
from ipbureau.enums import Dataset
from ipbureau.imports.errors import FileRejected, ImportFailed
from ipbureau.imports.kinds import ImportKind
from ipbureau.imports.kinds import run as run_import_of_kind
from ipbureau.imports.models import ImportJobRecord
from ipbureau.imports.runner import MAX_PROBLEMS, ImportResult

log = logging.getLogger(__name__)
INTERRUPTED = "服务重启时导入未完成，已整体回滚，请重新导入"
ACTIVE_STATES = ("queued", "running")


@dataclass
class ImportJob:
    """A job running in this process: its live progress and, once it has ended, its outcome."""

    id: str
    filename: str
    state: str = "queued"  # queued | running | succeeded | failed
    done: int = 0
    total: int = 0
    message: str = ""
    batch_id: int | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    result: ImportResult | None = None
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    def outcome(self) -> ImportResult:
        """Wait for the job to end: its result, or the error that ended it (FileRejected, ImportFailed...)."""
        self.finished.wait()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


@dataclass(frozen=True)
class JobStatus:
    """What a job's page and API show: the row, with the live progress when it runs in this process."""

    id: str
    filename: str
    kind: str
    state: str
    done: int
    total: int
    message: str
    batch_id: int | None
    problems: list[dict[str, Any]]
    created_at: Any
    finished_at: Any


_jobs: dict[str, ImportJob] = {}
_lock = threading.Lock()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def spool_dir() -> Path:
    path = get_settings().data_dir / "import-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def spool_path(job_id: str, filename: str) -> Path:
    return spool_dir() / f"{job_id}{Path(filename).suffix.lower()[:8]}"


def upload_path(filename: str) -> Path:
    """Where an upload is saved while it arrives; starting its job renames it to ``spool_path``."""
    return spool_dir() / f"upload-{uuid.uuid4().hex}{Path(filename).suffix.lower()[:8]}"


def get_job(job_id: str) -> ImportJob | None:
    """The live job of this process (tests wait on it); the durable record is ``job_status``."""
    return _jobs.get(job_id)


def job_status(session: Session, job_id: str) -> JobStatus | None:
    row = session.get(ImportJobRecord, job_id)
    if row is None:
        return None
    live = _jobs.get(job_id)
    done, total, state = row.done, row.total, row.state
    if live is not None and row.state in ACTIVE_STATES:
        done, total, state = live.done, live.total, live.state if live.state in ACTIVE_STATES else row.state
    return JobStatus(id=row.id, filename=row.filename, kind=row.kind, state=state, done=done, total=total,
                     message=row.message, batch_id=row.batch_id, problems=row.problems, created_at=row.created_at,
                     finished_at=row.finished_at)


def recent_jobs(session: Session, limit: int = 20) -> list[JobStatus]:
    ids = session.scalars(select(ImportJobRecord.id).order_by(ImportJobRecord.created_at.desc()).limit(limit)).all()
    return [status for job_id in ids if (status := job_status(session, job_id)) is not None]


def new_job_id() -> str:
    return uuid.uuid4().hex


def start_import(kind: ImportKind, path: Path, filename: str, actor_id: int | None, dataset: Any, *,
                 job_id: str | None = None) -> ImportJob:
    """Record a queued job for the file at ``path`` (which the job owns and deletes) and run it in a thread."""
    job = ImportJob(id=job_id or new_job_id(), filename=filename)
    if path.parent == spool_dir():
        path = path.rename(spool_path(job.id, filename))
    _record_queued(job, kind, actor_id, dataset)
    with _lock:
        _jobs[job.id] = job
    thread = threading.Thread(target=run_job, args=(job, kind, path, filename, actor_id, dataset), daemon=True)
    thread.start()
    return job


def _record_queued(job: ImportJob, kind: ImportKind, actor_id: int | None, dataset: Any) -> None:
    # The job's own session, committed at once: the page it redirects to must find the row.
    with session_scope() as session:
        session.add(ImportJobRecord(id=job.id, kind=ImportKind(kind).value, filename=job.filename[:255],
                                    dataset=getattr(dataset, "value", dataset), state="queued", worker=worker_name(),
                                    created_by=actor_id, problems=[]))


def run_import_job(kind: ImportKind, path: Path, filename: str, *, actor_id: int | None = None,
                   dataset: Dataset = Dataset.REAL, progress: Any = None, keep_file: bool = True) -> ImportJob:
    """Run a job in this thread (CLI, scripts): recorded like a web job; returns the ended job."""
    dataset = Dataset(dataset)
    job = ImportJob(id=new_job_id(), filename=filename)
    _record_queued(job, kind, actor_id, dataset)
    run_job(job, kind, path, filename, actor_id, dataset, progress=progress, keep_file=keep_file)
    return job


def run_job(job: ImportJob, kind: ImportKind, path: Path, filename: str, actor_id: int | None, dataset: Any,
            progress: Any = None, keep_file: bool = False) -> None:
    session = get_sessionmaker()()
    try:
        record = session.get(ImportJobRecord, job.id)
        assert record is not None
        record.state, record.started_at = "running", utcnow()
        session.commit()  # visible to other processes before the import's own transaction begins
        job.state = "running"
        actor = session.get(User, actor_id) if actor_id else None

        def report(done: int, total: int) -> None:
            job.done, job.total = done, max(total, done)
            if progress:
                progress(job.done, job.total)

        try:
            result = run_import_of_kind(kind, session, path, filename, actor=actor, dataset=dataset, progress=report)
            job.result, job.batch_id, job.state = result, result.batch_id, "succeeded"
            job.message = (f"导入完成：共 {result.total_rows} 行，新增 {result.inserted}，更新 {result.updated}，"
                           f"未变 {result.unchanged}")
        except ImportFailed as exc:
            job.error, job.state, job.batch_id = exc, "failed", exc.batch_id
            job.message = "导入失败，未写入任何记录"
            job.problems = [p.as_dict() for p in exc.problems[:MAX_PROBLEMS]]
        except FileRejected as exc:
            job.error, job.state, job.message = exc, "failed", str(exc)
        except Exception as exc:  # a bug must still end the job visibly
            session.rollback()
            job.error, job.state = exc, "failed"
            job.message = f"导入时发生内部错误：{type(exc).__name__}"
            log.exception("import job %s failed", job.id)
        _record_end(session, job)
    finally:
        session.close()
        if not keep_file:
            path.unlink(missing_ok=True)
        job.finished.set()


def _record_end(session: Session, job: ImportJob) -> None:
    record = session.get(ImportJobRecord, job.id)
    if record is None:
        return
    record.state, record.message, record.problems = job.state, job.message[:1000], job.problems
    record.batch_id, record.finished_at = job.batch_id, utcnow()
    record.done, record.total = job.done, max(job.total, job.done)
    session.commit()


def _process_gone(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's job: it cannot be checked from here
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover_interrupted_jobs(session: Session) -> int:
    """Mark failed the jobs left queued or running by a process of this machine that no longer exists (killed,
    or restarted): their import transaction never committed, so nothing of their file is in the database."""
    count = 0
    for record in session.scalars(select(ImportJobRecord).where(ImportJobRecord.state.in_(ACTIVE_STATES))):
        if _process_gone(record.worker):
            record.state, record.message, record.finished_at = "failed", INTERRUPTED, utcnow()
            spool_path(record.id, record.filename).unlink(missing_ok=True)
            count += 1
    return count


def recover_at_start_up() -> int:
    """Called when the application starts (and by the CLI before an import). A database that is not there or not
    migrated yet is not this function's business: it logs and returns."""
    try:
        with session_scope() as session:
            count = recover_interrupted_jobs(session)
    except SQLAlchemyError as exc:
        log.warning("import jobs were not checked at start-up: %s", exc)
        return 0
    if count:
        log.warning("%d import job(s) left unfinished by a stopped process were marked failed", count)
    return count
