"""Enterprise profiles: everyone signed in sees public fields; only staff and the enterprise itself see the rest."""

from __future__ import annotations

import pytest

from tests.conftest import bearer


@pytest.mark.parametrize(
    ("role", "sees_own_private", "sees_other_private"),
    [
        ("admin", True, True),
        ("bureau_staff", True, True),
        ("district_staff", True, False),  # district 120116: the first enterprise's district only
        ("enterprise", True, False),
        ("examiner", False, False),
        ("agency", False, False),
        ("public", False, False),
    ],
)
def test_private_fields_by_role(client, users, enterprise, other_enterprise, role, sees_own_private, sees_other_private):
    headers = bearer(client, f"{role}_user")
    own = client.get(f"/api/enterprises/{enterprise.id}", headers=headers).json()
    other = client.get(f"/api/enterprises/{other_enterprise.id}", headers=headers).json()
    assert own["name"] == "天津测试科技有限公司" and other["name"] == "天津另一家科技有限公司"
    assert ("contact_phone" in own) is sees_own_private
    assert ("contact_phone" in other) is sees_other_private
    if sees_own_private:
        assert own["contact_phone"] == "022-12345678"


def test_profile_page_hides_contact_from_other_enterprise(client, users, enterprise, other_enterprise):
    from tests.conftest import login

    login(client, "enterprise_user")
    own = client.get(f"/enterprises/{enterprise.id}")
    other = client.get(f"/enterprises/{other_enterprise.id}")
    assert "022-12345678" in own.text
    assert "022-87654321" not in other.text and "非公开信息" in other.text


def test_list_filters(client, users, enterprise, other_enterprise):
    headers = bearer(client, "public_user")
    assert client.get("/api/enterprises", headers=headers).json()["total"] == 2
    by_district = client.get("/api/enterprises", params={"district_code": "120104"}, headers=headers).json()
    assert [e["name"] for e in by_district["items"]] == ["天津另一家科技有限公司"]
    by_tag = client.get("/api/enterprises", params={"tag": "高新技术企业"}, headers=headers).json()
    assert [e["name"] for e in by_tag["items"]] == ["天津测试科技有限公司"]
    listing = client.get("/api/enterprises", headers=headers).json()["items"]
    assert all("contact_phone" not in e for e in listing)
