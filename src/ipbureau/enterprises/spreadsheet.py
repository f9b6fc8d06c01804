"""The area's Excel exports (assessment candidates, visits, trainings, fee reductions): one sheet, a bold header
row, text that Excel would run as a formula made inert."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def inert(value: Any) -> Any:
    """Text that Excel would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def workbook(title: str, headers: list[str], rows: Iterable[list[Any]], *, caption: str | None = None,
             fixed_columns: int = 0, widths: dict[str, int] | None = None) -> bytes:
    """An .xlsx file of one sheet: an optional caption line, the headers (bold) and the rows. The header row and
    the first ``fixed_columns`` columns stay in view when scrolling; without ``widths`` each column is as wide
    as its header needs."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    if caption:
        sheet.append([caption])
    sheet.append(headers)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([inert(v) for v in row])
    sheet.freeze_panes = sheet.cell(header_row + 1, fixed_columns + 1).coordinate
    if widths:
        for column, width in widths.items():
            sheet.column_dimensions[column].width = width
    else:
        for i, header in enumerate(headers, start=1):
            sheet.column_dimensions[sheet.cell(header_row, i).column_letter].width = max(10, min(40, len(header) * 2 + 4))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
