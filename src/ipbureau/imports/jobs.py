"""Import jobs: a file is imported in a thread of its own, with a session of its own, while the upload page
polls its progress (or the API waits for its end).

The runner commits (or rolls back and records the failed attempt) in that session, outside any request's unit
of work. Jobs live in this process's memory (one server process); the durable record of each import is its
ImportBatch row.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from ipbureau.auth.models import User
from ipbureau.database.core import get_sessionmaker
from ipbureau.imports.errors import FileRejected, ImportFailed
from ipbureau.imports.kinds import ImportKind
from ipbureau.imports.kinds import run as run_import_of_kind
from ipbureau.imports.runner import ImportResult


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
    job.state = "running"
    session = get_sessionmaker()()
    try:
        actor = session.get(User, actor_id) if actor_id else None

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, max(total, done)

        result = run_import_of_kind(kind, session, data, filename, actor=actor, dataset=dataset, progress=progress)
        job.result = result
        job.batch_id = result.batch_id
        job.state = "succeeded"
        job.message = f"导入完成：共 {result.total_rows} 行，新增 {result.inserted}，更新 {result.updated}，未变 {result.unchanged}"
    except ImportFailed as exc:
        job.error = exc
        job.state = "failed"
        job.batch_id = exc.batch_id
        job.message = "导入失败，未写入任何记录"
        job.problems = [p.as_dict() for p in exc.problems]
    except FileRejected as exc:
        job.error = exc
        job.state = "failed"
        job.message = str(exc)
    except Exception as exc:  # a bug must still end the job visibly
        job.error = exc
        job.state = "failed"
        job.message = f"导入时发生内部错误：{type(exc).__name__}"
        raise
    finally:
        session.close()
        job.finished.set()
