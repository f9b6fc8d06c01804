"""What every view module does the same way with domain errors and requests.

Domain modules raise ValueError subclasses with zh-CN messages naming the field; a view maps
them to HTTP: 422 for input that cannot be accepted, 409 for an action the current state does
not allow (a transition error), 413 for an upload over the limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

ErrorTypes = type[Exception] | tuple[type[Exception], ...]


def client_ip(request: Request) -> str | None:
    """The client's address, for the audit log."""
    return request.client.host if request.client else None


def status_for(exc: Exception, *, conflicts: ErrorTypes = (), too_large: ErrorTypes = ()) -> int:
    if too_large and isinstance(exc, too_large):
        return 413
    if conflicts and isinstance(exc, conflicts):
        return 409
    return 422


@contextmanager
def api_transaction(db: Session, *, errors: ErrorTypes, conflicts: ErrorTypes = (),
                    too_large: ErrorTypes = ()) -> Iterator[None]:
    """Deprecated, being removed: the request's unit of work (core.uow) commits or rolls back, and the app maps
    domain errors (core.errors) to their status. A domain error that is not yet a core AppError is translated."""
    from ipbureau.core.errors import AppError

    try:
        yield
    except errors as exc:
        if isinstance(exc, AppError):
            raise
        raise HTTPException(status_code=status_for(exc, conflicts=conflicts, too_large=too_large),
                            detail=str(exc)) from exc
