"""Patent search service: the index behind one interface, usage counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ipbureau.search.models import SearchUsage


def record_usage(session: Session, user: Any | None, kind: str, *, query_text: str | None = None,
                 filters: dict[str, Any] | None = None, result_count: int = 0) -> None:
    """Count one use of the information service (search, export or record view)."""
    session.add(SearchUsage(user_id=getattr(user, "id", None), kind=kind, query_text=(query_text or "")[:500] or None,
                            filters=filters or None, result_count=result_count))
