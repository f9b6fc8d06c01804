"""The area's Excel exports (assessment candidates, visits, trainings, fee reductions): one sheet, a bold header
row, text that Excel would run as a formula made inert — written by the platform's one writer
(``documents.spreadsheet``); this module keeps the area's way of naming columns by letter."""

from __future__ import annotations

from collections.abc import Iterable
from string import ascii_uppercase
from typing import Any

from ipbureau.documents.spreadsheet import XLSX, inert, table

__all__ = ["XLSX", "inert", "workbook"]


def workbook(title: str, headers: list[str], rows: Iterable[list[Any]], *, caption: str | None = None,
             fixed_columns: int = 0, widths: dict[str, int] | None = None) -> bytes:
    """An .xlsx file of one sheet: an optional caption line, the headers (bold) and the rows. The header row and
    the first ``fixed_columns`` columns stay in view when scrolling; ``widths`` by column letter."""
    return table(title, headers, rows, caption=caption, fixed_columns=fixed_columns,
                 widths={ascii_uppercase.index(letter): width for letter, width in (widths or {}).items()})
