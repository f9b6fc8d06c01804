"""Import jobs: a file is imported in a background job (``ipbureau.jobs``), with a session of its own, while the
upload page polls its progress (or the API waits for its end).

The import itself is one transaction, committed at its end or rolled back, so a process killed in the middle
leaves none of the file's rows; its job's row still says "running", and the next start of the application marks
it failed with ``INTERRUPTED``. The uploaded file waits on disk (``spool_dir``, named by the job) and is read from
there as a stream.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.config import get_settings
from ipbureau.database.core import get_sessionmaker
from ipbureau.enums import Dataset
from ipbureau.imports.errors import FileRejected, ImportFailed
from ipbureau.imports.kinds import ImportKind
from ipbureau.imports.kinds import run as run_import_of_kind
from ipbureau.imports.runner import MAX_PROBLEMS, ImportResult
from ipbureau.jobs import service as jobs
from ipbureau.jobs.models import BackgroundJob
from ipbureau.jobs.service import (  # noqa: F401  (the import jobs' names for the generic ones)
    LiveJob,
    new_job_id,
    recover_at_start_up,
    recover_interrupted_jobs,
    worker_name,
)

log = logging.getLogger(__name__)
INTERRUPTED = "服务重启时导入未完成，已整体回滚，请重新导入"
KIND = "import"


def spool_dir() -> Path:
    path = get_settings().data_dir / "import-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def spool_path(job_id: str, filename: str) -> Path:
    return spool_dir() / f"{job_id}{Path(filename).suffix.lower()[:8]}"


def upload_path(filename: str) -> Path:
    """Where an upload is saved while it arrives; starting its job renames it to ``spool_path``."""
    return spool_dir() / f"upload-{new_job_id()}{Path(filename).suffix.lower()[:8]}"


def _forget_upload(_session: Session, row: BackgroundJob) -> None:
    spool_path(row.id, row.subject).unlink(missing_ok=True)


jobs.register_kind(jobs.JobKind(KIND, internal_error="导入时发生内部错误", interrupted=INTERRUPTED,
                                on_interrupted=_forget_upload))


@dataclass(frozen=True)
class JobStatus:
    """What an import job's page and API show (the same on every worker)."""

    id: str
    filename: str
    kind: str  # the import's kind: patent | enterprise | trademark
    state: str
    done: int
    total: int
    message: str
    batch_id: int | None
    problems: list[dict[str, Any]]
    created_at: Any
    finished_at: Any

    @classmethod
    def of(cls, job: jobs.JobStatus) -> JobStatus:
        return cls(id=job.id, filename=job.subject, kind=job.kind.partition(".")[2], state=job.state, done=job.done,
                   total=job.total, message=job.message, batch_id=job.result_id, problems=job.problems,
                   created_at=job.created_at, finished_at=job.finished_at)


class ImportJob(LiveJob):
    """An import job as this process runs it: what it produced is an import batch."""

    @property
    def batch_id(self) -> int | None:
        return self.result_id


def get_job(job_id: str) -> ImportJob | None:
    """The job as this process runs it (tests wait on it); what every worker sees is ``job_status``."""
    job = jobs.live_job(job_id)
    return job if isinstance(job, ImportJob) else None


def job_status(session: Session, job_id: str) -> JobStatus | None:
    job = jobs.status(session, job_id, KIND)
    return None if job is None else JobStatus.of(job)


def recent_jobs(session: Session, limit: int = 20) -> list[JobStatus]:
    return [JobStatus.of(job) for job in jobs.recent(session, KIND, limit)]


# Two imports of overlapping files at once (two staff, or a double submit on two workers): the later one to
# commit finds a record the other has just inserted (a unique key) and is rolled back whole. Run again, it sees
# those records and updates or keeps them, as an import of the same file does.
RACE_ATTEMPTS = 3
RACE_LOST = "导入与同时进行的另一项导入反复冲突，已整体回滚，未写入任何记录，请稍后重新导入"


def _import_retrying_a_lost_race(kind: ImportKind, session: Session, path: Path, filename: str, actor: Any,
                                 dataset: Any, report: Any) -> ImportResult:
    for attempt in range(1, RACE_ATTEMPTS + 1):
        try:
            return run_import_of_kind(kind, session, path, filename, actor=actor, dataset=dataset, progress=report)
        except IntegrityError as exc:
            session.rollback()
            log.warning("import of %s lost a race with another import (attempt %d): %s", filename, attempt, exc)
            if attempt == RACE_ATTEMPTS:
                raise jobs.JobFailed(RACE_LOST, error=exc) from exc
    raise AssertionError("unreachable")


def _work(kind: ImportKind, path: Path, filename: str, actor_id: int | None, dataset: Any, *,
          progress: Any = None, keep_file: bool = False) -> jobs.Work:
    def work(context: jobs.JobContext) -> jobs.Outcome:
        session = get_sessionmaker()()
        try:
            actor = session.get(User, actor_id) if actor_id else None

            def report(done: int, total: int) -> None:
                context.report(done, total)
                if progress:
                    progress(done, max(total, done))

            try:
                result = _import_retrying_a_lost_race(kind, session, path, filename, actor, dataset, report)
            except ImportFailed as exc:
                raise jobs.JobFailed("导入失败，未写入任何记录", result_id=exc.batch_id, error=exc,
                                     problems=[p.as_dict() for p in exc.problems[:MAX_PROBLEMS]]) from exc
            except FileRejected as exc:
                raise jobs.JobFailed(str(exc), error=exc) from exc
            except Exception:
                session.rollback()
                raise
            return jobs.Outcome(f"导入完成：共 {result.total_rows} 行，新增 {result.inserted}，更新 {result.updated}，"
                                f"未变 {result.unchanged}", result_id=result.batch_id, value=result)
        finally:
            session.close()
            if not keep_file:
                path.unlink(missing_ok=True)
    return work


def _kind(kind: ImportKind) -> str:
    return f"{KIND}.{ImportKind(kind).value}"


def start_import(kind: ImportKind, path: Path, filename: str, actor_id: int | None, dataset: Any, *,
                 job_id: str | None = None) -> ImportJob:
    """Record a queued job for the file at ``path`` (which the job owns and deletes) and run it in a thread."""
    job_id = job_id or new_job_id()
    if path.parent == spool_dir():
        path = path.rename(spool_path(job_id, filename))
    job = jobs.start(_kind(kind), filename, _work(kind, path, filename, actor_id, dataset), job_id=job_id,
                     dataset=getattr(dataset, "value", dataset), actor_id=actor_id, handle=ImportJob)
    assert isinstance(job, ImportJob)
    return job


def run_import_job(kind: ImportKind, path: Path, filename: str, *, actor_id: int | None = None,
                   dataset: Dataset = Dataset.REAL, progress: Any = None, keep_file: bool = True) -> ImportJob:
    """Run a job in this thread (CLI, scripts): recorded like a web job; returns the ended job."""
    dataset = Dataset(dataset)
    job = jobs.run(_kind(kind), filename, _work(kind, path, filename, actor_id, dataset, progress=progress,
                                                keep_file=keep_file), dataset=dataset.value, actor_id=actor_id,
                   handle=ImportJob)
    assert isinstance(job, ImportJob)
    return job
