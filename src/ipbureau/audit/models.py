from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipbureau.database.core import Base, utcnow


class AuditLog(Base):
    """One change made by someone: who, when, what, and the fields before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # Kept as text too, so the trail still reads after a user is deleted or renamed.
    actor_name: Mapped[str] = mapped_column(String(64))
    # The user, named by string and unannotated: the audit log sits below every domain and imports none (the
    # mapper registry resolves the name). lazy="raise": a list of entries never loads its users one by one.
    actor = relationship("User", lazy="raise", viewonly=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[str | None] = mapped_column(String(64), index=True)
    summary: Mapped[str] = mapped_column(String(500))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip_address: Mapped[str | None] = mapped_column(String(64))


class AuditLogRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    created_at: datetime
    actor_name: str
    action: str
    entity_type: str
    entity_id: str | None
    summary: str
    changes: dict[str, Any] | None
