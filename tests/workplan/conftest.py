"""Fixtures of the work plan tests: the packaged 2023 plan, loaded, and its targets by point number."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipbureau.workplan import flows
from ipbureau.workplan.models import WorkPlan, WorkPoint, WorkTarget


@pytest.fixture
def plan(db):
    flows.load_plan_file(db)
    return db.scalar(select(WorkPlan).where(WorkPlan.year == 2023))


def target_of(db, number: int, description: str | None = None) -> WorkTarget:
    """The (first) target of the point with this number."""
    query = select(WorkTarget).join(WorkPoint).where(WorkPoint.number == number)
    if description:
        query = query.where(WorkTarget.description == description)
    return db.scalars(query).first()
