"""Official statistics: loaded from the packaged reference file (idempotent), imported from CSV/XLSX (all or
nothing, problems named by row and field), edited by city staff only with audit entries, listed with their
sources; set beside the computed figures (difference absolute and %) on the dashboard, in the API and in the
white paper; Tianjin among the provinces."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.stats import whitepaper
from ipbureau.stats.official import comparison, service
from ipbureau.stats.official.models import OfficialStatistic
from tests.conftest import bearer, csrf_from, login
from tests.stats.test_stats import BINHAI, add_patent

SHARED_CSV = Path("/work/shared/data/official-statistics/official_ip_statistics.csv")
PACKAGED_CSV = Path(__file__).resolve().parents[2] / "src/ipbureau/stats/official/data/official_ip_statistics.csv"
HEADER = "region,region_code,year,period,indicator_zh,scope,value,unit,source_url,note\n"


def _shared_rows() -> list[dict[str, str]]:
    with SHARED_CSV.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def loaded(db):
    result = service.load_reference(db)
    db.commit()
    return result


def test_packaged_file_is_the_shared_one():
    assert PACKAGED_CSV.read_bytes() == SHARED_CSV.read_bytes()


def test_load_reference_is_idempotent_and_keeps_every_row(db, loaded):
    rows = _shared_rows()
    assert loaded.added == len(rows) == db.scalar(select(func.count()).select_from(OfficialStatistic))
    again = service.load_reference(db)
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(rows))
    # Never merged across definitions: both Tianjin 2022 valid-invention figures (rounded and exact) are kept.
    valid_2022 = db.scalars(select(OfficialStatistic.value).where(
        OfficialStatistic.region_code == "12", OfficialStatistic.indicator == "有效发明专利",
        OfficialStatistic.year == 2022)).all()
    assert sorted(valid_2022) == [51000, 51162]
    assert db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity_type == "official_statistic")) == 1


def test_load_keeps_a_staff_correction(db, loaded, users):
    row = db.scalar(select(OfficialStatistic).where(OfficialStatistic.region_code == "12").limit(1))
    data = service.OfficialStatisticIn.model_validate(
        {**{c: getattr(row, c) for c in ("region", "region_code", "year", "period", "scope", "unit",
                                          "source_url", "note")}, "indicator_zh": row.indicator, "value": 1234})
    service.update(db, users["bureau_staff"], row.id, data)
    service.load_reference(db)
    db.refresh(row)
    assert row.value == 1234 and row.updated_by_name == "bureau_staff_user"


def _csv(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\n" for line in lines)).encode("utf-8")


GOOD = "天津,12,2025,2025,发明专利授权,—,15000,件,https://example.gov.cn/a.html,测试"


def test_import_refuses_a_bad_file_naming_row_and_field(db, users):
    bad = _csv(GOOD, "天津,12,2025,2024-13,发明专利授权,—,abc,件,ftp://x,")
    with pytest.raises(service.OfficialFileError) as info:
        service.import_file(db, users["bureau_staff"], bad, "x.csv")
    message = str(info.value)
    assert "第 3 行 数值" in message and "应为数字" in message
    assert "第 3 行 来源网址" in message
    assert db.scalar(select(func.count()).select_from(OfficialStatistic)) == 0  # all or nothing
    with pytest.raises(service.OfficialFileError, match="缺少列"):
        service.import_file(db, users["bureau_staff"], b"region,year\n\xe5\xa4\xa9,2020\n", "x.csv")


def test_import_xlsx_then_reimport_updates(db, users):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["天津", "12", 2025, "2025", "发明专利授权", "—", 15000, "件", "https://example.gov.cn/a.html", None])
    out = io.BytesIO()
    book.save(out)
    first = service.import_file(db, users["bureau_staff"], out.getvalue(), "stats.xlsx")
    assert (first.added, first.updated) == (1, 0)
    second = service.import_file(db, users["bureau_staff"], _csv(GOOD.replace("15000", "15100")), "again.csv")
    assert (second.added, second.updated) == (0, 1)
    row = db.scalar(select(OfficialStatistic))
    assert row.value == 15100 and row.updated_by_name == "bureau_staff_user"
    summaries = db.scalars(select(AuditLog.summary).where(AuditLog.entity_type == "official_statistic")).all()
    assert any("stats.xlsx" in s for s in summaries) and any("again.csv" in s for s in summaries)


def test_api_roles_edit_and_audit(client, db, users, loaded):
    staff, district, public = (bearer(client, f"{r}_user") for r in ("bureau_staff", "district_staff", "public"))
    listed = client.get("/api/official-statistics", params={"region_code": "12"}, headers=district).json()
    assert listed["total"] == sum(1 for r in _shared_rows() if r["region_code"] == "12")
    assert all(item["source_url"].startswith("http") for item in listed["items"])
    assert client.get("/api/official-statistics", headers=public).status_code == 403
    body = {"region": "天津", "region_code": "12", "year": 2025, "period": "2025", "indicator_zh": "发明专利授权",
            "scope": "—", "value": 15000, "unit": "件", "source_url": "https://example.gov.cn/b.html", "note": ""}
    assert client.post("/api/official-statistics", json=body, headers=district).status_code == 403
    created = client.post("/api/official-statistics", json=body, headers=staff)
    assert created.status_code == 201, created.text
    statistic_id = created.json()["id"]
    bad = client.put(f"/api/official-statistics/{statistic_id}", json={**body, "period": "2024"}, headers=staff)
    assert bad.status_code == 422 and "统计期" in bad.json()["detail"]
    clash = client.post("/api/official-statistics", json=body, headers=staff)
    assert clash.status_code == 422 and "同一来源" in clash.json()["detail"]
    changed = client.put(f"/api/official-statistics/{statistic_id}", json={**body, "value": 15500}, headers=staff)
    assert changed.status_code == 200 and changed.json()["updated_by_name"] == "bureau_staff_user"
    entry = db.scalar(select(AuditLog).where(AuditLog.entity_type == "official_statistic",
                                             AuditLog.action == "update", AuditLog.entity_id == str(statistic_id)))
    assert entry.changes == {"value": [15000.0, 15500.0]}


def test_list_and_edit_pages(client, db, users, loaded):
    login(client, "bureau_staff_user")
    page = client.get("/stats/official", params={"region_code": "12", "indicator": "有效发明专利"})
    assert page.status_code == 200
    assert "zscq.tj.gov.cn" in page.text and "72,904" in page.text
    row = db.scalar(select(OfficialStatistic).where(OfficialStatistic.indicator == "有效发明专利",
                                                    OfficialStatistic.year == 2024))
    edit = client.get(f"/stats/official/{row.id}/edit")
    form = {"csrf_token": csrf_from(edit.text), "region": "天津", "region_code": "12", "year": "2024",
            "period": "2024", "indicator_zh": "有效发明专利", "scope": "—", "value": "abc", "unit": "件",
            "source_url": row.source_url, "note": row.note}
    refused = client.post(f"/stats/official/{row.id}/edit", data=form)
    assert refused.status_code == 422 and "数值" in refused.text
    saved = client.post(f"/stats/official/{row.id}/edit", data={**form, "value": "72905"}, follow_redirects=False)
    assert saved.status_code == 303
    db.refresh(row)
    assert row.value == 72905


def test_comparison_uses_the_explicit_mapping(db, loaded):
    for month in (3, 6, 9):
        add_patent(db, granted=date(2022, month, 1), district=BINHAI)
    db.commit()
    found = comparison.comparisons(db, year=2022)
    grants = [c for c in found if c.code == "invention_grants"]
    # Both 2022 pages that published 11,745 invention grants; service-only tables are never a counterpart.
    assert [c.official for c in grants] == [11745, 11745]
    assert all(c.computed == 3 and c.difference == 3 - 11745 for c in grants)
    assert grants[0].difference_pct == round((3 - 11745) / 11745 * 100, 1)
    assert not any("职务" in c.official_indicator for c in found)
    valid = [c for c in found if c.code == "valid_inventions"]
    assert sorted(c.official for c in valid) == [51000, 51162]
    assert [c.rounded for c in sorted(valid, key=lambda c: c.official)] == [True, False]
    # Month-end stocks other than December are not year-end figures.
    assert all(c.official_period in ("2022", "2022-12") for c in found)


def test_peer_table_ranks_tianjin_as_the_source_does(db, loaded):
    rows = [r for r in _shared_rows() if r["indicator_zh"] == "PCT国际专利申请受理量" and r["period"] == "2023"
            and r["scope"] == "国内" and r["region_code"] not in comparison.NOT_PROVINCES]
    values = {r["region_code"]: float(r["value"]) for r in rows}
    expected_rank = 1 + sum(1 for v in values.values() if v > values["12"])
    table = comparison.peer_table(db, "PCT国际专利申请受理量", "国内", "2023")
    assert len(table.rows) == len(values) == 31
    assert table.tianjin_rank == expected_rank
    assert [r.value for r in table.rows] == sorted(values.values(), reverse=True)
    refs = comparison.peer_tables(db)
    assert refs and all(r.regions >= comparison.MIN_PEER_PROVINCES for r in refs)


def test_dashboard_shows_official_beside_computed_and_peers(client, db, users, loaded):
    add_patent(db, granted=date(2022, 5, 1), district=BINHAI)
    db.commit()
    login(client, "district_staff_user")
    page = client.get("/stats", params={"year": 2022, "district_code": ""})
    assert page.status_code == 200
    section = page.text.split('id="official-comparison"')[1].split("</section>")[0]
    assert "11,745" in section and "-11,744" in section and "tianjin.17car.com.cn" in section
    assert 'id="peers"' in page.text and "天津居第" in page.text
    peers = client.get("/stats/peers", params={"indicator": "国内实用新型专利有效量", "scope": "国内", "period": "2022"})
    assert peers.status_code == 200 and "天津市居第" in peers.text
    assert client.get("/stats/peers", params={"indicator": "没有这个表"}).status_code == 404


def test_white_paper_quotes_computed_figures_and_lists_official_ones(db, loaded):
    add_patent(db, granted=date(2022, 5, 1), district=BINHAI)
    db.commit()
    paper = whitepaper.build(db, 2022, today=date(2023, 3, 1))
    doc = Document(io.BytesIO(whitepaper.to_docx(paper)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "本白皮书正文引用的是系统根据所存记录" in text and "与官方统计数据对照及省际比较" in text
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "计算指标")
    cells = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert ["发明专利授权量", "2022", "1", "发明专利授权（—，2022）", "11,745", "-11,744", "-100.0%"] in [r[:7] for r in cells]
    peer_titles = [p.text for p in doc.paragraphs if "分省比较" in p.text]
    assert any("PCT国际专利申请受理量" in t for t in peer_titles)
