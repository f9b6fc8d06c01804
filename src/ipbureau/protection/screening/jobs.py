"""Screening runs as background jobs for the web: the form returns at once and the page polls progress.

Jobs live in this process's memory (one server process), as import jobs do; the durable record
of each run is its ScreeningRun row.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from ipbureau.database.core import get_sessionmaker, utcnow
from ipbureau.protection.screening.enums import RunState
from ipbureau.protection.screening.models import ScreeningRun


@dataclass
class ScreeningJob:
    id: str
    state: str = "queued"  # queued | running | succeeded | failed
    stage: str = ""
    done: int = 0
    total: int = 0
    message: str = ""
    run_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_jobs: dict[str, ScreeningJob] = {}
_lock = threading.Lock()
# One screening at a time: two runs over overlapping ranges would replace each other's flags.
_running = threading.Lock()


def get_job(job_id: str) -> ScreeningJob | None:
    return _jobs.get(job_id)


def start_screening(dataset: str, filed_from: date | None, filed_to: date | None, actor_id: int | None) -> ScreeningJob:
    job = ScreeningJob(id=uuid.uuid4().hex)
    with _lock:
        _jobs[job.id] = job
    thread = threading.Thread(target=_run, args=(job, dataset, filed_from, filed_to, actor_id), daemon=True)
    thread.start()
    return job


def _run(job: ScreeningJob, dataset: str, filed_from: date | None, filed_to: date | None, actor_id: int | None) -> None:
    from ipbureau.auth.models import User
    from ipbureau.protection.screening.flows import run_screening

    with _running:
        job.state = "running"
        session = get_sessionmaker()()
        run_id = None
        try:
            actor = session.get(User, actor_id) if actor_id else None
            run = ScreeningRun(dataset=dataset, filed_from=filed_from, filed_to=filed_to, state=RunState.RUNNING,
                               started_by=actor_id)
            session.add(run)
            session.commit()  # the run is visible (运行中) while it works
            run_id = job.run_id = run.id

            def progress(stage: str, done: int, total: int) -> None:
                job.stage, job.done, job.total = stage, done, max(total, done)

            from ipbureau.protection.screening.scoring import Parameters

            run.parameters = Parameters().as_dict()
            run_screening(session, dataset=dataset, filed_from=filed_from, filed_to=filed_to, actor=actor,
                          progress=progress, run=run)
            session.commit()
            job.state = "succeeded"
            job.message = run.message or "筛查完成"
        except Exception as exc:  # a bug must still end the job visibly
            session.rollback()
            job.state = "failed"
            job.message = f"筛查失败：{exc}" if isinstance(exc, ValueError) else f"筛查时发生内部错误：{type(exc).__name__}"
            if run_id is not None:
                failed = session.get(ScreeningRun, run_id)
                if failed is not None:
                    failed.state, failed.message, failed.finished_at = RunState.FAILED, job.message, utcnow()
                    session.commit()
            if not isinstance(exc, ValueError):
                raise
        finally:
            session.close()
