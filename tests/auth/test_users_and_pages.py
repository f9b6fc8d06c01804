"""User management (the page's form and the API share one schema and one service call), sign-in through the
form, the home page's overview and the public API documentation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipbureau.audit.models import AuditLog
from ipbureau.auth.models import User
from tests.conftest import bearer, csrf_from, login

NEW = {"username": "new_user", "display_name": "新用户", "password": "  spaced pass  ", "role": "district_staff",
       "district_code": "120104"}


def _create_on_page(client, **form: str):
    return client.post("/users", data={"csrf_token": csrf_from(client.get("/users").text), **form},
                       follow_redirects=False)


def test_the_users_form_creates_the_same_account_as_the_api_and_audits_it(client, db, users):
    login(client, "admin_user")
    response = _create_on_page(client, **NEW)
    assert response.status_code == 303 and response.headers["location"] == "/users"
    made = db.scalar(select(User).where(User.username == "new_user"))
    assert (made.role, made.district_code, made.display_name) == ("district_staff", "120104", "新用户")
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "user.create", AuditLog.entity_id == str(made.id)))
    assert entry.actor_name == "admin_user" and entry.summary == "创建用户 new_user（区局工作人员）"
    # The password is kept as typed, spaces included: the API signs in with it.
    token = client.post("/api/auth/token", json={"username": "new_user", "password": "  spaced pass  "})
    assert token.status_code == 200


@pytest.mark.parametrize(("form", "message"), [
    ({**NEW, "username": "admin_user"}, "用户名：“admin_user”已存在"),
    ({**NEW, "district_code": ""}, "区：区局工作人员必须指定所属区"),
    ({**NEW, "district_code": "999999"}, "区：没有代码为 999999 的区"),
    ({**NEW, "role": "enterprise", "district_code": ""}, "企业编号：企业用户必须关联一家企业"),
    ({**NEW, "role": "enterprise", "enterprise_id": "424242"}, "企业编号：没有编号为 424242 的企业"),
    ({**NEW, "enterprise_id": "99999999999999999999999"}, "企业编号：不能大于"),
    ({**NEW, "enterprise_id": "-1"}, "企业编号：不能小于 1"),
    ({**NEW, "password": "short"}, "密码：至少 8 个字符"),
    ({**NEW, "role": "king"}, "角色：无效"),
])
def test_a_wrong_form_is_shown_again_with_a_chinese_message_and_nothing_is_created(client, db, users, form,
                                                                                  message):
    login(client, "admin_user")
    response = _create_on_page(client, **form)
    assert response.status_code == 422 and message in response.text, response.text[-2000:]
    assert 'action="/users"' in response.text
    assert db.scalar(select(User).where(User.username == "new_user")) is None


def test_the_api_gives_the_same_messages(client, db, users):
    headers = bearer(client, "admin_user")
    duplicate = client.post("/api/users", json={**NEW, "username": "public_user"}, headers=headers)
    assert duplicate.status_code == 422 and duplicate.json()["detail"] == "用户名：“public_user”已存在"
    assert duplicate.json()["field"] == "用户名"
    huge = client.post("/api/users", json={**NEW, "enterprise_id": 10**30}, headers=headers)
    assert huge.status_code == 422 and "企业编号：不能大于" in huge.json()["detail"]


def test_a_blank_login_form_is_shown_again(client, users):
    page = client.get("/login")
    response = client.post("/login", data={"username": "", "password": "x", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 422 and "用户名：必须填写" in response.text and 'action="/login"' in response.text


def test_the_home_page_and_the_overview_api(client, users, db):
    from ipbureau.patents.flows import import_patents
    from ipbureau.patents.numbers import make_application_no

    import_patents(db, f"申请号,名称,申请日,所属区\n{make_application_no(2022, 1, 5)},一种装置,20220105,和平区\n".encode(),
                   "one.csv", index=False)
    body = client.get("/api/overview", headers=bearer(client, "public_user")).json()
    assert body["datasets"] == [{"dataset": "real", "types": {"invention": 1, "utility_model": 0, "design": 0},
                                 "total": 1, "districts": [["和平区", 1]], "district_max": 1, "trademarks": 0,
                                 "enterprises": 1}]
    login(client, "public_user")
    page = client.get("/")
    assert page.status_code == 200 and "真实数据" in page.text and "和平区" in page.text


def test_the_api_documentation_is_public_and_serves_only_its_own_files(client):
    assert client.get("/api/docs/assets/swagger-ui.css").status_code == 200
    assert client.get("/api/docs/assets/secrets.txt").status_code == 404
    assert client.get("/api/docs/assets/..%2F..%2Fetc%2Fpasswd").status_code == 404
