"""Import, indexing and search benchmark on generated CNIPR-style patent files.

    .venv/bin/python bench/run.py [--sizes 100000 1000000] [--queries 200] [--database-url URL]

For each size: a fresh database (SQLite in a temporary directory unless --database-url is
given, whose tables are dropped and re-created), migration and reference data, a generated
CSV (``ipbureau.demo.generator.write_patent_csv``), the transactional import
(``import_patents(index=False)``), a full index build (``search.service.reindex_all``) and
a fixed list of 50 realistic queries through ``search.service.search`` (page 1, 20 hits),
run once to warm up and then timed. Prints a table and writes JSON to bench/out/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
OUT_DIR = ROOT / "out"

# (free text, filters): Chinese keywords of the kind the bureau's staff type, alone and
# combined with the filters of the search page (type, IPC prefix, district, date range).
QUERIES: list[tuple[str | None, dict[str, Any]]] = [
    ("激光雷达", {}),
    ("锂离子电池", {}),
    ("无人机", {}),
    ("石墨烯", {}),
    ("工业机器人", {}),
    ("深度学习", {}),
    ("碳化硅器件", {}),
    ("中药组合物", {}),
    ("燃料电池电堆", {}),
    ("数控机床 主轴", {}),
    ("自动驾驶车辆 路径规划", {}),
    ("单克隆抗体", {}),
    ("光伏组件", {}),
    ("焊接机器人", {}),
    ("分布式数据库", {}),
    ("电池管理系统", {}),
    ("检测试剂盒", {}),
    ("催化剂 制备方法", {}),
    ("芯片封装", {}),
    ("车载雷达 目标识别", {}),
    ("驱动电机", {}),
    ("可降解塑料", {}),
    ("电解水制氢", {}),
    ("扫地机器人", {}),
    ("国密算法 身份认证", {}),
    ("锂离子电池", {"patent_type": "invention"}),
    ("无人机", {"patent_type": "utility_model"}),
    ("激光雷达", {"ipc": "G01S"}),
    ("存储器", {"ipc": "H10B"}),
    ("机械臂", {"ipc": "B25J"}),
    ("化合物", {"ipc": "C07D"}),
    ("神经网络模型", {"ipc": "G06N"}),
    ("储能电站", {"district_code": "120116"}),
    ("新能源", {"district_code": "120111"}),
    ("医疗器械", {"district_code": "120110"}),
    ("充电桩", {"district_code": "120113"}),
    ("加氢裂化", {"district_code": "120116", "patent_type": "invention"}),
    ("光伏", {"filing_from": date(2022, 1, 1), "filing_to": date(2022, 12, 31)}),
    ("芯片", {"filing_from": date(2020, 1, 1)}),
    ("机器人", {"patent_type": "invention", "legal_status": "valid"}),
    ("电池", {"ipc": "H01M10/00", "filing_from": date(2021, 1, 1)}),
    ("制备方法", {"ipc": "C08L", "district_code": "120116"}),
    ("装置", {"patent_type": "utility_model", "district_code": "120114", "filing_from": date(2023, 1, 1)}),
    ("方法", {"patent_type": "invention", "grant_from": date(2022, 1, 1), "grant_to": date(2022, 12, 31)}),
    (None, {"ipc": "B60L"}),
    (None, {"district_code": "120104", "patent_type": "invention"}),
    (None, {"filing_from": date(2024, 1, 1), "filing_to": date(2024, 6, 30)}),
    (None, {"ipc": "H10D", "legal_status": "valid"}),
    (None, {"district_code": "120119"}),
    ("天津", {"patent_type": "design"}),
]


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": ram_gb, "python": platform.python_version(),
            "platform": platform.platform()}


def configure(workdir: Path, database_url: str | None) -> str:
    """Point ipbureau's settings at a fresh database and index in ``workdir``."""
    url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    os.environ.update({
        "IPBUREAU_DATA_DIR": str(workdir),
        "IPBUREAU_DATABASE_URL": url,
        "IPBUREAU_SEARCH_INDEX_DIR": str(workdir / "index"),
        "IPBUREAU_SECRET_KEY": "bench-only-secret-key-not-for-production",
    })
    from ipbureau.config import get_settings
    from ipbureau.database.core import reset_engine_cache

    get_settings.cache_clear()
    reset_engine_cache()
    return url


def fresh_database() -> None:
    from sqlalchemy import text

    from ipbureau.database.core import get_engine, session_scope
    from ipbureau.database.migrate import upgrade
    from ipbureau.database.registry import metadata
    from ipbureau.reference import service as reference

    engine = get_engine()
    metadata.drop_all(engine)  # a PostgreSQL bench database may hold a previous run
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    with session_scope() as session:
        reference.load_districts(session)
        reference.load_ipc(session)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def run_queries(session: Any, timed_runs: int) -> dict[str, Any]:
    from ipbureau.search import service
    from ipbureau.search.models import PatentQuery

    queries = [PatentQuery(q=q, **filters) for q, filters in QUERIES]

    def one(query: PatentQuery) -> tuple[float, int]:
        started = time.perf_counter()
        try:
            page = service.search(session, query, page=1, page_size=20, record=False)
        except TypeError:  # a search() without the record flag
            page = service.search(session, query, page=1, page_size=20)
        return (time.perf_counter() - started) * 1000, page.total

    for query in queries:  # warm-up: caches, index readers, SQLite pages
        one(query)
    latencies: list[float] = []
    totals: list[int] = []
    for i in range(timed_runs):
        ms, total = one(queries[i % len(queries)])
        latencies.append(ms)
        totals.append(total)
    session.rollback()
    return {
        "queries": len(queries), "timed_runs": timed_runs,
        "p50_ms": round(percentile(latencies, 0.50), 2), "p95_ms": round(percentile(latencies, 0.95), 2),
        "max_ms": round(max(latencies), 2), "mean_ms": round(statistics.fmean(latencies), 2),
        "zero_hit_queries": sum(1 for t in totals[: len(queries)] if t == 0),
        "median_hits": int(statistics.median(totals[: len(queries)])),
    }


def bench_size(size: int, seed: int, timed_runs: int, database_url: str | None, keep: bool) -> dict[str, Any]:
    result: dict[str, Any] = {"size": size, "seed": seed}
    with tempfile.TemporaryDirectory(prefix=f"ipbureau-bench-{size}-") as tmp:
        workdir = Path(tmp)
        url = configure(workdir, database_url)
        result["database"] = url.split("://")[0]
        fresh_database()

        from ipbureau.database.core import get_sessionmaker
        from ipbureau.demo.generator import current_ipc_codes, write_patent_csv
        from ipbureau.enums import Dataset
        from ipbureau.patents.flows import import_patents

        session = get_sessionmaker()()
        try:
            csv_path = workdir / f"patents-{size}.csv"
            started = time.perf_counter()
            write_patent_csv(random.Random(seed), size, csv_path, ipc_codes=current_ipc_codes(session))
            result["generate_s"] = round(time.perf_counter() - started, 1)
            result["csv_mb"] = round(csv_path.stat().st_size / 1e6, 1)
            print(f"  [{size:,}] 生成 CSV {result['csv_mb']} MB，用时 {result['generate_s']} s", flush=True)

            data = csv_path.read_bytes()
            last = [0.0]

            def progress(done: int, total: int) -> None:
                now = time.perf_counter()
                if now - last[0] > 30:
                    last[0] = now
                    print(f"  [{size:,}] 导入 {done:,}/{total:,}", flush=True)

            started = time.perf_counter()
            imported = import_patents(session, data, csv_path.name, dataset=Dataset.DEMO, progress=progress, index=False)
            seconds = time.perf_counter() - started
            del data
            result.update(import_s=round(seconds, 1), import_rows_per_s=round(imported.inserted / seconds),
                          imported=imported.inserted, import_warnings=len(imported.warnings))
            print(f"  [{size:,}] 导入 {imported.inserted:,} 行，用时 {seconds:.1f} s（{result['import_rows_per_s']:,} 行/秒）",
                  flush=True)

            from ipbureau.search import service

            started = time.perf_counter()
            indexed = service.reindex_all(session)
            seconds = time.perf_counter() - started
            result.update(index_s=round(seconds, 1), index_rows_per_s=round(indexed / seconds), indexed=indexed)
            print(f"  [{size:,}] 建立索引 {indexed:,} 件，用时 {seconds:.1f} s（{result['index_rows_per_s']:,} 件/秒）",
                  flush=True)

            result.update(run_queries(session, timed_runs))
            print(f"  [{size:,}] 检索 p50 {result['p50_ms']} ms，p95 {result['p95_ms']} ms，最大 {result['max_ms']} ms",
                  flush=True)
            if keep:
                result["kept_copy"] = str(_keep(workdir, size))
        finally:
            session.close()
            from ipbureau.database.core import reset_engine_cache

            reset_engine_cache()
    return result


def _keep(workdir: Path, size: int) -> Path:
    import shutil

    target = OUT_DIR / f"data-{size}"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(workdir, target, ignore=shutil.ignore_patterns("*.csv"))
    return target


def print_table(machine: dict[str, Any], results: list[dict[str, Any]]) -> None:
    print()
    print(f"机器：{machine['cpu']}，{machine['cores']} 核，内存 {machine['ram_gb']} GB，Python {machine['python']}")
    header = ("规模", "数据库", "CSV MB", "导入 s", "导入 行/s", "索引 s", "索引 件/s", "p50 ms", "p95 ms", "max ms")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for r in results:
        print(" | ".join(str(v) for v in (
            f"{r['size']:,}", r["database"], r["csv_mb"], r["import_s"], f"{r['import_rows_per_s']:,}", r["index_s"],
            f"{r['index_rows_per_s']:,}", r["p50_ms"], r["p95_ms"], r["max_ms"])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ipbureau import / index / search benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000], help="patent counts (default 100000)")
    parser.add_argument("--queries", type=int, default=200,
                        help="timed query runs after the warm-up, cycling through the 50 queries (default 200)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--database-url", default=None,
                        help="bench against this database (e.g. postgresql+psycopg://…); its tables are DROPPED")
    parser.add_argument("--keep", action="store_true", help="copy each size's database and index to bench/out/")
    args = parser.parse_args(argv)

    machine = machine_info()
    print(f"机器：{machine['cpu']}，{machine['cores']} 核，内存 {machine['ram_gb']} GB，Python {machine['python']}",
          flush=True)
    results = []
    for size in args.sizes:
        results.append(bench_size(size, args.seed, args.queries, args.database_url, args.keep))
    print_table(machine, results)
    OUT_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = OUT_DIR / f"bench-{stamp}.json"
    out.write_text(json.dumps({"machine": machine, "started": stamp, "results": results}, ensure_ascii=False, indent=2),
                   encoding="utf-8")
    print(f"\n结果已写入 {out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT.parent / "src"))
    sys.exit(main())
