"""Build the export-variant fixtures in tests/data/exports/ from the real records of the shared reference data.

Sources (read-only, /work/shared/data/patent-exports, see its README): ``sipo_export_sample_199.xlsx`` (199 real
CNIPA records, github.com/CarrotC/Naive-Bayesian-Classifier, no licence stated: tests only) and
``cnipr_export_sample.csv`` (10 real CNIPR records, github.com/Pinellia-0/PatentSemantix, no licence stated:
tests only). Each fixture re-writes some of those records in the layout another database exports, with the
banner lines, extra sheets and summary lines such exports carry. Run ``python -m tests.imports.export_fixtures``
to rebuild them; the tests read the committed files.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "patent-exports"
OUT = Path(__file__).resolve().parents[1] / "data" / "exports"
BANNER = "检索式: 申请人=(海安县建莲商品混凝土有限公司 OR 南通*)  导出时间 2026-11-20 10:31"


def sipo_records(count: int) -> list[dict[str, object]]:
    workbook = openpyxl.load_workbook(SHARED / "sipo_export_sample_199.xlsx", read_only=True)
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [h for h in next(rows) if h]
    records = [dict(zip(header, values)) for _, values in zip(range(count), rows)]
    workbook.close()
    return records


def _date(value: object) -> str:
    return str(value or "").replace(".", "-")


def _ipc_codes(value: object) -> list[str]:
    return [part.split("(")[0] for part in str(value or "").split(";") if part]


def incopat_xlsx(records: list[dict[str, object]]) -> bytes:
    """incoPat: a first sheet with the search conditions, then the list under two banner lines and a blank line,
    and a summary line at the end."""
    workbook = openpyxl.Workbook()
    conditions = workbook.active
    conditions.title = "检索条件"
    conditions.append(["检索式", BANNER])
    conditions.append(["数据库", "中国发明申请、中国实用新型"])
    sheet = workbook.create_sheet("专利列表")
    sheet.append([BANNER])
    sheet.append(["incoPat 专利数据导出"])
    sheet.append([])
    sheet.append(["序号", "标题", "申请号", "申请日", "公开（公告）号", "公开（公告）日", "IPC主分类", "IPC",
                  "申请人", "发明人", "申请人地址", "专利类型", "当前法律状态"])
    for number, r in enumerate(records, start=1):
        sheet.append([number, r["名称"], r["申请号"], _date(r["申请日"]), r["公开（公告）号"], _date(r["公开（公告）日"]),
                      _ipc_codes(r["主分类号"])[0], "; ".join(_ipc_codes(r["分类号"])), r["申请（专利权）人"],
                      r["发明（设计）人"], r["地址"], "实用新型", "有效"])
    sheet.append([f"共 {len(records)} 条"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[list[object]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def patsnap_csv(records: list[dict[str, object]]) -> bytes:
    """PatSnap (智慧芽), Chinese headers, UTF-8 with BOM: a banner line, a blank line, and 导出完毕 at the end."""
    rows: list[list[object]] = [[BANNER], [], [
        "序号", "公开(公告)号", "申请号", "标题", "摘要", "申请日", "公开(公告)日", "IPC分类号", "IPC主分类号",
        "申请(专利权)人", "发明人", "申请(专利权)人地址", "专利类型", "简单法律状态"]]
    for number, r in enumerate(records, start=1):
        rows.append([number, r["公开（公告）号"], r["申请号"], r["名称"], r["摘要"], r["申请日"], r["公开（公告）日"],
                     " | ".join(_ipc_codes(r["分类号"])).replace(" | ", ";"), _ipc_codes(r["主分类号"])[0],
                     r["申请（专利权）人"], r["发明（设计）人"], r["地址"], "实用新型", "有效"])
    rows.append(["导出完毕"])
    return _csv(rows)


def lens_csv(records: list[dict[str, object]]) -> bytes:
    """Lens.org: English headers (two "Lens ID" columns, as Lens writes them), CN application numbers without
    their check character, names and codes separated by ";;"."""
    rows: list[list[object]] = [[
        "#", "Jurisdiction", "Kind", "Display Key", "Lens ID", "Publication Date", "Publication Year",
        "Application Number", "Application Date", "Priority Numbers", "Earliest Priority Date", "Title", "Abstract",
        "Applicants", "Inventors", "Owners", "URL", "Document Type", "Has Full Text", "Cites Patent Count",
        "Cited by Patent Count", "Simple Family Size", "Extended Family Size", "Sequence Count",
        "CPC Classifications", "IPCR Classifications", "US Classifications", "NPL Citation Count"]]
    for number, r in enumerate(records, start=1):
        publication = str(r["公开（公告）号"])
        digits = str(r["申请号"]).removeprefix("CN").split(".")[0]
        rows.append([number, "CN", publication[-1], f"CN {publication[2:-1]} {publication[-1]}",
                     f"000-000-000-{number:03d}-00X", _date(r["公开（公告）日"]), str(r["公开（公告）日"])[:4],
                     f"CN {digits} A", _date(r["申请日"]), f"CN {digits} A", _date(r["申请日"]), r["名称"], r["摘要"],
                     str(r["申请（专利权）人"]).replace(";", ";;"), str(r["发明（设计）人"]).replace(";", ";;"), "",
                     f"https://lens.org/000-000-000-{number:03d}-00X", "LIMITED_PATENT", "false", 0, 0, 1, 1, 0, "",
                     ";;".join(_ipc_codes(r["分类号"])), "", 0])
    return _csv(rows, "utf-8")


def google_csv(records: list[dict[str, object]]) -> bytes:
    """Google Patents: a first line with the search URL, then its fixed header (no application number)."""
    rows: list[list[object]] = [
        ["search URL:", "https://patents.google.com/?assignee=%E6%B5%B7%E5%AE%89&country=CN"],
        ["id", "title", "assignee", "inventor/author", "priority date", "filing/creation date", "publication date",
         "grant date", "result link", "representative figure link"]]
    for r in records:
        publication = str(r["公开（公告）号"])
        rows.append([f"CN-{publication[2:-1]}-{publication[-1]}", r["名称"], r["申请（专利权）人"], r["发明（设计）人"],
                     _date(r["申请日"]), _date(r["申请日"]), _date(r["公开（公告）日"]), _date(r["公开（公告）日"]),
                     f"https://patents.google.com/patent/{publication}/zh", ""])
    return _csv(rows, "utf-8")


def cnipr_gbk_with_summary() -> bytes:
    """The real CNIPR sample re-encoded as GB18030 (as Excel saves a Chinese CSV), with a banner line above the
    header and a 合计 line below the data."""
    text = (SHARED / "cnipr_export_sample.csv").read_text(encoding="utf-8-sig")
    return (f"{BANNER}\r\n\r\n{text}合计,10\r\n").encode("gb18030")


FIXTURES = {
    "incopat_two_sheets.xlsx": lambda: incopat_xlsx(sipo_records(12)),
    "patsnap_zh.csv": lambda: patsnap_csv(sipo_records(15)[5:]),
    "lens.csv": lambda: lens_csv(sipo_records(8)),
    "google_patents.csv": lambda: google_csv(sipo_records(5)),
    "cnipr_gb18030_banner_summary.csv": cnipr_gbk_with_summary,
}


def build(out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in FIXTURES.items():
        path = out / name
        path.write_bytes(make())
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build():
        print(path, path.stat().st_size)
