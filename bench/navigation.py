"""Patent navigation report timing (专利导航报告): one chain's full report at 100k / 1M patents.

    .venv/bin/python bench/navigation.py [--size 100000] [--runs 3] [--chain xinchuang] [--prepare-only]

The patents are generated (``demo.generator.write_patent_csv``) and imported as demo data
(``patents.flows.import_patents(index=False)``) into a scratch SQLite database kept under
``bench/out/navigation-<size>/`` and reused on the next run (migrated to head first). Then
``navigation.report.build`` for the largest chain (or --chain) is timed --runs times after one warm-up, then the
page's build (cached) and the Word export that follows it (reusing the cached content model). The report's trend
table is also computed by DuckDB alone (bench/stats.py's raw table) and checked equal. Prints the machine, the
load and seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
OUT_DIR = ROOT / "out"


def prepare(size: int, seed: int) -> Path:
    """The scratch database for this size, created and filled on first use."""
    workdir = OUT_DIR / f"navigation-{size}"
    workdir.mkdir(parents=True, exist_ok=True)
    db_path = workdir / "bench.db"
    done_marker = workdir / "imported"
    sys.path.insert(0, str(ROOT))
    from run import configure, fresh_database  # bench/run.py

    configure(workdir, f"sqlite:///{db_path}")
    if done_marker.exists():
        from ipbureau.database.migrate import upgrade

        upgrade()
        print(f"复用 {db_path}", flush=True)
        return db_path
    fresh_database()
    from ipbureau.database.core import get_sessionmaker
    from ipbureau.demo.generator import current_ipc_codes, write_patent_csv
    from ipbureau.enums import Dataset
    from ipbureau.patents.flows import import_patents

    session = get_sessionmaker()()
    try:
        csv_path = workdir / "patents.csv"
        started = time.perf_counter()
        write_patent_csv(random.Random(seed), size, csv_path, ipc_codes=current_ipc_codes(session))
        print(f"生成 CSV {size:,} 件，用时 {time.perf_counter() - started:.1f} s", flush=True)
        started = time.perf_counter()
        imported = import_patents(session, csv_path.read_bytes(), csv_path.name, dataset=Dataset.DEMO, index=False)
        print(f"导入 {imported.inserted:,} 件，用时 {time.perf_counter() - started:.1f} s", flush=True)
        csv_path.unlink()
        done_marker.write_text(str(imported.inserted))
    finally:
        session.close()
    return db_path


def raw_trends(raw, chain_bit: int, years: list[int]) -> dict[str, list[int]]:
    """The report's trend rows computed by DuckDB alone (bench/stats.py's table ``f``): the chain's patents
    (every type) by filing year and by grant year, all and Tianjin's, and the dataset's filings."""
    y0, y1 = years[0], years[-1]
    rows = raw.execute(f"""SELECT y, sum(cf), sum(cft), sum(cg), sum(cgt), sum(df), sum(dft) FROM (
        SELECT year(filing_date) y, (mask & {chain_bit} <> 0)::INT cf, (mask & {chain_bit} <> 0
               AND province_code = '12')::INT cft, 0 cg, 0 cgt, 1 df, (province_code = '12')::INT dft
        FROM f WHERE filing_date BETWEEN DATE '{y0}-01-01' AND DATE '{y1}-12-31'
        UNION ALL
        SELECT year(grant_date), 0, 0, 1, (province_code = '12')::INT, 0, 0 FROM f
        WHERE mask & {chain_bit} <> 0 AND grant_date BETWEEN DATE '{y0}-01-01' AND DATE '{y1}-12-31')
        GROUP BY y""").fetchall()
    by_year = {r[0]: [int(v or 0) for v in r[1:]] for r in rows}
    names = ["chain_filed", "chain_filed_tj", "chain_granted", "chain_granted_tj", "dataset_filed", "dataset_filed_tj"]
    return {name: [by_year.get(y, [0] * 6)[k] for y in years] for k, name in enumerate(names)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ipbureau patent navigation report benchmark")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--chain", action="append", help="chain code(s); default: the largest chain")
    parser.add_argument("--prepare-only", action="store_true", help="only generate and import the database")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from stats import line, load_raw, machine_line, timed  # bench/stats.py

    print(machine_line(), flush=True)
    prepare(args.size, args.seed)
    if args.prepare_only:
        return 0

    from sqlalchemy import func, select

    from ipbureau.database.core import get_sessionmaker
    from ipbureau.enums import Dataset
    from ipbureau.navigation import report as navigation
    from ipbureau.navigation.chains import chain_bit, load_chains
    from ipbureau.patents.models import Patent

    session = get_sessionmaker()()
    total = session.scalar(select(func.count()).select_from(Patent).where(Patent.dataset == Dataset.DEMO.value))
    raw = load_raw(session, Dataset.DEMO.value)
    codes = [c.code for c in load_chains(session)]
    sizes = raw.execute("SELECT " + ", ".join(f"count_if(mask & {chain_bit(c)} <> 0)" for c in codes)
                        + " FROM f").fetchone()
    chains = args.chain or [max(zip(sizes, codes, strict=True))[1]]
    failures = 0
    for code in chains:
        ours, model = timed(lambda c=code: navigation.build(session, c, dataset=Dataset.DEMO), args.runs)
        years = model.figures["trends"]["years"]
        theirs, trends = timed(lambda c=code, y=years: raw_trends(raw, chain_bit(c), y), args.runs)
        wrong = [k for k, v in trends.items() if model.figures["trends"].get(k) != v]
        failures += len(wrong)
        print(line(f"导航报告 {model.chain_name}", ours, theirs)
              + f"（{total:,} 件中属本链 {model.total:,} 件；DuckDB 只算趋势表，报告另有申请人、发明人网络等）", flush=True)
        print(f"核对趋势表：{'与 DuckDB 相同' if not wrong else '不一致：' + '、'.join(wrong)}", flush=True)
    # The page builds through the cache; the Word export that follows takes the same model.
    navigation.clear_cache()
    started = time.perf_counter()
    model = navigation.build_cached(session, chains[0], dataset=Dataset.DEMO)
    page = time.perf_counter() - started
    started = time.perf_counter()
    data = navigation.to_docx(navigation.build_cached(session, chains[0], dataset=Dataset.DEMO))
    print(f"页面（{chains[0]}，计算并缓存）：{page:.2f} s；随后 Word 导出（复用内容模型，含图表）："
          f"{time.perf_counter() - started:.2f} s，{len(data) / 1024:.0f} KB", flush=True)
    print(f"结束时负载 {' / '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    session.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT.parent / "src"))
    sys.exit(main())
