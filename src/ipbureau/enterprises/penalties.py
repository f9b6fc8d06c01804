"""Deductions for the assessment, read from the protection modules' records when they exist.

The protection packages (enforcement, screening) are built separately; this module asks them
for per-enterprise counts through a query built here from their tables, and answers None when
a package has no such table, so the assessment works before and after they land.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select
from sqlalchemy.orm import Session


def count(source: str, session: Session, scope: Select, as_of: date) -> dict[int, int] | None:
    builder = BUILDERS.get(source)
    if builder is None:
        return None
    query = builder(scope, as_of)
    if query is None:
        return None
    return {row[0]: int(row[1] or 0) for row in session.execute(query) if row[0] is not None}


BUILDERS: dict = {}
