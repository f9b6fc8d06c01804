"""Work plan (工作要点): the packaged 2023 plan, loading, statuses, progress entries, roles, export, migration."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.workplan import flows, service
from ipbureau.workplan.enums import TargetStatus
from ipbureau.workplan.models import ProgressEntry, WorkPlan, WorkPoint, WorkTarget
from ipbureau.workplan.schemas import PointDepartmentUpdate, ProgressEntryCreate, TargetIndicatorUpdate
from tests.conftest import bearer, csrf_from, login
from tests.workplan.conftest import target_of as _target

MISSION_TEXT = Path(__file__).resolve().parents[3] / "shared" / "mission" / "tianjin-ip-bureau-2022-summary-2023-plan.txt"

# (point number, description, target value, unit) — every quantitative target the 2023 plan states.
EXPECTED_TARGETS = {
    (6, "开展专利导航服务的重点产业链", 10, "个"),
    (7, "择优培育的知识产权优势企业", 100, "家"),
    (8, "本市参训企业", 1000, "家"),
    (9, "知识产权服务惠及企业", 10000, "家"),
    (11, "开展专利转化专项计划的高校、科研院所", 10, "家"),
    (11, "专利转化专项计划惠及企业", 100, "家"),
    (13, "累计完成布局的产业知识产权运营中心", 10, "个"),
    (14, "专利展示、交易、开放许可数量", 1000, "件"),
    (17, "商标受理窗口和商标品牌工作指导站对接服务的市场主体", 1000, "家"),
    (18, "全年组织线上线下培训", 60, "场次"),
    (19, "评选表扬的青少年小发明项目", 100, "项"),
}


def _counts(db) -> tuple[int, ...]:
    return tuple(db.scalar(select(func.count()).select_from(m)) for m in (WorkPlan, WorkPoint, WorkTarget, AuditLog))


# ---- the packaged plan ----------------------------------------------------------------------------

def test_packaged_plan_loads_23_points_and_every_target(db, plan):
    points = plan.points
    assert [p.number for p in points] == list(range(1, 24))
    assert points[13].label == "（十四）" and points[13].title == "搭建知识产权展示交易平台"
    assert points[13].heading == "六、实施知识产权转化促进计划"
    assert points[22].label == "（二十三）" and points[22].heading == "九、强化党建引领和机关政治建设"
    assert len({p.heading for p in points}) == 9
    assert all(p.responsible_department is None for p in points)
    loaded = {(t.point.number, t.description, t.target_value, t.unit) for p in points for t in p.targets}
    assert loaded == EXPECTED_TARGETS
    patents = _target(db, 14)
    assert (patents.target_value, patents.unit, patents.comparison, patents.deadline) == (1000, "件", "reach", date(2023, 12, 31))
    assert _target(db, 17).comparison == "at_least" and _target(db, 18).target_value == 60
    assert all(not p.targets for p in points if p.number in (1, 2, 3, 4, 5, 10, 12, 15, 16, 20, 21, 22, 23))
    # Every linked code is a catalogue indicator; (十四) is counted by the marketplace indicator.
    from ipbureau.stats.catalogue import BY_CODE

    assert patents.indicator_code == "market_patents_operated"
    assert all(t.indicator_code in BY_CODE for p in points for t in p.targets if t.indicator_code)
    assert plan.issued_on == date(2023, 2, 28) and "zscq.tj.gov.cn" in plan.source_url


def test_packaged_plan_is_verbatim_from_the_source():
    """label + title + 。 + text is the published paragraph; headings are the published ones."""
    if not MISSION_TEXT.exists():
        pytest.skip("the source text is not beside this checkout")
    source = MISSION_TEXT.read_text(encoding="utf-8").split("市知识产权局2023年工作要点")[-1]
    lines = {line.strip() for line in source.splitlines()}
    document = yaml.safe_load(flows.DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
    for point in document["points"]:
        published_label = point["label"].replace("（", "(").replace("）", ")")
        assert f"{published_label}{point['title']}。{point['text']}" in lines, point["label"]
        assert point["heading"] in lines
        for target in point["targets"]:
            assert target["source_phrase"] in point["text"]
    # And every figure with a unit in the plan's points belongs to a target.
    numbers = re.findall(r"(\d+)(?:个|家|件|场次|项)", "".join(p["text"] for p in document["points"]))
    figures = {int(n) for n in numbers if not n.startswith("20")}  # years (2023年) are not targets
    assert figures <= {int(t["target_value"]) for p in document["points"] for t in p["targets"]}


def test_reloading_the_same_file_changes_nothing(db, plan):
    before = _counts(db)
    stamps = list(db.execute(select(WorkTarget.id, WorkTarget.updated_at)))
    result = flows.load_plan_file(db)
    assert not result.changed
    assert _counts(db) == before
    assert list(db.execute(select(WorkTarget.id, WorkTarget.updated_at))) == stamps


def test_reload_keeps_what_staff_entered_and_updates_corrections(db, plan, users, tmp_path):
    point = db.scalar(select(WorkPoint).where(WorkPoint.number == 14))
    service.set_responsible_department(db, users["admin"], point.id,
                                       PointDepartmentUpdate(responsible_department="知识产权运用促进处"))
    db.commit()
    document = yaml.safe_load(flows.DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
    document["points"][17]["targets"][0]["target_value"] = 65
    changed = tmp_path / "plan.yaml"
    changed.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = flows.load_plan_file(db, changed)
    assert result.targets_updated == ["（十八）全年组织线上线下培训"] and not result.points_created
    db.expire_all()
    assert _target(db, 18).target_value == 65
    assert db.get(WorkPoint, point.id).responsible_department == "知识产权运用促进处"


def test_malformed_file_names_the_item_and_writes_nothing(db, tmp_path):
    document = yaml.safe_load(flows.DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
    document["points"][13]["targets"][0]["target_value"] = "一千"
    document["points"][17]["targets"][0]["unit"] = None
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    with pytest.raises(flows.PlanFileError) as caught:
        flows.load_plan_file(db, bad)
    problems = caught.value.problems
    assert any("（十四）" in p and "专利展示、交易、开放许可数量" in p and "目标值" in p for p in problems)
    assert any("（十八）" in p and "单位" in p for p in problems)
    assert db.scalar(select(func.count()).select_from(WorkPoint)) == 0

    broken = tmp_path / "broken.yaml"
    broken.write_text("year: 2023\npoints: [\n", encoding="utf-8")
    with pytest.raises(flows.PlanFileError, match="YAML 格式错误"):
        flows.load_plan_file(db, broken)


def test_tabular_plan_upload_xlsx(db):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["序号", "标题", "内容", "责任部门", "指标", "目标值", "单位", "截止日期"])
    sheet.append(["（一）", "开展培训", "全年开展培训不少于10场次，覆盖企业50家。", "人事处", "培训场次", 10, "场次", "2024-06-30"])
    sheet.append([1, None, None, None, "覆盖企业", 50, "家", None])
    sheet.append([2, "完善制度", "完善管理制度。", None, None, None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = flows.load_plan_bytes(db, buffer.getvalue(), "plan.xlsx", year=2024)
    assert result.points_created == [1, 2] and len(result.targets_created) == 2
    first = _target(db, 1, "培训场次")
    assert (first.target_value, first.unit, first.deadline) == (10, "场次", date(2024, 6, 30))
    assert _target(db, 1, "覆盖企业").deadline == date(2024, 12, 31)
    assert db.scalar(select(WorkPoint).where(WorkPoint.number == 1)).responsible_department == "人事处"
    assert not flows.load_plan_bytes(db, buffer.getvalue(), "plan.xlsx", year=2024).changed

    csv_bad = "序号,标题,内容,责任部门,指标,目标值,单位,截止日期\n3,标题,内容,,参训企业,-5,家,\n".encode()
    with pytest.raises(flows.PlanFileError, match="（三）.*参训企业.*目标值"):
        flows.load_plan_bytes(db, csv_bad, "plan.csv", year=2024)


# ---- status at fixed dates --------------------------------------------------------------------------

START, DEADLINE = date(2023, 1, 1), date(2023, 12, 31)


@pytest.mark.parametrize(("value", "today", "expected"), [
    (1000, date(2023, 6, 1), TargetStatus.DONE),
    (1200, date(2024, 3, 1), TargetStatus.DONE),  # met late is still met
    (500, date(2023, 7, 2), TargetStatus.ON_TRACK),  # half the target at half the year
    (400, date(2023, 7, 2), TargetStatus.ON_TRACK),  # 0.8 x 500 = 400: not below
    (399, date(2023, 7, 2), TargetStatus.AT_RISK),
    (100, date(2023, 10, 1), TargetStatus.AT_RISK),
    (0, date(2023, 1, 1), TargetStatus.ON_TRACK),  # nothing expected on the first day
    (999, date(2024, 1, 1), TargetStatus.OVERDUE),
    (None, date(2024, 1, 1), TargetStatus.OVERDUE),
    (None, date(2023, 5, 1), TargetStatus.NO_DATA),
])
def test_target_status_at_fixed_dates(value, today, expected):
    assert service.target_status(value, 1000, DEADLINE, today, period_start=START) == expected


def test_cumulative_and_increment_progress(db, plan, users):
    target = _target(db, 14)
    for day, value in ((date(2023, 3, 31), 200), (date(2023, 6, 30), 450), (date(2023, 5, 1), 300)):
        service.add_progress_entry(db, users["bureau_staff"], target.id,
                                   ProgressEntryCreate(value=value, recorded_on=day, evidence="平台月报"),
                                   today=date(2023, 7, 1))
    db.commit()
    db.refresh(target)
    item = service.target_progress(db, target, date(2023, 7, 2), year=2023)
    assert (item.value, item.updated_on, item.status) == (450, date(2023, 6, 30), TargetStatus.ON_TRACK)
    target.aggregation = "increment"
    assert service.target_progress(db, target, date(2023, 7, 2), year=2023).value == 950


def test_unknown_indicator_falls_back_to_manual(db, plan, users):
    target = _target(db, 14)
    target.indicator_code = "some_indicator"  # e.g. a code removed from the catalogue since it was linked
    service.add_progress_entry(db, users["admin"], target.id,
                               ProgressEntryCreate(value=300, recorded_on=date(2023, 6, 1), evidence="月报"),
                               today=date(2023, 7, 1))
    item = service.target_progress(db, target, date(2023, 7, 1), year=2023)
    assert item.value == 300 and item.indicator_problem == "指标尚未接入" and item.source.value == "manual"
    with pytest.raises(service.WorkPlanError, match="没有代码"):
        service.set_indicator(db, users["admin"], target.id, TargetIndicatorUpdate(indicator_code="invented"))


def test_linked_indicator_gives_the_live_value(db, plan, users, enterprise):
    """(十四) counts the patents shown, traded or openly licensed on the marketplace: publishing a
    listing of two patents moves the target by two, from the records, in the listing's year."""
    from tests.market.test_market import _published, add_patent

    target = _target(db, 14)
    assert target.indicator_code == "market_patents_operated"
    today = date.today()
    before = service.target_progress(db, target, today, year=today.year)
    assert before.value is None and before.source is None  # nothing on the marketplace: no data, no manual entry
    _published(db, users, enterprise, patents=[add_patent(db, enterprise), add_patent(db, enterprise)])
    item = service.target_progress(db, target, today, year=today.year)
    assert (item.value, item.source.value, item.indicator_problem) == (2, "indicator", None)
    # The demo dataset is counted separately: the enterprise is a real one, so demo shows no data.
    assert service.target_progress(db, target, today, year=today.year, dataset="demo").value is None


def test_plan_file_rejects_unknown_indicator_code(db, tmp_path):
    text = flows.DEFAULT_PLAN_FILE.read_text(encoding="utf-8").replace(
        "indicator_code: market_patents_operated", "indicator_code: no_such_indicator")
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(flows.PlanFileError, match="no_such_indicator.*不在统计指标目录中"):
        flows.load_plan_file(db, path)


# ---- pages, API, roles ---------------------------------------------------------------------------------

def test_progress_entry_via_form_with_csrf_and_audit(client, db, plan, users):
    target = _target(db, 14)
    login(client, "bureau_staff_user")
    page = client.get(f"/workplan/targets/{target.id}")
    assert page.status_code == 200 and "专利展示、交易、开放许可数量" in page.text
    form = {"value": "320", "recorded_on": "2023-06-30", "evidence": "津知发〔2023〕12号", "note": "上半年"}
    assert client.post(f"/workplan/targets/{target.id}/progress", data=form).status_code == 403  # no CSRF token
    response = client.post(f"/workplan/targets/{target.id}/progress", data={**form, "csrf_token": csrf_from(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    entry = db.scalar(select(ProgressEntry).where(ProgressEntry.target_id == target.id))
    assert (entry.value, entry.evidence, entry.entered_by) == (320, "津知发〔2023〕12号", users["bureau_staff"].id)
    audit_row = db.scalar(select(AuditLog).where(AuditLog.action == "workplan.progress.add"))
    assert audit_row.entity_id == str(target.id) and audit_row.actor_name == "bureau_staff_user"
    assert "津知发〔2023〕12号" in client.get(f"/workplan/targets/{target.id}").text

    negative = client.post(f"/workplan/targets/{target.id}/progress",
                           data={**form, "value": "-1", "csrf_token": csrf_from(page.text)})
    assert negative.status_code == 422 and "完成值不能为负数" in negative.text
    assert db.scalar(select(func.count()).select_from(ProgressEntry)) == 1


def test_progress_entry_via_api(client, db, plan, users):
    target = _target(db, 18)
    headers = bearer(client, "admin_user")
    response = client.post(f"/api/workplan/targets/{target.id}/progress", headers=headers,
                           json={"value": 42, "recorded_on": "2023-09-30", "evidence": "培训台账"})
    assert response.status_code == 201, response.text
    negative = client.post(f"/api/workplan/targets/{target.id}/progress", headers=headers,
                           json={"value": -3, "evidence": "x"})
    assert negative.status_code == 422 and "完成值不能为负数" in negative.json()["detail"]
    detail = client.get(f"/api/workplan/targets/{target.id}", headers=headers).json()
    assert detail["current_value"] == 42 and detail["status"] == "overdue" and len(detail["entries"]) == 1
    listing = client.get("/api/workplan", params={"year": 2023}, headers=headers).json()
    assert len(listing["points"]) == 23 and listing["plan"]["year"] == 2023
    point_14 = next(p for p in listing["points"] if p["number"] == 14)
    assert point_14["targets"][0]["target_value"] == 1000 and point_14["targets"][0]["unit"] == "件"
    assert db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "workplan.progress.add")) == 1


def test_roles(client, db, plan, users):
    target = _target(db, 14)
    assert client.get("/workplan", follow_redirects=False).status_code == 303  # to the login page
    assert client.get("/api/workplan").status_code == 401
    for role in ("public", "enterprise", "agency", "examiner"):
        assert client.get("/api/workplan", headers=bearer(client, f"{role}_user")).status_code == 403
    district = bearer(client, "district_staff_user")
    assert client.get("/api/workplan", headers=district).status_code == 200
    assert client.post(f"/api/workplan/targets/{target.id}/progress", headers=district,
                       json={"value": 1, "evidence": "x"}).status_code == 403

    login(client, "district_staff_user")
    page = client.get("/workplan")
    assert page.status_code == 200 and "搭建知识产权展示交易平台" in page.text and "工作要点" in page.text
    assert "填报进展" not in client.get(f"/workplan/targets/{target.id}").text
    token = csrf_from(page.text)
    assert client.post(f"/workplan/targets/{target.id}/progress",
                       data={"value": "1", "recorded_on": "2023-06-01", "evidence": "x", "csrf_token": token}).status_code == 403
    assert client.post(f"/workplan/points/{target.point_id}/department",
                       data={"responsible_department": "x", "csrf_token": token}).status_code == 403
    assert db.scalar(select(func.count()).select_from(ProgressEntry)) == 0


def test_admin_edits_department_and_page_marks_statuses(client, db, plan, users):
    login(client, "admin_user")
    page = client.get("/workplan?year=2023")
    assert page.status_code == 200 and "已逾期" in page.text and "wp-overdue" in page.text
    point = db.scalar(select(WorkPoint).where(WorkPoint.number == 14))
    response = client.post(f"/workplan/points/{point.id}/department",
                           data={"responsible_department": "运用促进处", "csrf_token": csrf_from(page.text)},
                           follow_redirects=False)
    assert response.status_code == 303
    db.expire_all()
    assert db.get(WorkPoint, point.id).responsible_department == "运用促进处"
    assert db.scalar(select(AuditLog).where(AuditLog.action == "workplan.point.update")).changes == {
        "responsible_department": [None, "运用促进处"]}


def test_excel_export(client, db, plan, users):
    from openpyxl import load_workbook

    target = _target(db, 14)
    service.add_progress_entry(db, users["admin"], target.id,
                               ProgressEntryCreate(value=250, recorded_on=date(2023, 6, 30), evidence="月报"))
    db.commit()
    login(client, "bureau_staff_user")
    response = client.get("/workplan/export.xlsx?year=2023")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == flows.EXPORT_HEADERS
    assert len(rows) == 1 + 11 + 13  # 11 targets, 13 points without one
    row = next(r for r in rows if r[0] == "（十四）")
    assert row[1:8] == ("搭建知识产权展示交易平台", "专利展示、交易、开放许可数量", 1000, "件", 250, 0.25, "已逾期")
    status_cell = next(c for c in sheet["H"] if c.value == "已逾期")
    assert status_cell.fill.fgColor.rgb.endswith(flows.STATUS_FILLS[TargetStatus.OVERDUE])


def test_upload_plan_page(client, db, users):
    login(client, "bureau_staff_user")
    page = client.get("/workplan")
    assert "尚未载入任何工作要点" in page.text
    data = flows.DEFAULT_PLAN_FILE.read_bytes()
    response = client.post("/workplan/upload", data={"csrf_token": csrf_from(page.text), "year": ""},
                           files={"file": ("plan_2023.yaml", data, "application/yaml")}, follow_redirects=False)
    assert response.status_code == 303
    assert db.scalar(select(func.count()).select_from(WorkPoint)) == 23
    assert db.scalar(select(AuditLog).where(AuditLog.action == "workplan.load")).actor_name == "bureau_staff_user"
    bad = client.post("/workplan/upload", data={"csrf_token": csrf_from(page.text)},
                      files={"file": ("plan.csv", "序号,标题\n1,x\n".encode(), "text/csv")})
    assert bad.status_code == 422 and "缺少列" in bad.text


def test_cli_load_plan(db):
    from typer.testing import CliRunner

    from ipbureau.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["load-plan"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["load-plan"])
    assert again.exit_code == 0 and "未作任何修改" in again.output
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(WorkTarget)) == 11


def test_migration_0002_upgrades_and_downgrades(tmp_path):
    from sqlalchemy import inspect

    from ipbureau.database.core import make_engine
    from ipbureau.database.migrate import downgrade, upgrade

    url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(url)
    try:
        upgrade(url, "0002")
        tables = set(inspect(engine).get_table_names())
        assert {"work_plan", "work_point", "work_target", "work_progress_entry"} <= tables
        downgrade(url, "0001")
        tables = set(inspect(engine).get_table_names())
        assert not tables & {"work_plan", "work_point", "work_target", "work_progress_entry"}
        assert "patent" in tables
    finally:
        engine.dispose()
