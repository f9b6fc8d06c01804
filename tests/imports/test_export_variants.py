"""Real export variants (issue 13.1) and file bounds (issue 11.5): the header is found by its content, skipped lines
are reported, a file cut off is refused at its line with nothing written, and a file beyond the bounds is refused
before it is parsed."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ipbureau.config import get_settings
from ipbureau.imports.errors import FileRejected
from ipbureau.imports.models import ImportBatch
from ipbureau.imports.readers import Bounds, open_table
from ipbureau.patents.flows import import_patents
from ipbureau.patents.models import Patent

EXPORTS = Path(__file__).resolve().parents[1] / "data" / "exports"


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Patent))


def _notes(result) -> list[str]:
    return [w.message for w in result.warnings if w.field == "文件"]


def test_incopat_workbook_second_sheet_banner_and_summary(db):
    result = import_patents(db, EXPORTS / "incopat_two_sheets.xlsx", "incopat.xlsx", index=False)
    assert (result.format, result.total_rows, result.inserted) == ("incopat-xlsx", 12, 12)
    notes = _notes(result)
    assert "使用工作表“专利列表”（按表头识别；未导入的工作表：“检索条件”）" in notes
    assert "跳过了表头前的 3 行（导出说明，其中 2 行有内容）" in notes
    assert any(n.startswith("忽略了表尾的 1 行汇总说明（共 12 条）") for n in notes)
    patent = db.scalar(select(Patent).where(Patent.application_no == "CN201220249767.4"))
    assert patent.title == "一种钢筋混凝土轨枕" and patent.ipc_main == "E01B3/32"
    assert str(patent.filing_date) == "2012-05-31" and [a.name for a in patent.applicants] == ["海安县建莲商品混凝土有限公司"]
    batch = db.get(ImportBatch, result.batch_id)
    assert any("跳过了表头前的 3 行" in w["message"] for w in batch.warnings)  # the import report shows it


def test_patsnap_csv_with_banner_and_trailing_line(db):
    result = import_patents(db, EXPORTS / "patsnap_zh.csv", "patsnap.csv", index=False)
    assert (result.format, result.total_rows, result.inserted) == ("patsnap-csv", 10, 10)
    assert "跳过了表头前的 2 行（导出说明，其中 1 行有内容）" in _notes(result)
    assert any("导出完毕" in n for n in _notes(result))
    # The same records as the CNIPA workbook: importing that afterwards updates, never duplicates.
    assert _count(db) == 10


def test_lens_csv_application_numbers_get_their_check_character(db, sipo_sample):
    result = import_patents(db, EXPORTS / "lens.csv", "lens.csv", index=False)
    assert (result.format, result.inserted) == ("lens-csv", 8)
    patent = db.scalar(select(Patent).where(Patent.application_no == "CN201220249767.4"))
    assert patent.publication_no == "CN202644312U" and patent.ipc_list == ["E01B3/32"]
    # The CNIPA workbook names the same applications: they are matched, not duplicated.
    again = import_patents(db, sipo_sample, "sipo.xlsx", index=False)
    assert again.inserted == 199 - 8 and _count(db) == 199


def test_google_patents_csv_is_refused_with_the_reason(db):
    with pytest.raises(FileRejected) as rejected:
        import_patents(db, EXPORTS / "google_patents.csv", "google.csv", index=False)
    message = str(rejected.value)
    assert "缺少必需的列：申请号" in message and "谷歌专利" in message and "id、title" in message
    assert _count(db) == 0


def test_cnipr_gb18030_with_banner_and_total_line(db):
    result = import_patents(db, EXPORTS / "cnipr_gb18030_banner_summary.csv", "cnipr-gbk.csv", index=False)
    assert (result.format, result.total_rows, result.inserted) == ("cnipr-csv", 10, 10)
    assert "跳过了表头前的 2 行（导出说明，其中 1 行有内容）" in _notes(result)
    assert any(n.startswith("忽略了表尾的 1 行汇总说明（合计") for n in _notes(result))


def test_a_summary_like_line_in_the_middle_is_a_row(db):
    data = "申请号,名称\n合计,1\nCN202223220665.2,一种装置\n".encode()
    with pytest.raises(Exception) as failure:
        import_patents(db, data, "middle.csv", index=False)
    assert "第 2 行" in str(failure.value) and _count(db) == 0


# ---- files cut off ----------------------------------------------------------------------


def _last_line_start(data: bytes) -> int:
    return data.rstrip(b"\r\n").rfind(b"\n") + 1


def test_csv_cut_mid_row_is_refused_and_the_record_is_not_overwritten(db, cnipr_sample):
    import_patents(db, cnipr_sample, "cnipr.csv", index=False)
    last = db.scalar(select(Patent).where(Patent.application_no == "CN202211359874.7"))
    before = (last.title, last.legal_status_raw, last.ipc_list)
    start = _last_line_start(cnipr_sample)
    cut = cnipr_sample.index(b",", start + 200)  # after a few cells of the last record, at a cell boundary
    with pytest.raises(FileRejected) as rejected:
        import_patents(db, cnipr_sample[:cut], "cut.csv", index=False)
    assert "文件在第 11 行处不完整，可能未下载完整" in str(rejected.value)
    db.expire_all()
    last = db.scalar(select(Patent).where(Patent.application_no == "CN202211359874.7"))
    assert (last.title, last.legal_status_raw, last.ipc_list) == before and _count(db) == 10
    failed = db.scalar(select(ImportBatch).where(ImportBatch.filename == "cut.csv"))
    assert failed.status == "failed" and "不完整" in failed.errors[0]["message"]


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_csv_cut_mid_character_is_refused_at_its_line(db, cnipr_sample, encoding):
    data = cnipr_sample.decode("utf-8-sig").encode(encoding)
    start = _last_line_start(data)
    # The first byte of a Chinese character in the last line, then nothing: the character never ends.
    cut = next(i for i in range(start + 50, len(data)) if data[i] >= 0x81) + 1
    with pytest.raises(FileRejected) as rejected:
        import_patents(db, data[:cut], "cut.csv", index=False)
    assert "文件在第 11 行处不完整，可能未下载完整" in str(rejected.value)
    assert "编码" not in str(rejected.value) and _count(db) == 0


def test_truncated_xlsx_is_refused_clearly(db, sipo_sample):
    with pytest.raises(FileRejected) as rejected:
        import_patents(db, sipo_sample[: len(sipo_sample) * 2 // 3], "cut.xlsx", index=False)
    assert "Excel 文件不完整或已损坏，可能未下载完整" in str(rejected.value) and _count(db) == 0


# ---- bounds -----------------------------------------------------------------------------


def _bomb(rows: int, *, declare: bool) -> bytes:
    """A valid XLSX whose one sheet has a header and then ``rows`` empty rows: a few hundred KiB of zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '</Types>'))
        archive.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>'))
        archive.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            '</Relationships>'))
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            dimension = f'<dimension ref="A1:B{rows + 1}"/>' if declare else ""
            sheet.write(('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                         f'spreadsheetml/2006/main">{dimension}<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>申请号</t>'
                         '</is></c><c r="B1" t="inlineStr"><is><t>名称</t></is></c></row>').encode())
            for start in range(2, rows + 2, 100_000):
                sheet.write(("<row/>" * (min(start + 100_000, rows + 2) - start)).encode())
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.mark.parametrize("declare", [False, True])
def test_an_xlsx_of_two_million_empty_rows_is_refused_in_well_under_a_second(db, declare):
    bomb = _bomb(2_000_000, declare=declare)
    assert len(bomb) < 400 * 1024  # a small upload...
    started = time.perf_counter()
    with pytest.raises(FileRejected) as rejected:
        import_patents(db, bomb, "bomb.xlsx", index=False)
    elapsed = time.perf_counter() - started
    limit = get_settings().import_max_rows
    assert f"{limit:,} 行数据的上限" in str(rejected.value)
    assert ("声明有 2,000,001 行" in str(rejected.value)) == declare
    assert elapsed < 0.5, f"refused after {elapsed:.2f} s ({len(bomb) // 1024} KiB)"
    assert _count(db) == 0


def test_an_xlsx_that_unpacks_beyond_the_bound_is_refused_before_parsing(sipo_sample):
    with pytest.raises(FileRejected) as rejected:
        open_table(sipo_sample, "sipo.xlsx", bounds=Bounds(max_rows=1000, max_unpacked_bytes=200 * 1024))
    assert "Excel 文件解压后约 0.5 MB，超过 0.2 MB 的上限" in str(rejected.value)


def test_row_bound_stops_reading_and_writes_nothing(db, cnipr_sample, monkeypatch):
    monkeypatch.setattr(get_settings(), "import_max_rows", 5)
    with pytest.raises(FileRejected) as rejected:
        import_patents(db, cnipr_sample, "cnipr.csv", index=False)
    assert "文件超过 5 行数据的上限" in str(rejected.value) and _count(db) == 0
