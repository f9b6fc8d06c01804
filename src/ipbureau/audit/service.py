"""Record and read the audit trail. Callers add the entry in the same transaction as the change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ipbureau.audit.models import AuditLog
from ipbureau.database.core import paginate


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: Any, names: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """The audited fields of a record, as they are now (taken before and after a change, then ``diff``-ed)."""
    return {name: getattr(obj, name) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Fields that changed, as {field: [old, new]}."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    session: Session,
    *,
    actor: Any | None,
    action: str,
    entity_type: str,
    entity_id: Any | None,
    summary: str,
    changes: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditLog:
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None) or "system",
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        summary=summary,
        changes=_jsonable(changes) if changes else None,
        ip_address=ip_address,
    )
    session.add(entry)
    return entry


def list_entries(
    session: Session,
    *,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor_name: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[AuditLog], int]:
    query = select(AuditLog)
    if entity_type:
        query = query.where(AuditLog.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditLog.entity_id == entity_id)
    if actor_name:
        query = query.where(AuditLog.actor_name == actor_name)
    return paginate(session, query, AuditLog.id.desc(), offset=offset, limit=limit)


def last_change(session: Session, entity_type: str, entity_id: Any) -> AuditLog | None:
    """The latest entry about one record (who changed it last, and when, with its actor loaded), e.g. for a
    "changed meanwhile" message."""
    return session.scalar(select(AuditLog).options(joinedload(AuditLog.actor))
                          .where(AuditLog.entity_type == entity_type, AuditLog.entity_id == str(entity_id))
                          .order_by(AuditLog.id.desc()).limit(1))
