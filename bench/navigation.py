"""Patent navigation report timing (专利导航报告): one chain's full report at 100k / 1M patents.

    .venv/bin/python bench/navigation.py [--size 100000] [--runs 3] [--chain xinchuang] [--prepare-only]

The patents are generated (``demo.generator.write_patent_csv``) and imported as demo data
(``patents.flows.import_patents(index=False)``) into a scratch SQLite database kept under
``bench/out/navigation-<size>/`` and reused on the next run (migrated to head first). Then
``navigation.report.build`` for a few chains is timed --runs times after one warm-up, then the
page's build (cached) and the Word export that follows it (reusing the cached content model). Prints the machine and seconds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ipbureau patent navigation report benchmark")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--chain", action="append", help="chain code(s); default: three chains")
    parser.add_argument("--prepare-only", action="store_true", help="only generate and import the database")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from run import machine_info  # bench/run.py

    machine = machine_info()
    print(f"机器：{machine['cpu']}，{machine['cores']} 核，内存 {machine['ram_gb']} GB，Python {machine['python']}，"
          f"负载 {os.getloadavg()[0]:.1f}", flush=True)
    prepare(args.size, args.seed)
    if args.prepare_only:
        return 0

    from sqlalchemy import func, select

    from ipbureau.database.core import get_sessionmaker
    from ipbureau.enums import Dataset
    from ipbureau.navigation import report as navigation
    from ipbureau.patents.models import Patent

    session = get_sessionmaker()()
    total = session.scalar(select(func.count()).select_from(Patent).where(Patent.dataset == Dataset.DEMO.value))
    chains = args.chain or ["xinchuang", "jicheng_dianlu", "shengwu_yiyao"]
    for code in chains:
        model = navigation.build(session, code, dataset=Dataset.DEMO)  # warm-up
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            model = navigation.build(session, code, dataset=Dataset.DEMO)
            times.append(time.perf_counter() - started)
        print(f"导航报告 {model.chain_name}（{total:,} 件专利中属本链 {model.total:,} 件）：中位 "
              f"{statistics.median(times):.2f} s，最大 {max(times):.2f} s", flush=True)
    # The page builds through the cache; the Word export that follows takes the same model.
    navigation.clear_cache()
    started = time.perf_counter()
    model = navigation.build_cached(session, chains[0], dataset=Dataset.DEMO)
    page = time.perf_counter() - started
    started = time.perf_counter()
    data = navigation.to_docx(navigation.build_cached(session, chains[0], dataset=Dataset.DEMO))
    print(f"页面（{chains[0]}，计算并缓存）：{page:.2f} s；随后 Word 导出（复用内容模型，含图表）："
          f"{time.perf_counter() - started:.2f} s，{len(data) / 1024:.0f} KB", flush=True)
    session.close()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT.parent / "src"))
    sys.exit(main())
