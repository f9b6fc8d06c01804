"""Start, run, follow and recover background jobs.

``start`` records the job (committed at once, so that the page it redirects to finds it on any worker) and runs
its work in a thread of this process; ``run`` runs it in the caller's thread (CLI, scripts). The work is a
function of a ``JobContext``: it reports progress through it and returns an ``Outcome``, or raises ``JobFailed``
with the reason the users see; any other exception ends the job failed with the kind's internal-error message.
``status`` reads the row and, while the job runs, its progress file: it answers the same on every worker.
``recover_interrupted_jobs`` (at start-up) marks failed the jobs of processes of this machine that are gone."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ipbureau.database.core import session_scope, utcnow
from ipbureau.jobs import progress
from ipbureau.jobs.models import BackgroundJob

log = logging.getLogger(__name__)
ACTIVE_STATES = ("queued", "running")
ENDED_STATES = ("succeeded", "failed")
MAX_PROBLEMS = 200
INTERRUPTED = "服务重启时任务未完成，请重新运行"  # for a kind no module has registered


@dataclass(frozen=True)
class JobKind:
    """What differs between kinds of job: the words of an internal error and of an interrupted job, and what to
    clean up when a stopped process left one unfinished (``on_interrupted(session, row)``)."""

    prefix: str  # a job's kind is this prefix, or this prefix, ".", and a variant ("import.patent")
    internal_error: str  # "导入时发生内部错误" -> "导入时发生内部错误：KeyError"
    interrupted: str
    on_interrupted: Callable[[Session, BackgroundJob], None] | None = None
    # Jobs of the kind run one at a time in a process (screening runs would replace each other's flags).
    exclusive: threading.Lock | None = None


_kinds: dict[str, JobKind] = {}


def register_kind(kind: JobKind) -> JobKind:
    _kinds[kind.prefix] = kind
    return kind


def _kind_of(kind: str) -> JobKind | None:
    return _kinds.get(kind.split(".", 1)[0])


@dataclass
class Outcome:
    message: str
    result_id: int | None = None
    value: Any = None  # what the caller waiting in this process gets (an ImportResult)


class JobFailed(Exception):
    """The reason a job failed, as the users read it; ``error`` is what a caller waiting in this process gets."""

    def __init__(self, message: str, *, result_id: int | None = None, problems: list[dict[str, Any]] | None = None,
                 error: BaseException | None = None) -> None:
        super().__init__(message)
        self.message, self.result_id, self.problems, self.error = message, result_id, problems or [], error


@dataclass
class LiveJob:
    """A job running in this process: a caller here may wait for its end (the import API does)."""

    id: str
    state: str = "queued"
    message: str = ""
    result_id: int | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)
    value: Any = None
    error: BaseException | None = None
    finished: threading.Event = field(default_factory=threading.Event)

    def outcome(self) -> Any:
        """Wait for the end: the work's value, or the error that ended it."""
        self.finished.wait()
        if self.error is not None:
            raise self.error
        return self.value


class JobContext:
    """What the work sees: its job's id and the progress it reports (readable by every worker)."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self._progress = progress.ProgressWriter(job_id)

    def report(self, done: int, total: int, stage: str | None = None) -> None:
        changes: dict[str, Any] = {"done": done, "total": max(total, done)}
        if stage is not None:
            changes["stage"] = stage[:100]
        self._progress.update(**changes)

    def produced(self, result_id: int) -> None:
        """The record the job makes is known before its end (a screening run's row): pages may link to it."""
        self._progress.update(result_id=result_id, force=True)

    def begin(self) -> None:
        self._progress.update(state="running")

    def close(self) -> None:
        self._progress.close()

    @property
    def current(self) -> progress.Progress:
        return self._progress.current


@dataclass(frozen=True)
class JobStatus:
    """What a job's page and API show, the same on every worker."""

    id: str
    kind: str
    subject: str
    dataset: str
    state: str
    stage: str
    done: int
    total: int
    message: str
    problems: list[dict[str, Any]]
    result_id: int | None
    created_by: int | None
    worker: str
    created_at: datetime
    finished_at: datetime | None


_live: dict[str, LiveJob] = {}
_live_lock = threading.Lock()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def new_job_id() -> str:
    return uuid.uuid4().hex


def live_job(job_id: str) -> LiveJob | None:
    """The job as this process runs it (tests and the waiting API use it); ``status`` is what every worker sees."""
    return _live.get(job_id)


def forget_live_jobs() -> None:
    """Drop this process's handles of its jobs (tests simulate another worker process with it)."""
    with _live_lock:
        _live.clear()


Work = Callable[[JobContext], Outcome]


def record(kind: str, subject: str, *, dataset: str, actor_id: int | None, job_id: str | None = None) -> str:
    """Record a queued job in a session of its own, committed at once: the page it redirects to must find it."""
    job_id = job_id or new_job_id()
    with session_scope() as session:
        session.add(BackgroundJob(id=job_id, kind=kind, subject=subject[:255], dataset=dataset, state="queued",
                                  worker=worker_name(), created_by=actor_id, problems=[]))
    return job_id


def start(kind: str, subject: str, work: Work, *, dataset: str, actor_id: int | None, job_id: str | None = None,
          handle: type[LiveJob] = LiveJob) -> LiveJob:
    """Record a job and run its work in a thread of this process (``handle``: the class of its live handle)."""
    live = handle(id=record(kind, subject, dataset=dataset, actor_id=actor_id, job_id=job_id))
    with _live_lock:
        _live[live.id] = live
    threading.Thread(target=_run, args=(live, kind, work), daemon=True, name=f"job-{live.id[:8]}").start()
    return live


def run(kind: str, subject: str, work: Work, *, dataset: str, actor_id: int | None,
        handle: type[LiveJob] = LiveJob) -> LiveJob:
    """Record a job and run it in this thread (CLI, scripts); returns it ended."""
    live = handle(id=record(kind, subject, dataset=dataset, actor_id=actor_id))
    _run(live, kind, work)
    return live


def _run(live: LiveJob, kind: str, work: Work) -> None:
    spec = _kind_of(kind)
    context = JobContext(live.id)
    try:
        if spec is not None and spec.exclusive is not None:
            with spec.exclusive:
                _work(live, spec, context, work)
        else:
            _work(live, spec, context, work)
    finally:
        _record_end(live, context)
        context.close()
        progress.remove(live.id)
        live.finished.set()


def _work(live: LiveJob, spec: JobKind | None, context: JobContext, work: Work) -> None:
    with session_scope() as session:  # visible to every process before the work's own transaction begins
        row = session.get(BackgroundJob, live.id)
        if row is not None:
            row.state, row.started_at, row.worker = "running", utcnow(), worker_name()
    live.state = "running"
    context.begin()
    try:
        outcome = work(context)
        live.state, live.message, live.result_id, live.value = "succeeded", outcome.message, outcome.result_id, \
            outcome.value
    except JobFailed as exc:
        live.state, live.message, live.result_id = "failed", exc.message, exc.result_id
        live.problems, live.error = exc.problems[:MAX_PROBLEMS], exc.error or exc
    except Exception as exc:  # a bug must still end the job visibly
        live.state, live.error = "failed", exc
        live.message = f"{spec.internal_error if spec else '任务执行时发生内部错误'}：{type(exc).__name__}"
        log.exception("background job %s (%s) failed", live.id, spec.prefix if spec else "?")


def _record_end(live: LiveJob, context: JobContext) -> None:
    if live.state not in ENDED_STATES:  # ended before its work began (the exclusive lock, the database)
        live.state, live.message = "failed", live.message or "任务未能开始"
    try:
        with session_scope() as session:
            row = session.get(BackgroundJob, live.id)
            if row is None:
                return
            current = context.current
            row.state, row.message, row.problems = live.state, live.message[:1000], live.problems
            row.result_id = live.result_id if live.result_id is not None else current.result_id
            row.stage, row.done, row.total = current.stage, current.done, max(current.total, current.done)
            row.finished_at = utcnow()
    except SQLAlchemyError:
        log.exception("the end of background job %s could not be recorded", live.id)


def _matches_kind(row_kind: str, kind: str) -> bool:
    """``kind`` is a prefix ("import": every import.<variant>) or a full kind."""
    return row_kind == kind or row_kind.startswith(f"{kind}.")


def _kind_condition(kind: str) -> Any:
    """``_matches_kind`` as a condition on the job table."""
    return (BackgroundJob.kind == kind) | BackgroundJob.kind.startswith(f"{kind}.")


def status(session: Session, job_id: str, kind: str | None = None) -> JobStatus | None:
    """The job as every worker sees it: its row, with the live progress file while it runs. ``kind`` is a prefix
    ("import") or a full kind: a job of another kind is not found."""
    row = session.get(BackgroundJob, job_id)
    if row is None or (kind is not None and not _matches_kind(row.kind, kind)):
        return None
    return _status_of(row)


def _status_of(row: BackgroundJob) -> JobStatus:
    state, stage, done, total, result_id = row.state, row.stage, row.done, row.total, row.result_id
    message = row.message
    if row.state in ACTIVE_STATES and (live := progress.read(row.id)) is not None:
        # The file says "queued" only before the work began; the row is the authority for the end.
        state = live.state if live.state in ACTIVE_STATES else row.state
        stage, done, total = live.stage, live.done, live.total
        result_id = live.result_id if live.result_id is not None else result_id
    if row.state in ACTIVE_STATES and process_gone(row.worker):
        # Its process was killed and the next start has not recovered it yet: say so now (a read writes nothing).
        spec = _kind_of(row.kind)
        state, message = "failed", spec.interrupted if spec else INTERRUPTED
    return JobStatus(id=row.id, kind=row.kind, subject=row.subject, dataset=row.dataset, state=state, stage=stage,
                     done=done, total=total, message=message, problems=row.problems or [], result_id=result_id,
                     created_by=row.created_by, worker=row.worker, created_at=row.created_at,
                     finished_at=row.finished_at)


def recent(session: Session, kind: str, limit: int = 20) -> list[JobStatus]:
    rows = session.scalars(select(BackgroundJob)
                           .where(_kind_condition(kind))
                           .order_by(BackgroundJob.created_at.desc()).limit(limit))
    return [_status_of(row) for row in rows]


def active(session: Session, kind: str) -> list[JobStatus]:
    """The jobs of a kind queued or running on any worker."""
    rows = session.scalars(select(BackgroundJob).where(
        _kind_condition(kind), BackgroundJob.state.in_(ACTIVE_STATES)))
    return [_status_of(row) for row in rows]


def process_gone(worker: str) -> bool:
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
    """Mark failed, with the kind's reason, the jobs left queued or running by a process of this machine that no
    longer exists (killed, or restarted): their work's transaction never committed."""
    count = 0
    for row in session.scalars(select(BackgroundJob).where(BackgroundJob.state.in_(ACTIVE_STATES))):
        if not process_gone(row.worker):
            continue
        spec = _kind_of(row.kind)
        last = progress.read(row.id)
        if last is not None:
            row.stage, row.done, row.total = last.stage, last.done, last.total
        row.state, row.finished_at = "failed", utcnow()
        row.message = spec.interrupted if spec else INTERRUPTED
        if spec is not None and spec.on_interrupted is not None:
            spec.on_interrupted(session, row)
        progress.remove(row.id)
        count += 1
    return count


def recover_at_start_up() -> int:
    """Called when the application starts (and by the CLI before an import). A database that is not there or not
    migrated yet is not this function's business: it logs and returns."""
    try:
        with session_scope() as session:
            count = recover_interrupted_jobs(session)
    except SQLAlchemyError as exc:
        log.warning("background jobs were not checked at start-up: %s", exc)
        return 0
    if count:
        log.warning("%d background job(s) left unfinished by a stopped process were marked failed", count)
    return count
