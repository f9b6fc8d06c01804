"""Every Excel export is written by the one writer (documents.spreadsheet): text that Excel would run as a formula
(= + - @, tab, CR at its start) comes out inert, with a leading apostrophe, and is never stored as a formula."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from ipbureau.documents import spreadsheet

HOSTILE = ["=HYPERLINK(\"http://x\",\"点击\")", "+1+1", "-2+3", "@SUM(A1)"]
SRC = Path(__file__).resolve().parents[2] / "src" / "ipbureau"


def _cells(data: bytes) -> list[tuple[str, object]]:
    """Every non-empty cell of every sheet: (its XML type, its value)."""
    book = load_workbook(io.BytesIO(data))
    return [(cell.data_type, cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None]


def _figures(**fields):
    return SimpleNamespace(**fields)


def search_export(db, users, text):
    from ipbureau.search import service

    return service._xlsx(iter([["CN1", None, "发明", text, "申请人", "A01B1/00", "A01B1/00", date(2022, 1, 5), None,
                                "有效", "滨海新区", "真实数据", "摘要"]]))


def enterprise_export(db, users, text):
    from ipbureau.enterprises.spreadsheet import workbook

    return workbook("专利费用减缴", ["年度", "企业名称"], [[2023, text]], caption="说明", widths={"B": 30})


def market_export(db, users, text):
    from ipbureau.market.exports import stats_workbook

    month = _figures(month=1, listed=1, open_licences=0, deals_done=0, amount=0, demands=0, smes_pushed=0,
                     patents_cumulative=3)
    district = _figures(name=text, patents=1, listed=1, open_licences=0, deals_done=0, amount=0, demands=0,
                        smes_pushed=0)
    stats = _figures(year=2023, dataset="real", target_label="专利转化", patents_counted=3, listed=1, open_licences=0,
                     deals_done=0, deals_amount=0, free_licences=0, pledges=0, pledge_amount=0, demands=0,
                     smes_pushed=0, yoy={}, target=100, target_ratio=0.03, by_month=[month], by_district=[district])
    return stats_workbook(stats)


def preexam_export(db, users, text):
    from ipbureau.protection.preexam.stats import DIMENSIONS, export_workbook

    row = _figures(key=text, received=2, decided=1, qualified=1, qualified_ratio=0.5, granted=0,
                   median_decision_days=3.0, median_grant_days=None)
    return export_workbook(_figures(year=2023, dataset="real", district_code=None, total=row,
                                    by={name: [row] for name in DIMENSIONS}))


def enforcement_export(db, users, text):
    from ipbureau.protection.enforcement.statistics import export_workbook

    figures = _figures(closed=1, amount_wan=1.5, fines_wan=0.5, transferred=0)
    stats = _figures(year=2023, dataset="real", by_category={}, by_district={text: figures}, by_month={1: figures},
                     total=figures)
    return export_workbook(db, users["bureau_staff"], stats)  # an unknown district code is shown as it is


def screening_export(db, users, text):
    from ipbureau.patents.models import Patent, PatentApplicant
    from ipbureau.patents.numbers import make_application_no
    from ipbureau.protection.screening.models import ScreeningCase
    from ipbureau.protection.screening.service import export_workbook

    number = make_application_no(2023, 1, 424242)
    patent = Patent(application_no=number, patent_type="invention", title=text, ipc_main="H01M10/0525",
                    province_code="12", district_code="120116", filing_date=date(2023, 5, 1), agency=text,
                    dataset="real", record_hash=hashlib.sha256(number.encode()).hexdigest())
    patent.applicants = [PatentApplicant(position=0, name=text)]
    db.add(patent)
    db.flush()
    db.add(ScreeningCase(patent_id=patent.id, total_score=80, signs="", decision_reason=text))
    db.flush()
    return export_workbook(db, users["bureau_staff"])


def workplan_export(db, users, text):
    from ipbureau.workplan.flows import export_workbook

    point = _figures(label="（一）", title=text, responsible_department=text)
    return export_workbook(_figures(plan=_figures(year=2023), sections=[("一、", [_figures(point=point, targets=[])])]))


EXPORTS = [search_export, enterprise_export, market_export, preexam_export, enforcement_export, screening_export,
           workplan_export]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("export", EXPORTS, ids=lambda f: f.__name__)
def test_every_export_makes_formula_text_inert(db, users, export, text):
    cells = _cells(export(db, users, text))
    assert ("s", "'" + text) in cells, cells  # the text is there, inert
    assert all(kind != "f" for kind, _ in cells)  # and nothing became a formula
    assert all(not (isinstance(v, str) and v.startswith(spreadsheet.FORMULA_START)) for _, v in cells)


def test_the_writer_bounds_the_rows_in_chinese():
    from ipbureau.core.errors import TooLarge

    with pytest.raises(TooLarge) as refused:
        spreadsheet.table("明细", ["甲"], ([i] for i in range(10)), max_rows=5)
    assert refused.value.status == 413 and "明细" in str(refused.value) and "4 行" in str(refused.value)


def test_styles_formats_and_frozen_header():
    data = spreadsheet.workbook(spreadsheet.Sheet(
        "表/一", ["日期", "比例"], [[date(2023, 1, 2), spreadsheet.Styled(0.25, number_format="0.0%", fill="#FFC7CE")]],
        caption=spreadsheet.Styled("标题", bold=True)))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "表_一" and sheet.freeze_panes == "A3"
    assert sheet["A1"].font.b and sheet["A2"].font.b and not sheet["A3"].font.b
    assert sheet["A3"].number_format == "yyyy-mm-dd" and sheet["B3"].number_format == "0.0%"
    assert sheet["B3"].fill.fgColor.rgb.endswith("FFC7CE")


def test_no_module_writes_a_workbook_or_guards_formulas_on_its_own():
    """One writer, one guard: the exports listed above are all there are."""
    offenders = [str(path.relative_to(SRC)) for path in SRC.rglob("*.py")
                 if path.parts[-2:] != ("documents", "spreadsheet.py")
                 and any(marker in path.read_text(encoding="utf-8")
                         for marker in ("Workbook(", '("=", "+"', "[=+\\-@"))]
    assert offenders == []
