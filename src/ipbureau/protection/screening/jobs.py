"""Screening runs as background jobs for the web: the form returns at once and the page polls progress.

Jobs live in this process's memory (one server process), as import jobs do; the durable record
of each run is its ScreeningRun row. A job works outside the request, on sessions of its own
(``session_scope``): the run's row is committed first, so that the page shows it running, then
the screening is committed as a whole, or the row is marked failed.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.core.errors import NotFound
from ipbureau.database.core import session_scope, utcnow
from ipbureau.policy import policy
from ipbureau.protection.screening.enums import RunState
from ipbureau.protection.screening.flows import check_range, run_screening
from ipbureau.protection.screening.models import ScreeningRun
from ipbureau.protection.screening.schemas import JobRead, RunCreate
from ipbureau.protection.screening.scoring import Parameters


@dataclass
class ScreeningJob:
    id: str
    state: str = "queued"  # queued | running | succeeded | failed
    stage: str = ""
    done: int = 0
    total: int = 0
    message: str = ""
    run_id: int | None = None

    def read(self) -> JobRead:
        return JobRead(**self.__dict__)


_jobs: dict[str, ScreeningJob] = {}
_lock = threading.Lock()
# One screening at a time: two runs over overlapping ranges would replace each other's flags.
_running = threading.Lock()


def get_job(job_id: str) -> ScreeningJob | None:
    return _jobs.get(job_id)


def start_run(session: Session, actor: Any, request: RunCreate) -> ScreeningJob:
    """Start a screening in the background (city staff: a run replaces the flags of a whole range)."""
    policy.authorize(session, actor, "screening.run", "run")
    check_range(request.filed_from, request.filed_to)
    return start_screening(request.dataset.value, request.filed_from, request.filed_to, actor.id)


def job_of(actor: Any, job_id: str) -> ScreeningJob:
    policy.require(actor, "screening.run", "view")
    job = get_job(job_id)
    if job is None:
        raise NotFound("筛查任务")
    return job


def start_screening(dataset: str, filed_from: date | None, filed_to: date | None, actor_id: int | None) -> ScreeningJob:
    job = ScreeningJob(id=uuid.uuid4().hex)
    with _lock:
        _jobs[job.id] = job
    thread = threading.Thread(target=_run, args=(job, dataset, filed_from, filed_to, actor_id), daemon=True)
    thread.start()
    return job


def _run(job: ScreeningJob, dataset: str, filed_from: date | None, filed_to: date | None, actor_id: int | None) -> None:
    def progress(stage: str, done: int, total: int) -> None:
        job.stage, job.done, job.total = stage, done, max(total, done)

    with _running:
        job.state = "running"
        try:
            with session_scope() as session:  # committed at once: the run is visible (运行中) while it works
                run = ScreeningRun(dataset=dataset, filed_from=filed_from, filed_to=filed_to, state=RunState.RUNNING,
                                   parameters=Parameters().as_dict(), started_by=actor_id)
                session.add(run)
                session.flush()
                job.run_id = run.id
            with session_scope() as session:
                actor = session.get(User, actor_id) if actor_id else None
                run = run_screening(session, dataset=dataset, filed_from=filed_from, filed_to=filed_to, actor=actor,
                                    progress=progress, run=session.get(ScreeningRun, job.run_id))
                message = run.message or "筛查完成"
            job.message, job.state = message, "succeeded"
        except Exception as exc:  # a bug must still end the job visibly
            job.state = "failed"
            job.message = f"筛查失败：{exc}" if isinstance(exc, ValueError) else f"筛查时发生内部错误：{type(exc).__name__}"
            if job.run_id is not None:
                with session_scope() as session:
                    failed = session.get(ScreeningRun, job.run_id)
                    if failed is not None:
                        failed.state, failed.message, failed.finished_at = RunState.FAILED, job.message, utcnow()
            if not isinstance(exc, ValueError):
                raise
