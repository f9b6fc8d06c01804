"""Read tabular files (CSV in UTF-8 or GB18030, XLSX) as numbered rows of header -> value, streaming.

Row numbers are the ones a person sees in Excel (for a CSV: its records, counted from 1). Headers are
normalised (full-width brackets and spaces) so that ``公开（公告）号`` and ``公开(公告)号`` name the same column.

Real exports are not a bare table: a database writes banner lines above the header (``检索式: …  导出时间 …``),
a summary line below the data (``共 10 条``), or several sheets (search conditions, then the list). Given a
``recognise`` function (headers -> score, or None when they are not the header of this kind of record), the
header row is looked for BY CONTENT in the first HEADER_SEARCH_ROWS rows of every sheet; what was skipped is
reported as notes. A file that was cut off (a download that did not finish) is refused as a whole, and files
beyond the bounds (rows, unpacked size of an XLSX) are refused before they are parsed.

The file is read from disk (or from bytes) through a text wrapper: neither the whole file nor its decoded text
is held in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from ipbureau.config import get_settings
from ipbureau.imports.errors import FileRejected, RowProblem

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
HEADER_SEARCH_ROWS = 30
SCAN_CHUNK = 1 << 20
# A summary line after the data: "合计", "共 10 条", "导出完毕", "Total: 10" (alone or with one more cell).
SUMMARY_LINE = re.compile(
    r"^(合计|总计|小计|共\s*[\d,]+\s*(条|项|件|篇|行|个|记录)|导出完毕|导出完成|数据导出完毕|记录总数|总记录数|"
    r"total\b|end of (file|export|results))", re.IGNORECASE)
# The row-count the sheet declares: <dimension ref="A1:AH200"/>.
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"")
ROW_TAGS = (b"<row ", b"<row>", b"<row/>")

# headers -> a score (how many known columns they name) or None (not a header of this kind of record)
Recognise = Callable[[list[str]], "int | None"]
Source = bytes | Path


def normalise_header(header: Any) -> str:
    if header is None:
        return ""
    text = unicodedata.normalize("NFKC", str(header))  # full-width brackets and letters -> ASCII
    return re.sub(r"\s+", "", text).strip().lower()


@dataclass(frozen=True)
class Bounds:
    """How much a file may hold: data rows, and the unpacked size of an XLSX (its zip members together)."""

    max_rows: int
    max_unpacked_bytes: int

    @classmethod
    def from_settings(cls) -> Bounds:
        settings = get_settings()
        return cls(settings.import_max_rows, settings.import_max_xlsx_unpacked_mb * 1024 * 1024)


@dataclass
class Table:
    """An opened file: its original headers, an estimate of its size, its rows, and what was skipped."""

    format: str  # csv | xlsx
    headers: list[str]
    total_rows: int
    rows: Iterator[tuple[int, dict[str, Any]]]  # (row number, normalised header -> raw value)
    # Lines skipped (banner, summary) and the sheet chosen: the import report shows them. Trailing summary lines
    # are only known once the rows have been read, so this list grows while ``rows`` is consumed.
    notes: list[RowProblem] = field(default_factory=list)
    sheet: str | None = None


def truncated(row: int) -> FileRejected:
    return FileRejected(f"文件在第 {row} 行处不完整，可能未下载完整：请重新导出或下载后再导入（未写入任何记录）")


def _too_many_rows(bounds: Bounds) -> FileRejected:
    return FileRejected(f"文件超过 {bounds.max_rows:,} 行数据的上限：请分成几个文件导入")


def _open_binary(source: Source) -> IO[bytes]:
    return io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115 (closed by caller)


def _is_blank(values: Any) -> bool:
    return not any(v is not None and str(v).strip() for v in values)


def _find_header(preview: list[list[Any]], recognise: Recognise | None) -> int:
    """The index of the header row among the first rows: the best-scoring recognised one, else the first row
    that is not blank (whose missing columns the importer then names)."""
    first = next((i for i, values in enumerate(preview) if not _is_blank(values)), 0)
    if recognise is None:
        return 0
    best, best_score = first, None
    for index, values in enumerate(preview):
        score = recognise([str(v).strip() if v is not None else "" for v in values])
        if score is not None and (best_score is None or score > best_score):
            best, best_score = index, score
    return best


def _skipped_note(header_index: int, preview: list[list[Any]]) -> list[RowProblem]:
    skipped = sum(1 for values in preview[:header_index] if not _is_blank(values))
    if not header_index:
        return []
    return [RowProblem(header_index + 1, "文件",
                       f"跳过了表头前的 {header_index} 行（导出说明{f'，其中 {skipped} 行有内容' if skipped else ''}）")]


def _summary_line(values: list[Any]) -> bool:
    filled = [str(v).strip() for v in values if v is not None and str(v).strip()]
    return 0 < len(filled) <= 2 and bool(SUMMARY_LINE.match(filled[0]))


def _records(keys: list[str], numbered: Iterator[tuple[int, list[Any]]], notes: list[RowProblem],
             bounds: Bounds) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows after the header as dicts; summary lines at the end become notes (in the middle, plain rows)."""
    held: list[tuple[int, list[Any]]] = []  # summary-like lines, kept until we know they end the file
    count = 0
    for index, values in numbered:
        if _is_blank(values):
            continue
        if _summary_line(values):
            held.append((index, values))
            continue
        for pending in (*held, (index, values)):
            count += 1
            if count > bounds.max_rows:
                raise _too_many_rows(bounds)
            yield pending[0], {k: v for k, v in zip(keys, pending[1]) if k}
        held = []
    if held:
        shown = "；".join(str(next(v for v in values if v is not None and str(v).strip())) for _, values in held[:3])
        notes.append(RowProblem(held[0][0], "文件", f"忽略了表尾的 {len(held)} 行汇总说明（{shown[:80]}）"))


# ---- CSV --------------------------------------------------------------------------------


@dataclass
class _CsvScan:
    encoding: str
    lines: int  # newline characters: the last physical line is lines + 1
    ends_with_newline: bool


def _scan_csv(handle: IO[bytes]) -> _CsvScan:
    """Decide the encoding by decoding the whole file once (in chunks, nothing kept), and find a file cut off
    in the middle of a character: such a file is refused at its last line before anything is read."""
    invalid = False
    for encoding in CSV_ENCODINGS:
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        lines = 0
        last = b""
        try:
            while chunk := handle.read(SCAN_CHUNK):
                decoder.decode(chunk)
                lines += chunk.count(b"\n")
                last = chunk[-1:]
        except UnicodeDecodeError:
            invalid = True
            continue
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            # Valid up to its last bytes, which start a character that never ends: the download stopped there.
            raise truncated(lines + 1) from None
        handle.seek(0)
        return _CsvScan(encoding, lines, last in (b"\n", b"\r"))
    assert invalid
    raise FileRejected("文件编码无法识别：请以 UTF-8 或 GBK/GB18030 编码保存 CSV 文件")


def _csv_table(source: Source, recognise: Recognise | None, bounds: Bounds) -> Table:
    handle = _open_binary(source)
    try:
        scan = _scan_csv(handle)
        if b"\x00" in handle.read(4096):
            raise FileRejected("文件内容不是文本格式的 CSV（含有二进制内容）")
        handle.seek(0)
        text = io.TextIOWrapper(handle, encoding=scan.encoding, newline="")
        sample = text.read(8192)
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
        except csv.Error:
            delimiter = ","
        text.seek(0)
        reader = csv.reader(text, delimiter=delimiter)
        preview: list[list[Any]] = []
        for values in reader:
            preview.append(values)
            if len(preview) >= HEADER_SEARCH_ROWS:
                break
    except BaseException:
        handle.close()
        raise
    if all(_is_blank(values) for values in preview):
        handle.close()
        raise FileRejected("文件为空：没有表头行")
    header_index = _find_header(preview, recognise)
    headers = preview[header_index]
    keys = [normalise_header(h) for h in headers]
    notes = _skipped_note(header_index, preview)

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        """(row number, values) after the header; the last record of a file cut off mid-row is refused."""
        try:
            pending: tuple[int, list[Any]] | None = None
            rest = iter(preview[header_index + 1:])
            index = header_index + 1
            for values in itertools.chain(rest, reader):
                index += 1
                if pending is not None:
                    yield pending
                if len(values) > len(keys) and any(v.strip() for v in values[len(keys):]):
                    raise FileRejected(f"第 {index} 行的列数（{len(values)}）多于表头（{len(keys)}）：请检查分隔符或引号")
                pending = (index, values)
            if pending is not None:
                # No newline after the last record and fewer cells than the header: the file stops inside it.
                if not scan.ends_with_newline and len(pending[1]) < len(keys) and not _is_blank(pending[1]):
                    raise truncated(pending[0])
                yield pending
        finally:
            handle.close()

    return Table("csv", [h.strip() for h in headers], max(scan.lines - header_index - 1, 0),
                 _records(keys, numbered(), notes, bounds), notes)


# ---- XLSX -------------------------------------------------------------------------------


def _broken_xlsx(reason: str) -> FileRejected:
    return FileRejected(f"Excel 文件不完整或已损坏，可能未下载完整：{reason}（未写入任何记录）")


def _check_xlsx_bounds(handle: IO[bytes], bounds: Bounds) -> None:
    """Refuse a workbook beyond the bounds before openpyxl parses it: the unpacked size from the zip's central
    directory, then each sheet's declared dimension and its rows, counted in the compressed stream (a few MB of
    zip can unpack to millions of empty rows, which a parser would take minutes to walk)."""
    try:
        archive = zipfile.ZipFile(handle)
    except zipfile.BadZipFile:
        raise _broken_xlsx("找不到压缩目录") from None
    with archive:
        members = archive.infolist()
        unpacked = sum(m.file_size for m in members)
        if unpacked > bounds.max_unpacked_bytes:
            raise FileRejected(f"Excel 文件解压后约 {unpacked / 1048576:,.1f} MB，超过 "
                               f"{bounds.max_unpacked_bytes / 1048576:,.1f} MB 的上限：请分成几个文件或改用 CSV 导入")
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                _check_sheet_rows(archive, member, bounds)


def _check_sheet_rows(archive: zipfile.ZipFile, member: zipfile.ZipInfo, bounds: Bounds) -> None:
    limit = bounds.max_rows + HEADER_SEARCH_ROWS + 1  # the header and the lines above it are rows too
    rows = 0
    carry = b""
    first = True
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(SCAN_CHUNK):
                if first:
                    declared = DIMENSION.search(chunk[:4096])
                    if declared and int(declared.group(1)) > limit:
                        raise FileRejected(f"工作表声明有 {int(declared.group(1)):,} 行，超过 {bounds.max_rows:,} 行数据的上限："
                                           "请分成几个文件导入")
                    first = False
                window = carry + chunk
                rows += sum(window.count(tag) for tag in ROW_TAGS)
                carry = window[-5:]  # shorter than a tag: a tag split across chunks is counted once
                if rows > limit:
                    raise _too_many_rows(bounds)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise _broken_xlsx(f"工作表数据无法解压（{type(exc).__name__}）") from None


def _xlsx_table(source: Source, recognise: Recognise | None, bounds: Bounds) -> Table:
    import openpyxl

    handle = _open_binary(source)
    try:
        _check_xlsx_bounds(handle, bounds)
        handle.seek(0)
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except FileRejected:
        handle.close()
        raise
    except Exception as exc:  # openpyxl raises KeyError, ValueError, InvalidFileException... for broken parts
        handle.close()
        raise FileRejected(f"无法读取 Excel 文件（文件可能已损坏）：{type(exc).__name__}") from exc

    # The sheet whose header is best recognised (an export may put its search conditions on a first sheet).
    chosen = None
    for sheet in workbook.worksheets:
        preview = [list(values) for values in sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True)]
        index = _find_header(preview, recognise)
        score = recognise(_header_texts(preview[index])) if recognise and preview else None
        if chosen is None or (score is not None and (chosen[3] is None or score > chosen[3])):
            chosen = (sheet, preview, index, score)
    if chosen is None or not chosen[1]:
        workbook.close()
        handle.close()
        raise FileRejected("工作表为空：没有表头行")
    sheet, preview, header_index, _score = chosen
    headers = _header_texts(preview[header_index])
    while headers and headers[-1] == "":
        headers.pop()
    keys = [normalise_header(h) for h in headers]
    notes = _skipped_note(header_index, preview)
    if len(workbook.worksheets) > 1:
        others = "、".join(f"“{s.title}”" for s in workbook.worksheets if s is not sheet)
        notes.insert(0, RowProblem(0, "文件", f"使用工作表“{sheet.title}”（按表头识别；未导入的工作表：{others}）"))
    declared = sheet.max_row or 1

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        try:
            for index, values in enumerate(sheet.iter_rows(min_row=header_index + 2, values_only=True),
                                           start=header_index + 2):
                yield index, list(values)
        finally:
            workbook.close()
            handle.close()

    return Table("xlsx", headers, max(declared - header_index - 1, 0), _records(keys, numbered(), notes, bounds),
                 notes, sheet=sheet.title)


def _header_texts(values: list[Any]) -> list[str]:
    return [str(v).strip() if v is not None else "" for v in values]


def open_table(source: Source, filename: str, *, recognise: Recognise | None = None,
               bounds: Bounds | None = None) -> Table:
    """Open a CSV or XLSX file (bytes, or a path on disk, which is streamed).

    Without ``recognise`` the header is the first row; with it, the best-recognised row of the first
    HEADER_SEARCH_ROWS (of the best sheet). Raises FileRejected for a file that cannot be read as a whole.
    """
    bounds = bounds or Bounds.from_settings()
    suffix = Path(filename).suffix.lower()
    with _open_binary(source) as handle:
        magic = handle.read(4)
    if magic.startswith(OLE_MAGIC) or suffix == ".xls":
        raise FileRejected("不支持旧版 .xls 格式：请在 Excel 中另存为 .xlsx 或 CSV 后再导入")
    if magic.startswith(XLSX_MAGIC) or suffix == ".xlsx":
        if not magic.startswith(XLSX_MAGIC):
            raise FileRejected("文件扩展名为 .xlsx，但内容不是 Excel 工作簿")
        return _xlsx_table(source, recognise, bounds)
    if suffix in (".csv", ".txt", ".tsv", ""):
        return _csv_table(source, recognise, bounds)
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
    parsed, error = _parse_date_text(str(value))
    if error is not None:
        raise ValueError(error)
    return parsed


@lru_cache(maxsize=1 << 16)
def _parse_date_text(text: str) -> tuple[date | None, str | None]:
    """Remembered: an export of a million rows holds a few thousand distinct dates (bounded, so memory stays
    flat)."""
    try:
        return _parse_date_uncached(text), None
    except ValueError as exc:
        return None, str(exc)


def _parse_date_uncached(value: str) -> date | None:
    text = value.strip()
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
