"""The platform's one Excel writer (documents.spreadsheet) against XlsxWriter writing the same rows by itself.

    .venv/bin/python bench/spreadsheet.py [--rows 5000] [--runs 3]

The rows are shaped like the patent search export (13 columns: numbers, Chinese text, two dates, an abstract),
one in ten with a title starting with "=" (made inert by the writer). Timed, best of --runs (the writers take turns):

* ``spreadsheet.table`` (the guard, per-cell formats for dates, the bound, constant-memory mode);
* the raw engine: XlsxWriter in constant-memory mode, ``write_row`` with a default date format, no guard;
* openpyxl's write-only mode on the same rows (what several exports used before).

Prints the machine, the load before and after, rows per second and the ratios to the raw engine.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import xlsxwriter  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from ipbureau.documents import spreadsheet  # noqa: E402
from screening import machine  # noqa: E402  (bench/ is the script's directory, first on sys.path)

HEADERS = ("申请号", "公开号", "专利类型", "名称", "申请人", "主分类号", "分类号", "申请日", "授权公告日", "法律状态", "区",
           "数据类别", "摘要")


def make_rows(count: int) -> list[list[object]]:
    rng = random.Random(7)
    start = date(2015, 1, 1)
    return [[f"CN2021{i:07d}.X", f"CN11{i:07d}A", "发明", ("=HYPERLINK(1)" if i % 10 == 0 else "一种锂电池极片辊压装置"),
             "天津某某科技有限公司；天津大学", "H01M10/0525", "H01M10/0525；H01M4/04",
             start + timedelta(days=rng.randrange(3000)), None if i % 3 else start + timedelta(days=rng.randrange(3000)),
             "有效", "滨海新区", "真实数据", "本发明公开了一种装置，" * 12] for i in range(count)]


def shared_writer(rows: list[list[object]]) -> bytes:
    return spreadsheet.table("专利检索结果", HEADERS, iter(rows), widths=())


def raw_xlsxwriter(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False,
                                        "default_date_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("专利检索结果")
    sheet.write_row(0, 0, HEADERS)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    book.close()
    return buffer.getvalue()


def openpyxl_write_only(rows: list[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("专利检索结果")
    sheet.append(list(HEADERS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def best_of(runs: int, writers: list[Callable[[list[list[object]]], bytes]], rows: list[list[object]]) -> list[float]:
    """The best time of each writer, the writers taking turns in each round (the load changes during a run)."""
    best = [float("inf")] * len(writers)
    for _ in range(runs):
        for index, write in enumerate(writers):
            started = time.perf_counter()
            write(rows)
            best[index] = min(best[index], time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = make_rows(args.rows)
    load_before = os.getloadavg()
    raw, shared, legacy = best_of(args.runs, [raw_xlsxwriter, shared_writer, openpyxl_write_only], rows)
    load_after = os.getloadavg()
    print(f"machine: {machine()}")
    print(f"load (1/5/15 min): before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)}")
    print(f"{args.rows} rows × {len(HEADERS)} columns, best of {args.runs}")
    for name, seconds in (("raw XlsxWriter (engine)", raw), ("documents.spreadsheet", shared),
                          ("openpyxl write-only", legacy)):
        print(f"  {name:26s} {seconds:6.3f} s  {args.rows / seconds:9.0f} rows/s  ×{seconds / raw:.2f} of the engine")


if __name__ == "__main__":
    main()
