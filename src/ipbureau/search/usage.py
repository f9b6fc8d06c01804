"""Usage counts of the patent information service (search, export, record view), kept off the request path.

A GET never writes (core.uow), and counting a use is not worth the user's wait: ``count_use`` only puts the use
in an in-process buffer. A background thread, started and stopped by the app's lifespan, writes the buffer in
its own session every second, or at once when ``ROWS_PER_WRITE`` uses are waiting; the app's shutdown writes
what is left, and ``flush_usage()`` writes it on demand (tests, scripts). Only a crash of the process loses
uses: those of its last second.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Connection, insert, select

from ipbureau.auth.models import User
from ipbureau.database.core import get_sessionmaker, session_scope, utcnow
from ipbureau.search.models import SearchUsage

log = logging.getLogger(__name__)

WRITE_INTERVAL_S = 1.0
ROWS_PER_WRITE = 500
# While the database refuses the writes, the oldest uses beyond this many are given up (and logged).
MAX_PENDING = 100_000

_pending: list[dict[str, Any]] = []
_pending_lock = threading.Lock()
_write_lock = threading.Lock()  # one write at a time: the thread, the shutdown and flush_usage()
_wake = threading.Event()


def count_use(user: Any | None, kind: str, *, query_text: str | None = None,
              filters: dict[str, Any] | None = None, result_count: int = 0) -> None:
    """Count one use (kind: search, export or view); it is written to the database within a second."""
    text = (query_text or "").replace("\x00", "")[:500]
    row = {"user_id": getattr(user, "id", None), "kind": kind, "query_text": text or None,
           "filters": filters or None, "result_count": result_count, "created_at": utcnow()}
    with _pending_lock:
        _pending.append(row)
        dropped = len(_pending) - MAX_PENDING
        if dropped > 0:
            del _pending[:dropped]
        full = len(_pending) >= ROWS_PER_WRITE
    if dropped > 0:
        log.error("usage counts: the database refuses writes; %d uses given up", dropped)
    if full:
        _wake.set()


def flush_usage() -> int:
    """Write every buffered use now, in a session of its own; returns how many were written."""
    with _write_lock:
        with _pending_lock:
            rows = _pending[:]
            _pending.clear()
        if not rows:
            return 0
        try:
            _write(rows)
        except Exception:
            with _pending_lock:
                _pending[:0] = rows  # kept, in order, for the next write
            raise
        return len(rows)


def _write(rows: list[dict[str, Any]]) -> None:
    with session_scope() as session:
        user_ids = {row["user_id"] for row in rows if row["user_id"] is not None}
        known = set(session.scalars(select(User.id).where(User.id.in_(user_ids)))) if user_ids else set()
        # A use by an account deleted since still counts, as an anonymous one.
        session.execute(insert(SearchUsage), [row if row["user_id"] in known else {**row, "user_id": None}
                                              for row in rows])


def pending() -> int:
    """How many uses wait to be written."""
    with _pending_lock:
        return len(_pending)


def discard_pending() -> None:
    """Forget the uses not yet written (tests start from none)."""
    with _pending_lock:
        _pending.clear()


def _sessions_share_one_connection() -> bool:
    """Whether every session is bound to a single connection (the test suite's rolled-back transaction). A
    connection must not be used by two threads at once, so the writer thread then leaves the buffer to
    ``flush_usage()`` and the shutdown, which run while the request threads wait."""
    return isinstance(get_sessionmaker().kw.get("bind"), Connection)


class _Writer(threading.Thread):
    def __init__(self, interval: float) -> None:
        super().__init__(name="usage-writer", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            _wake.wait(self.interval)
            _wake.clear()
            if self.stopping.is_set() or _sessions_share_one_connection():
                continue
            try:
                flush_usage()
            except Exception:  # the database may be back at the next tick; the uses are kept
                log.exception("usage counts: writing failed, retrying in %.1f s", self.interval)


_writer: _Writer | None = None
_apps_running = 0
_writer_lock = threading.Lock()


def start_usage_writer(interval: float = WRITE_INTERVAL_S) -> None:
    """Start the background writer (once per process; every running app holds it)."""
    global _writer, _apps_running
    with _writer_lock:
        _apps_running += 1
        if _writer is None:
            _writer = _Writer(interval)
            _writer.start()


def stop_usage_writer() -> None:
    """Release the writer; the last app to stop ends it and writes what is left."""
    global _writer, _apps_running
    with _writer_lock:
        _apps_running = max(0, _apps_running - 1)
        if _apps_running or _writer is None:
            return
        writer, _writer = _writer, None
    writer.stopping.set()
    _wake.set()
    writer.join(timeout=10)
    try:
        flush_usage()
    except Exception:
        log.exception("usage counts: the last write before shutdown failed")
