"""Screening runs as background jobs (``ipbureau.jobs``): the form returns at once and the page polls progress,
on whichever worker process answers.

The job works outside the request, on sessions of its own (``session_scope``): the run's row is committed first,
so that the page shows it running, then the screening is committed as a whole, or the row is marked failed.
A job left unfinished by a stopped process is failed at the next start, and so is its run's row.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.core.errors import Conflict, NotFound
from ipbureau.database.core import session_scope, utcnow
from ipbureau.jobs import service as jobs
from ipbureau.jobs.models import BackgroundJob
from ipbureau.policy import policy
from ipbureau.protection.screening.enums import RunState
from ipbureau.protection.screening.flows import check_range, run_screening
from ipbureau.protection.screening.models import ScreeningRun
from ipbureau.protection.screening.schemas import JobRead, RunCreate
from ipbureau.protection.screening.scoring import Parameters

KIND = "screening"
INTERRUPTED = "服务重启时筛查未完成，已整体回滚，请重新运行"


def _fail_run(session: Session, row: BackgroundJob) -> None:
    run = session.get(ScreeningRun, row.result_id) if row.result_id else None
    if run is not None and run.state == RunState.RUNNING:
        run.state, run.message, run.finished_at = RunState.FAILED, INTERRUPTED, utcnow()


# One screening at a time in a process: two runs over overlapping ranges would replace each other's flags.
jobs.register_kind(jobs.JobKind(KIND, internal_error="筛查时发生内部错误", interrupted=INTERRUPTED,
                                on_interrupted=_fail_run, exclusive=threading.Lock()))


def read(job: jobs.JobStatus) -> JobRead:
    return JobRead(id=job.id, state=job.state, stage=job.stage, done=job.done, total=job.total, message=job.message,
                   run_id=job.result_id)


def start_run(session: Session, actor: Any, request: RunCreate) -> JobRead:
    """Start a screening in the background (city staff: a run replaces the flags of a whole range)."""
    policy.authorize(session, actor, "screening.run", "run")
    check_range(request.filed_from, request.filed_to)
    if jobs.active(session, KIND):  # on any worker: the lock below holds in one process only
        raise Conflict("已有筛查任务正在运行，请等待其结束后再开始")
    job = start_screening(request.dataset.value, request.filed_from, request.filed_to, actor.id)
    return JobRead(id=job.id, state=job.state, stage="", done=0, total=0, message="", run_id=None)


def job_status(session: Session, job_id: str) -> jobs.JobStatus | None:
    return jobs.status(session, job_id, KIND)


def job_of(session: Session, actor: Any, job_id: str) -> JobRead:
    policy.require(actor, "screening.run", "view")
    job = job_status(session, job_id)
    if job is None:
        raise NotFound("筛查任务")
    return read(job)


def _range(filed_from: date | None, filed_to: date | None) -> str:
    return f"申请日 {filed_from or '不限'} 至 {filed_to or '不限'}"


def start_screening(dataset: str, filed_from: date | None, filed_to: date | None,
                    actor_id: int | None) -> jobs.LiveJob:
    def work(context: jobs.JobContext) -> jobs.Outcome:
        def progress(stage: str, done: int, total: int) -> None:
            context.report(done, total, stage)

        with session_scope() as session:  # committed at once: the run is visible (运行中) while it works
            run = ScreeningRun(dataset=dataset, filed_from=filed_from, filed_to=filed_to, state=RunState.RUNNING,
                               parameters=Parameters().as_dict(), started_by=actor_id)
            session.add(run)
            session.flush()
            run_id = run.id
        context.produced(run_id)
        try:
            with session_scope() as session:
                actor = session.get(User, actor_id) if actor_id else None
                run = run_screening(session, dataset=dataset, filed_from=filed_from, filed_to=filed_to, actor=actor,
                                    progress=progress, run=session.get(ScreeningRun, run_id))
                return jobs.Outcome(run.message or "筛查完成", result_id=run_id)
        except Exception as exc:
            message = f"筛查失败：{exc}" if isinstance(exc, ValueError) else f"筛查时发生内部错误：{type(exc).__name__}"
            with session_scope() as session:
                failed = session.get(ScreeningRun, run_id)
                if failed is not None:
                    failed.state, failed.message, failed.finished_at = RunState.FAILED, message, utcnow()
            if isinstance(exc, ValueError):
                raise jobs.JobFailed(message, result_id=run_id, error=exc) from exc
            raise

    return jobs.start(KIND, _range(filed_from, filed_to), work, dataset=dataset, actor_id=actor_id)
