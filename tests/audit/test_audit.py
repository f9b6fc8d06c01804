"""The audit log's page and API: the administrator's only, filtered and paged by one query schema."""

from __future__ import annotations

import pytest

from ipbureau.audit import service as audit
from tests.conftest import bearer, login


@pytest.fixture
def entries(db, users):
    for n in range(55):
        audit.record(db, actor=users["admin"], action="user.create", entity_type="user", entity_id=f"e{n}",
                     summary=f"条目 {n}")
    db.flush()


def test_api_lists_newest_first_and_filters(client, users, entries):
    headers = bearer(client, "admin_user")
    body = client.get("/api/audit", params={"entity_type": "user"}, headers=headers).json()
    # The fixture's nine users were created without an actor, and are in the log as well.
    assert body["total"] == 55 + len(users) and len(body["items"]) == 50
    assert body["items"][0]["summary"] == "条目 54"
    second = client.get("/api/audit", params={"entity_type": "user", "page": 2}, headers=headers).json()
    assert len(second["items"]) == 55 + len(users) - 50
    one = client.get("/api/audit", params={"entity_type": "user", "entity_id": "e7"}, headers=headers).json()
    assert [item["summary"] for item in one["items"]] == ["条目 7"]


def test_page_has_a_pager(client, users, entries):
    login(client, "admin_user")
    page = client.get("/audit")
    assert page.status_code == 200 and "条目 54" in page.text
    assert 'rel="next" href="?page=2"' in page.text and "第 1 / 2 页" in page.text


@pytest.mark.parametrize("value", ["0", "-1", "99999999999999999999999", "٣", "nan"])
def test_bad_pages_are_422_in_chinese(client, users, value):
    response = client.get("/api/audit", params={"page": value}, headers=bearer(client, "admin_user"))
    assert response.status_code == 422 and "页码：" in response.json()["detail"]
    login(client, "admin_user")
    assert client.get("/audit", params={"page": value}).status_code == 422


@pytest.mark.parametrize("role", ["bureau_staff", "district_staff", "enterprise", "public"])
def test_other_roles_are_refused(client, users, role):
    assert client.get("/api/audit", headers=bearer(client, f"{role}_user")).status_code == 403
