"""A running job's progress, readable by every worker process: one small JSON file per job under the data
directory, replaced atomically (``os.replace``) so that a reader sees the previous or the next state, never half.

Why a file and not the job's row: an import is one transaction, and on SQLite that transaction holds the one
write lock until it ends, so no progress could be committed beside it. PostgreSQL could take such commits, but
one mechanism serves both engines, costs no database connection per progress tick, and the worker processes of
one server share the data directory (uploads wait there too)."""

from __future__ import annotations

import json
import os
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
    """Writes one job's progress; calls closer together than ``MIN_INTERVAL_S`` are kept and written later."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        self.current = Progress(state="queued")
        self._written_at = 0.0

    def update(self, *, force: bool = False, **changes: object) -> None:
        previous = self.current
        self.current = Progress(**{**asdict(previous), **changes})  # type: ignore[arg-type]
        now = time.monotonic()
        urgent = force or self.current.state != previous.state or self.current.stage != previous.stage
        if urgent or now - self._written_at >= MIN_INTERVAL_S:
            path = _path(self.job_id)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(json.dumps(asdict(self.current)), encoding="utf-8")
            os.replace(partial, path)
            self._written_at = now
