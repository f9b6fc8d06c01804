from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.database.core import paginate
from ipbureau.imports.models import ImportBatch


def list_batches(session: Session, *, offset: int = 0, limit: int = 30) -> tuple[list[ImportBatch], int]:
    return paginate(session, select(ImportBatch), ImportBatch.id.desc(), offset=offset, limit=limit)


def get(session: Session, batch_id: int) -> ImportBatch | None:
    return session.get(ImportBatch, batch_id)
