from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipbureau.imports.models import ImportBatch


def list_batches(session: Session, *, offset: int = 0, limit: int = 30) -> tuple[list[ImportBatch], int]:
    total = session.scalar(select(func.count()).select_from(ImportBatch)) or 0
    rows = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def get(session: Session, batch_id: int) -> ImportBatch | None:
    return session.get(ImportBatch, batch_id)
