"""Imports as the web offers them: start one (a job), wait for it, follow it, and read the import records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.core.errors import AppError, NotFound
from ipbureau.database.core import paginate
from ipbureau.imports import jobs
from ipbureau.imports.jobs import ImportJob, JobStatus
from ipbureau.imports.models import ImportBatch
from ipbureau.imports.runner import ImportResult
from ipbureau.imports.schemas import ImportOptions
from ipbureau.policy import policy

BATCHES_PER_PAGE = 30


class JobNotFound(NotFound):
    def __init__(self) -> None:
        AppError.__init__(self, "", "导入任务不存在")


def list_batches(session: Session, user: Any, *, offset: int = 0,
                 limit: int = BATCHES_PER_PAGE) -> tuple[list[ImportBatch], int]:
    """The import records the user may read, newest first."""
    query = policy.scoped(select(ImportBatch), user, "import", "run")
    return paginate(session, query, ImportBatch.id.desc(), offset=offset, limit=limit)


def get_batch(session: Session, user: Any, batch_id: int) -> ImportBatch:
    return policy.get(session, user, "import", batch_id, action="run")


def upload_path(filename: str) -> Path:
    """Where an upload is saved as it arrives (the job started for it then owns the file)."""
    return jobs.upload_path(filename)


def start_import(session: Session, user: Any, options: ImportOptions, path: Path, filename: str) -> ImportJob:
    """Import a file saved at ``path`` in the background (all or nothing, idempotent); the job is recorded, reports
    progress and the end, and deletes the file."""
    policy.authorize(session, user, "import", "run")
    return jobs.start_import(options.kind, path, filename, user.id, options.dataset)


def import_file(session: Session, user: Any, options: ImportOptions, path: Path, filename: str) -> ImportResult:
    """Import a file and wait for the end: the result, or FileRejected / ImportFailed."""
    return start_import(session, user, options, path, filename).outcome()


def job_of(session: Session, user: Any, job_id: str) -> JobStatus:
    policy.authorize(session, user, "import", "run")
    status = jobs.job_status(session, job_id)
    if status is None:
        raise JobNotFound()
    return status


def recent_jobs(session: Session, user: Any) -> list[JobStatus]:
    """The latest import jobs, with their state and the reason of a failure (the upload page lists them)."""
    policy.authorize(session, user, "import", "run")
    return jobs.recent_jobs(session)
