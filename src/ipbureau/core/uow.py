"""One unit of work per request.

Every route runs with one database session (``get_db``), opened once per request and shared by every
dependency of it (the signed-in user, the policy, the handler). The route class ``UnitOfWorkRoute`` ends it
in one place, before the response is sent:

- a safe request (GET, HEAD, OPTIONS) never writes: its session is rolled back, and any attempt to flush
  a change in it raises at once (``ReadOnlyRequest``), so a write on a GET is found by the first test
  that makes it, not by two users opening the same page;
- any other request is committed when the response is a success (status < 400) and rolled back when it is
  an error or an exception, so a form re-rendered with a 422 never leaves half of a change behind;
- a commit that loses a race (unique key, or a row changed meanwhile) becomes a 409 Conflict.

No view commits or rolls back by itself. Work outside requests (CLI, jobs) uses ``session_scope()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ipbureau.core.errors import Conflict
from ipbureau.database.core import get_sessionmaker

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ReadOnlyRequest(RuntimeError):
    """A safe request (GET) tried to write to the database."""


@event.listens_for(Session, "before_flush")
def _refuse_writes_on_safe_requests(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("read_only") and (session.new or session.dirty or session.deleted):
        changed = sorted({type(obj).__name__ for obj in (*session.new, *session.dirty, *session.deleted)})
        raise ReadOnlyRequest(f"a {session.info.get('method', 'GET')} request tried to write: {', '.join(changed)}")


def get_db(request: Request) -> Iterator[Session]:
    """FastAPI dependency: the request's one session (FastAPI caches it for every dependency of the request)."""
    session = get_sessionmaker()()
    session.info["method"] = request.method
    session.info["read_only"] = request.method in SAFE_METHODS
    request.state.db = session
    try:
        yield session
    finally:
        session.close()
        # Error pages render after this point: they must not reopen (and leak) a connection on a closed session.
        request.state.db = None


def request_session(request: Request) -> Session | None:
    """The session of the current request, if a dependency opened one."""
    return getattr(request.state, "db", None)


def _finish(session: Session, request: Request, response: Response) -> None:
    if request.method in SAFE_METHODS or response.status_code >= 400:
        session.rollback()
        return
    try:
        session.commit()
    except (IntegrityError, StaleDataError) as exc:
        session.rollback()
        raise Conflict("", "保存时与他人的同时修改冲突，请刷新后重试") from exc


def _abandon(session: Session, request: Request) -> None:
    """Roll back after an exception. The signed-in user is kept loaded (detached) for the error page, which is
    rendered after the request's session has closed."""
    user = getattr(request.state, "user", None)
    if user is not None and user in session:
        session.expunge(user)
    session.rollback()


class UnitOfWorkRoute(APIRoute):
    """Ends each request's session in one place: commit on success, roll back otherwise (see module doc)."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                response = await handler(request)
            except BaseException:
                session = request_session(request)
                if session is not None:
                    await run_in_threadpool(_abandon, session, request)
                raise
            session = request_session(request)
            if session is not None:
                await run_in_threadpool(_finish, session, request, response)
            return response

        return run


Router = partial(APIRouter, route_class=UnitOfWorkRoute)
"""The router every domain's views use: ``router = Router()``."""
