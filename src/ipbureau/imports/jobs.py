"""Background import jobs for the web: the upload returns at once and the page polls progress.

Jobs live in this process's memory (one server process); the durable record of
each import is its ImportBatch row.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from ipbureau.database.core import get_sessionmaker
from ipbureau.imports.errors import FileRejected, ImportFailed
from ipbureau.imports.kinds import ImportKind
from ipbureau.imports.kinds import run as run_import_of_kind


@dataclass
class ImportJob:
    id: str
    filename: str
    state: str = "queued"  # queued | running | succeeded | failed
    done: int = 0
    total: int = 0
    message: str = ""
    batch_id: int | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_jobs: dict[str, ImportJob] = {}
_lock = threading.Lock()


def get_job(job_id: str) -> ImportJob | None:
    return _jobs.get(job_id)


def start_import(kind: ImportKind, data: bytes, filename: str, actor_id: int | None, dataset: Any) -> ImportJob:
    job = ImportJob(id=uuid.uuid4().hex, filename=filename)
    with _lock:
        _jobs[job.id] = job
    thread = threading.Thread(target=_run, args=(job, kind, data, filename, actor_id, dataset), daemon=True)
    thread.start()
    return job


def _run(job: ImportJob, kind: ImportKind, data: bytes, filename: str, actor_id: int | None, dataset: Any) -> None:
    from ipbureau.auth.models import User

    job.state = "running"
    session = get_sessionmaker()()
    try:
        actor = session.get(User, actor_id) if actor_id else None

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, max(total, done)

        result = run_import_of_kind(kind, session, data, filename, actor=actor, dataset=dataset, progress=progress)
        job.batch_id = result.batch_id
        job.state = "succeeded"
        job.message = f"导入完成：共 {result.total_rows} 行，新增 {result.inserted}，更新 {result.updated}，未变 {result.unchanged}"
    except ImportFailed as exc:
        job.state = "failed"
        job.batch_id = exc.batch_id
        job.message = "导入失败，未写入任何记录"
        job.problems = [p.as_dict() for p in exc.problems]
    except FileRejected as exc:
        job.state = "failed"
        job.message = str(exc)
    except Exception as exc:  # a bug must still end the job visibly
        job.state = "failed"
        job.message = f"导入时发生内部错误：{type(exc).__name__}"
        raise
    finally:
        session.close()
