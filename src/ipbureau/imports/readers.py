"""Read tabular files (CSV in UTF-8 or GB18030, XLSX) as numbered rows of header -> value.

Row numbers are the ones a person sees in Excel: the header is row 1, the first
record row 2. Headers are normalised (full-width brackets and spaces) so that
``公开（公告）号`` and ``公开(公告)号`` name the same column.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ipbureau.imports.errors import FileRejected

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


def normalise_header(header: Any) -> str:
    if header is None:
        return ""
    text = unicodedata.normalize("NFKC", str(header))  # full-width brackets and letters -> ASCII
    return re.sub(r"\s+", "", text).strip().lower()


@dataclass
class Table:
    """An opened file: its original headers, an estimate of its size and its rows."""

    format: str  # csv | xlsx
    headers: list[str]
    total_rows: int
    rows: Iterator[tuple[int, dict[str, Any]]]  # (row number, normalised header -> raw value)


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise FileRejected("文件编码无法识别：请以 UTF-8 或 GBK/GB18030 编码保存 CSV 文件")


def _csv_table(data: bytes) -> Table:
    text, _encoding = _decode(data)
    if "\x00" in text[:4096]:
        raise FileRejected("文件内容不是文本格式的 CSV（含有二进制内容）")
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        raise FileRejected("文件为空：没有表头行") from None
    keys = [normalise_header(h) for h in headers]
    total = max(text.count("\n") - 1, 0)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for index, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(keys) and any(v.strip() for v in values[len(keys):]):
                raise FileRejected(f"第 {index} 行的列数（{len(values)}）多于表头（{len(keys)}）：请检查分隔符或引号")
            yield index, {k: v for k, v in zip(keys, values) if k}

    return Table("csv", [h.strip() for h in headers], total, rows())


def _xlsx_table(data: bytes) -> Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise FileRejected(f"无法读取 Excel 文件（文件可能已损坏）：{exc}") from exc
    except Exception as exc:  # zipfile.BadZipFile and friends
        raise FileRejected(f"无法读取 Excel 文件（文件可能已损坏）：{type(exc).__name__}") from exc
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows(values_only=True)
    try:
        headers = list(next(iterator))
    except StopIteration:
        raise FileRejected("工作表为空：没有表头行") from None
    while headers and headers[-1] in (None, ""):
        headers.pop()
    keys = [normalise_header(h) for h in headers]
    total = max((sheet.max_row or 1) - 1, 0)

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        for index, values in enumerate(iterator, start=2):
            if not any(v not in (None, "") for v in values):
                continue
            yield index, {k: v for k, v in zip(keys, values) if k}
        workbook.close()

    return Table("xlsx", [str(h).strip() if h is not None else "" for h in headers], total, rows())


def open_table(data: bytes, filename: str) -> Table:
    suffix = Path(filename).suffix.lower()
    if data.startswith(OLE_MAGIC) or suffix == ".xls":
        raise FileRejected("不支持旧版 .xls 格式：请在 Excel 中另存为 .xlsx 或 CSV 后再导入")
    if data.startswith(XLSX_MAGIC) or suffix == ".xlsx":
        if not data.startswith(XLSX_MAGIC):
            raise FileRejected("文件扩展名为 .xlsx，但内容不是 Excel 工作簿")
        return _xlsx_table(data)
    if suffix in (".csv", ".txt", ".tsv", ""):
        return _csv_table(data)
    raise FileRejected(f"不支持的文件类型“{suffix}”：请上传 CSV 或 XLSX 文件")


# ---- value parsing shared by the domain importers -------------------------------------

DATE_PATTERNS = (
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


def parse_date(value: Any) -> date | None:
    """Dates as exports write them; 0 and empty mean none. Raises ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if text in ("", "0", "0.0", "-", "无"):
        return None
    if re.fullmatch(r"\d{8}\.0", text):  # an integer date that went through a float
        text = text[:-2]
    text = text.split(" ")[0].split("T")[0]
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)  # ValueError for 2022-02-30
    raise ValueError(f"无法识别的日期“{value}”（支持 yyyymmdd、YYYY.MM.DD、YYYY-MM-DD）")


def parse_count(value: Any) -> int | None:
    """A non-negative whole number; empty means none."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"应为非负整数，实为“{value}”")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"应为非负整数，实为“{value}”")
        number = int(value)
    else:
        text = str(value).strip().replace(",", "")
        if text == "":
            return None
        if not re.fullmatch(r"-?\d+(\.0+)?", text):
            raise ValueError(f"应为非负整数，实为“{value}”")
        number = int(float(text))
    if number < 0:
        raise ValueError(f"不能为负数：“{value}”")
    return number


def split_names(value: Any) -> list[str]:
    """Split a list of people or organisations: ';' '；' or '、' separated."""
    if value is None:
        return []
    parts = re.split(r"[;；、\n]", str(value).replace("\x00", ""))
    return [p.strip() for p in parts if p.strip()]


def text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    # NUL bytes come from broken exports; PostgreSQL cannot store them in text.
    text = str(value).replace("\x00", "").strip()
    return text or None
