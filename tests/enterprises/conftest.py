"""Fixtures of the enterprise tests (the root conftest's fixtures apply too)."""

from __future__ import annotations

import pytest

from ipbureau.enterprises.models import Enterprise
from ipbureau.enterprises.services import service
from ipbureau.enterprises.services.schemas import TeamCreate


@pytest.fixture
def other_enterprise(db):
    """An enterprise of another district (120104) than the fixture enterprise and the district staff (120116)."""
    ent = Enterprise(credit_code="91120104932879211M", name="天津另一家科技有限公司", district_code="120104",
                     contact_person="李四", contact_phone="022-87654321", tags=["专精特新"])
    db.add(ent)
    db.commit()
    return ent


@pytest.fixture
def team(db, users):
    made = service.create_team(db, users["bureau_staff"], TeamCreate(name="第一服务队", leader="王队长"))
    db.commit()
    return made
