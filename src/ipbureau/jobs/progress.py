"""A running job's progress, readable by every worker process: one small JSON file per job under the data
directory, replaced atomically (``os.replace``) so that a reader sees the previous or the next state, never half.

Why a file and not the job's row: an import is one transaction, and on SQLite that transaction holds the one
write lock until it ends, so no progress could be committed beside it. PostgreSQL could take such commits, but
one mechanism serves both engines, costs no database connection per progress tick, and the worker processes of
one server share the data directory (uploads wait there too)."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ipbureau.config import get_settings

# Progress is written at most this often (a stage change is written at once): polling pages ask every 0.7 s.
MIN_INTERVAL_S = 0.2


@dataclass(frozen=True)
class Progress:
    state: str
    stage: str = ""
    done: int = 0
    total: int = 0
    result_id: int | None = None


def progress_dir() -> Path:
    path = get_settings().data_dir / "job-progress"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(job_id: str) -> Path:
    return progress_dir() / f"{job_id}.json"


def read(job_id: str) -> Progress | None:
    try:
        data = json.loads(_path(job_id).read_text(encoding="utf-8"))
        return Progress(**data)
    except (FileNotFoundError, ValueError, TypeError):
        return None


def remove(job_id: str) -> None:
    _path(job_id).unlink(missing_ok=True)


class ProgressWriter:
    """Writes one job's progress; calls closer together than ``MIN_INTERVAL_S`` are kept and the latest of them is
    written when the interval has passed (a timer), so that a job which then works a long while without reporting
    (a large import's final commit) still shows where it is."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.current = Progress(state="queued")
        self._written_at = 0.0
        self._lock = threading.Lock()
        self._trailing: threading.Timer | None = None
        self._closed = False

    def close(self) -> None:
        """The job has ended: no late write may bring its file back after it is removed."""
        with self._lock:
            self._closed = True
            if self._trailing is not None:
                self._trailing.cancel()
                self._trailing = None

    def update(self, *, force: bool = False, **changes: object) -> None:
        with self._lock:
            if self._closed:
                return
            previous = self.current
            self.current = Progress(**{**asdict(previous), **changes})  # type: ignore[arg-type]
            wait = MIN_INTERVAL_S - (time.monotonic() - self._written_at)
            urgent = force or self.current.state != previous.state or self.current.stage != previous.stage
            if urgent or wait <= 0:
                self._write()
            elif self._trailing is None:
                self._trailing = threading.Timer(wait, self._write_trailing)
                self._trailing.daemon = True
                self._trailing.start()

    def _write_trailing(self) -> None:
        with self._lock:
            self._trailing = None
            if not self._closed:
                self._write()

    def _write(self) -> None:  # under the lock
        path = _path(self.job_id)
        partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        partial.write_text(json.dumps(asdict(self.current)), encoding="utf-8")
        os.replace(partial, path)
        self._written_at = time.monotonic()
