"""Dashboard timing: every figure of the /stats page for the latest complete year.

    .venv/bin/python bench/stats.py [--size 100000] [--database-url URL] [--runs 3]

A fresh database (SQLite in a temporary directory unless --database-url is given, whose
tables are DROPPED), a generated CNIPR-style CSV of --size patents imported as demo data
(as bench/run.py does, without the search index), then ``stats.service.dashboard`` for the
city and for 滨海新区, timed --runs times after one warm-up. Prints seconds.

With --whitepaper, also the annual white paper (stats/whitepaper.py) of that year: the
content model (every query) and the Word and PDF files with their charts, timed apart.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ipbureau statistics dashboard benchmark")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--whitepaper", action="store_true", help="also time white paper generation")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from run import configure, fresh_database  # bench/run.py

    with tempfile.TemporaryDirectory(prefix="ipbureau-bench-stats-") as tmp:
        workdir = Path(tmp)
        configure(workdir, args.database_url)
        fresh_database()
        from ipbureau.database.core import get_sessionmaker
        from ipbureau.demo.generator import current_ipc_codes, write_patent_csv
        from ipbureau.enums import Dataset
        from ipbureau.patents.flows import import_patents
        from ipbureau.stats import service

        session = get_sessionmaker()()
        csv_path = workdir / "patents.csv"
        write_patent_csv(random.Random(args.seed), args.size, csv_path, ipc_codes=current_ipc_codes(session))
        started = time.perf_counter()
        imported = import_patents(session, csv_path.read_bytes(), csv_path.name, dataset=Dataset.DEMO, index=False)
        print(f"导入 {imported.inserted:,} 件，用时 {time.perf_counter() - started:.1f} s", flush=True)
        year = service.default_year(session, Dataset.DEMO)
        for scope, district in (("全市", None), ("滨海新区", "120116")):
            service.dashboard(session, year, dataset=Dataset.DEMO, district_code=district)  # warm-up
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                service.dashboard(session, year, dataset=Dataset.DEMO, district_code=district)
                times.append(time.perf_counter() - started)
            print(f"统计看板 {year} 年（{scope}，{imported.inserted:,} 件专利）：中位 {statistics.median(times):.2f} s，"
                  f"最大 {max(times):.2f} s", flush=True)
        if args.whitepaper:
            _time_whitepaper(session, year, args.runs, imported.inserted)
        session.close()
    return 0


def _time_whitepaper(session, year: int, runs: int, size: int) -> None:
    from ipbureau.enums import Dataset
    from ipbureau.stats import whitepaper

    whitepaper.to_pdf(whitepaper.build(session, year, dataset=Dataset.DEMO))  # warm-up (fonts, imports)
    timings: dict[str, list[float]] = {"内容（全部查询）": [], "Word": [], "PDF": []}
    for _ in range(runs):
        started = time.perf_counter()
        paper = whitepaper.build(session, year, dataset=Dataset.DEMO)
        timings["内容（全部查询）"].append(time.perf_counter() - started)
        for name, render in (("Word", whitepaper.to_docx), ("PDF", whitepaper.to_pdf)):
            started = time.perf_counter()
            render(paper)
            timings[name].append(time.perf_counter() - started)
    for name, times in timings.items():
        print(f"白皮书 {year} 年 {name}（{size:,} 件专利）：中位 {statistics.median(times):.2f} s，"
              f"最大 {max(times):.2f} s", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT.parent / "src"))
    sys.exit(main())
