"""District attribution on records (issue 13.2): the rule stored with the district and shown on the page, the import
report's count of records no rule attributes, the staff page and API that assign a district by hand (audited), and
the hand assignment surviving a re-import."""

from __future__ import annotations

from sqlalchemy import select

from ipbureau.audit.models import AuditLog
from ipbureau.enterprises.creditcode import check_character
from ipbureau.enterprises.flows import import_enterprises
from ipbureau.enterprises.models import Enterprise
from ipbureau.patents.flows import import_patents
from ipbureau.patents.models import Patent
from ipbureau.patents.numbers import make_application_no
from ipbureau.reference.attribution import UNATTRIBUTED_WARNING
from ipbureau.reference.models import DistrictAssignment
from tests.conftest import bearer, csrf_from, login

PATENTS = "申请号,名称,申请日,分类号,申请人地址\n"


def _patents(*rows: str) -> bytes:
    return (PATENTS + "\n".join(rows) + "\n").encode()


def _credit_code(division: str, body: str) -> str:
    from ipbureau.enterprises.creditcode import org_check_character

    first17 = f"91{division}{body}{org_check_character(body)}"
    return first17 + check_character(first17)


def test_patent_import_stores_the_rule_and_counts_the_unattributed(db):
    zone, nowhere, beijing = (make_application_no(2023, 1, n) for n in (101, 102, 103))
    result = import_patents(db, _patents(
        f"{zone},一种传感器,20230105,G01D5/00,300384天津市华苑产业区华天道8号",
        f"{nowhere},一种阀门,20230105,F16K1/00,天津市黄纬路抗震里24号",
        f"{beijing},一种电池,20230105,H01M10/00,北京市海淀区中关村",
    ), "rules.csv", index=False)
    by_number = {p.application_no: p for p in db.scalars(select(Patent))}
    assert (by_number[zone].district_code, by_number[zone].district_rule) == ("120116", "address:zone:华苑产业区")
    assert (by_number[nowhere].province_code, by_number[nowhere].district_code) == ("12", None)
    assert by_number[beijing].district_rule is None  # another province: not "unattributed"
    unattributed = [w for w in result.warnings if w.message == UNATTRIBUTED_WARNING]
    assert [w.row for w in unattributed] == [3]


def test_enterprise_falls_back_on_the_credit_code_and_flags_a_disagreement(db):
    by_code = _credit_code("120115", "MA05KNAA")  # 宝坻区's authority
    moved = _credit_code("120116", "MA05KNAB")
    data = ("统一社会信用代码,企业名称,地址\n"
            f"{by_code},天津甲科技有限公司,天津市黄纬路抗震里24号\n"
            f"{moved},天津乙科技有限公司,天津市武清开发区泉华路15号\n").encode()
    result = import_enterprises(db, data, "ent.csv")
    first = db.scalar(select(Enterprise).where(Enterprise.credit_code == by_code))
    second = db.scalar(select(Enterprise).where(Enterprise.credit_code == moved))
    assert (first.district_code, first.district_rule) == ("120115", "credit_code")
    assert (second.district_code, second.district_rule) == ("120114", "address:district:武清")
    assert [w.message for w in result.warnings] == ["地址归属武清区，统一社会信用代码的登记机关在滨海新区（按地址计入武清区）"]


def test_staff_assign_by_hand_audited_and_kept_by_reimport(client, db, users):
    number = make_application_no(2023, 1, 104)
    row = f"{number},一种阀门,20230105,F16K1/00,天津市黄纬路抗震里24号"
    import_patents(db, _patents(row), "v1.csv", index=False)
    db.commit()
    patent = db.scalar(select(Patent).where(Patent.application_no == number))

    login(client, "bureau_staff_user")
    page = client.get("/districts/unattributed")
    assert page.status_code == 200 and number in page.text and "专利（1）" in page.text
    bad = client.post("/districts/unattributed", data={
        "kind": "patent", "record_id": patent.id, "district_code": "999999", "csrf_token": csrf_from(page.text)})
    assert bad.status_code == 422 and "不是天津市的区" in bad.text
    done = client.post("/districts/unattributed", data={
        "kind": "patent", "record_id": patent.id, "district_code": "120105", "csrf_token": csrf_from(page.text)},
        follow_redirects=False)
    assert done.status_code == 303

    db.expire_all()
    patent = db.get(Patent, patent.id)
    assert (patent.district_code, patent.district_rule) == ("120105", "manual")
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "district.assign"))
    assert entry.entity_id == str(patent.id) and entry.actor_name == "bureau_staff_user"
    assert entry.changes == {"district_code": [None, "120105"], "district_rule": [None, "manual"]}
    shown = client.get(f"/patents/{patent.id}")
    assert "河北区" in shown.text and "依据：人工指定" in shown.text

    # The same record imported again (changed title): the hand assignment stays.
    import_patents(db, _patents(row.replace("一种阀门", "一种改进的阀门")), "v2.csv", index=False)
    db.expire_all()
    patent = db.get(Patent, patent.id)
    assert (patent.title, patent.district_code, patent.district_rule) == ("一种改进的阀门", "120105", "manual")
    assert db.scalar(select(DistrictAssignment.district_code).where(DistrictAssignment.record_key == number)) == "120105"


def test_api_and_access(client, db, users):
    number = make_application_no(2023, 1, 105)
    import_patents(db, _patents(f"{number},一种泵,20230105,F04B1/00,天津市广开新街30号"), "api.csv", index=False)
    db.commit()
    patent_id = db.scalar(select(Patent.id).where(Patent.application_no == number))

    staff = bearer(client, "bureau_staff_user")
    listed = client.get("/api/districts/unattributed?kind=patent", headers=staff).json()
    assert listed["counts"]["patent"] == 1 and listed["records"][0]["key"] == number
    assert client.get("/api/districts/unattributed?kind=trademark", headers=staff).status_code == 422
    missing = client.post("/api/districts/assignments", headers=staff,
                          json={"kind": "patent", "record_id": 987654, "district_code": "120104"})
    assert missing.status_code == 404
    made = client.post("/api/districts/assignments", headers=staff,
                       json={"kind": "patent", "record_id": patent_id, "district_code": "120104"})
    assert made.json() == {"kind": "patent", "record_id": patent_id, "district_code": "120104", "district_rule": "manual"}

    district_staff = bearer(client, "district_staff_user")
    assert client.get("/api/districts/unattributed", headers=district_staff).status_code == 403
    assert client.post("/api/districts/assignments", headers=district_staff,
                       json={"kind": "patent", "record_id": patent_id, "district_code": "120101"}).status_code == 403
