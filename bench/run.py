"""Import, indexing and search benchmark on generated CNIPR-style patent files, each figure beside its raw engine.

    .venv/bin/python bench/run.py [--sizes 100000 1000000] [--queries 200] [--database-url URL]
                                  [--serve-seconds 20] [--serve-workers 2] [--keep] [--reuse]

For each size: a fresh database (SQLite in a temporary directory unless --database-url is
given, whose tables are dropped and re-created), migration and reference data, a generated
CSV (``ipbureau.demo.generator.write_patent_csv``) and the transactional import
(``import_patents(index=False)``; bench/imports.py is the import benchmark, with its raw-engine ratio). With
``--reuse`` a copy of the database kept by an earlier ``--keep`` run (bench/out/data-<size>) is used instead.
Then, in the same run:

1. index build (``search.service.reindex_all``, one worker process per core) beside raw jieba: the same text
   (title, abstract, claims, applicant names), already in memory, cut by ``jieba.cut_for_search`` in the same
   number of processes — docs/s of each and the ratio;
2. 50 realistic queries through ``search.service.search`` (page 1, 20 hits, run once to warm up, then timed)
   beside raw tantivy: the same tantivy queries (built before the timing) on the same index, top 20 ids from
   the id column, with the hit count — p50/p95 of each and the ratios;
3. ``/api/search`` served by ``ipbureau serve --workers N`` on this database, 8 concurrent clients (one
   request at a time each, cycling through the same queries) for ``--serve-seconds`` — requests/s and p50/p95.

Prints the machine (CPU, cores) and its load average before and after, a table, and writes JSON to bench/out/.
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
SERVE_CLIENTS = 8

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


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_seconds() -> float:
    """CPU time of this process and of its ended children: the work done, whatever else the machine runs."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own_cpu_seconds() + children.ru_utime + children.ru_stime


def own_cpu_seconds() -> float:
    """CPU time of this process alone (all its threads)."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def ratio(ours: float, raw: float) -> float | None:
    return round(ours / raw, 2) if raw else None


# -- index build beside raw jieba ------------------------------------------------

_RAW_TEXTS: list[str] = []


def _cut_share(share: int, shares: int) -> int:
    import jieba

    words = 0
    for text in _RAW_TEXTS[share::shares]:
        for _ in jieba.cut_for_search(text):
            words += 1
    return words


def raw_jieba(session: Any, processes: int) -> dict[str, Any]:
    """jieba alone on the text the index build tokenises, already in memory, in ``processes`` forked processes."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import jieba
    from sqlalchemy import select

    from ipbureau.patents.models import Patent, PatentApplicant

    docs = 0
    _RAW_TEXTS.clear()
    for title, abstract, claims in session.execute(select(Patent.title, Patent.abstract, Patent.claims)):
        docs += 1
        _RAW_TEXTS.extend(t for t in (title, abstract, claims) if t)
    _RAW_TEXTS.extend(session.scalars(select(PatentApplicant.name)))
    session.rollback()
    jieba.initialize()
    started, cpu = time.perf_counter(), cpu_seconds()
    with ProcessPoolExecutor(max_workers=processes, mp_context=multiprocessing.get_context("fork")) as pool:
        words = sum(pool.map(_cut_share, range(processes), [processes] * processes))
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    _RAW_TEXTS.clear()
    return {"raw_jieba_s": round(seconds, 2), "raw_jieba_docs_per_s": round(docs / seconds), "raw_jieba_words": words,
            "raw_jieba_cpu_s": round(cpu, 1)}


# -- search beside raw tantivy ------------------------------------------------------


def bench_queries() -> list[Any]:
    from ipbureau.search.schemas import PatentQuery

    return [PatentQuery(q=q, **filters) for q, filters in QUERIES]


def run_queries(session: Any, timed_runs: int) -> dict[str, Any]:
    """Each query through ``search.service.search`` and, right after it, the same tantivy query straight on the
    engine (query object built beforehand, one searcher, top 20 ids from the id column, with the count): run in
    turn, so that both see the same load of the machine."""
    import tantivy

    from ipbureau.search import service
    from ipbureau.search.index import get_index

    queries = bench_queries()
    index = get_index()
    prepared = []
    for query in queries:
        iq, _ = service.build_index_query(query, session)
        prepared.append((index._build(iq), bool(iq.words)))
    searcher = tantivy.Index.open(str(index.path)).searcher()

    # Wall time, and CPU time of this process (on a loaded machine a longer call is more often preempted).
    def ours(query: Any) -> tuple[float, float, int]:
        started, cpu = time.perf_counter(), time.process_time()
        page = service.search(session, query, page=1, page_size=20, record=False)
        return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, page.total

    def raw(tq: Any, ranked: bool) -> tuple[float, float, int]:
        started, cpu = time.perf_counter(), time.process_time()
        if ranked:
            result = searcher.search(tq, limit=20, count=True)
        else:
            result = searcher.search(tq, limit=20, count=True, order_by_field="newest", order=tantivy.Order.Desc)
        searcher.fast_field_values("id", [address for _, address in result.hits])
        return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, result.count or 0

    for i, query in enumerate(queries):  # warm-up: caches, index readers, SQLite pages
        assert ours(query)[2] == raw(*prepared[i])[2], query  # the same query: the same number of hits
    latencies: list[float] = []
    raw_latencies: list[float] = []
    cpu: list[float] = []
    raw_cpu: list[float] = []
    totals: list[int] = []
    for i in range(timed_runs):
        ms, cpu_ms, total = ours(queries[i % len(queries)])
        raw_ms, raw_cpu_ms, _ = raw(*prepared[i % len(queries)])
        latencies.append(ms)
        cpu.append(cpu_ms)
        raw_latencies.append(raw_ms)
        raw_cpu.append(raw_cpu_ms)
        totals.append(total)
    session.rollback()
    return {
        "queries": len(queries), "timed_runs": timed_runs,
        "p50_ms": round(percentile(latencies, 0.50), 2), "p95_ms": round(percentile(latencies, 0.95), 2),
        "max_ms": round(max(latencies), 2), "mean_ms": round(statistics.fmean(latencies), 2),
        "raw_p50_ms": round(percentile(raw_latencies, 0.50), 2), "raw_p95_ms": round(percentile(raw_latencies, 0.95), 2),
        "cpu_p50_ms": round(percentile(cpu, 0.50), 2), "raw_cpu_p50_ms": round(percentile(raw_cpu, 0.50), 2),
        "cpu_p95_ms": round(percentile(cpu, 0.95), 2), "raw_cpu_p95_ms": round(percentile(raw_cpu, 0.95), 2),
        "zero_hit_queries": sum(1 for t in totals[: len(queries)] if t == 0),
        "median_hits": int(statistics.median(totals[: len(queries)])),
    }


# -- /api/search served, 8 clients ---------------------------------------------------

SERVE_USER = "bench-search"
SERVE_PASSWORD = "bench-search-password-1"


async def _clients(base: str, path: str, clients: int, seconds: float, headers: dict[str, str],
                   params: list[dict[str, Any]]) -> dict[str, Any]:
    import asyncio

    import httpx

    latencies: list[float] = []
    errors = 0

    async def client(number: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
            i = number
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                answer = await http.get(path, params=params[i % len(params)] if params else None)
                latencies.append((time.perf_counter() - started) * 1000)
                errors += answer.status_code != 200
                i += clients

    started = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(clients)))
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "errors": errors, "req_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(percentile(latencies, 0.5), 1), "p95_ms": round(percentile(latencies, 0.95), 1)}


def served_search(workdir: Path, database_url: str, workers: int, clients: int, seconds: float) -> dict[str, Any]:
    """``ipbureau serve --workers N`` on this database and index; ``clients`` concurrent clients of /api/search,
    after the same clients on /healthz (the server, framework and one SELECT 1: this instance's floor)."""
    import asyncio

    import httpx

    sys.path.insert(0, str(ROOT.parent))
    from tests.web.served import ServedInstance, instance_environment, run_cli

    env = instance_environment(workdir, database_url, IPBUREAU_SEARCH_INDEX_DIR=str(workdir / "index"))
    run_cli(env, "create-user", SERVE_USER, "--role", "bureau_staff", "--password", SERVE_PASSWORD)
    params = [q.conditions() for q in bench_queries()]
    with ServedInstance(env, workers=workers, log_path=workdir / "serve.log") as server:
        token = httpx.post(f"{server.base}/api/auth/token", timeout=60,
                           json={"username": SERVE_USER, "password": SERVE_PASSWORD}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        asyncio.run(_clients(server.base, "/api/search", clients, min(seconds, 3), headers, params))  # warm-up
        floor = asyncio.run(_clients(server.base, "/healthz", clients, min(seconds, 5), {}, []))
        result = asyncio.run(_clients(server.base, "/api/search", clients, seconds, headers, params))
    return {"serve_workers": workers, "serve_clients": clients, "serve_seconds": seconds,
            "api_search": result, "healthz": floor}


def _import(session: Any, workdir: Path, size: int, seed: int, result: dict[str, Any]) -> None:
    from ipbureau.demo.generator import current_ipc_codes, write_patent_csv
    from ipbureau.enums import Dataset
    from ipbureau.patents.flows import import_patents

    csv_path = workdir / f"patents-{size}.csv"
    started = time.perf_counter()
    write_patent_csv(random.Random(seed), size, csv_path, ipc_codes=current_ipc_codes(session))
    result["generate_s"] = round(time.perf_counter() - started, 1)
    result["csv_mb"] = round(csv_path.stat().st_size / 1e6, 1)
    print(f"  [{size:,}] 生成 CSV {result['csv_mb']} MB，用时 {result['generate_s']} s", flush=True)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 30:
            last[0] = now
            print(f"  [{size:,}] 导入 {done:,}/{total:,}", flush=True)

    started = time.perf_counter()
    imported = import_patents(session, csv_path, csv_path.name, dataset=Dataset.DEMO, progress=progress, index=False)
    seconds = time.perf_counter() - started
    csv_path.unlink()
    result.update(import_s=round(seconds, 1), import_rows_per_s=round(imported.inserted / seconds),
                  imported=imported.inserted, import_warnings=len(imported.warnings))
    print(f"  [{size:,}] 导入 {imported.inserted:,} 行，用时 {seconds:.1f} s（{result['import_rows_per_s']:,} 行/秒；"
          "导入与原始引擎之比见 bench/imports.py）", flush=True)


def bench_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"size": size, "seed": args.seed, "load_before": load_average()}
    kept = OUT_DIR / f"data-{size}"
    with tempfile.TemporaryDirectory(prefix=f"ipbureau-bench-{size}-") as tmp:
        workdir = Path(tmp)
        reuse = args.reuse and not args.database_url and (kept / "bench.db").exists()
        if reuse:
            import shutil

            for part in kept.glob("bench.db*"):  # with its -wal file: committed pages may still be there
                shutil.copy(part, workdir / part.name)
        url = configure(workdir, args.database_url)
        result["database"] = url.split("://")[0]
        if not reuse:
            fresh_database()

        from ipbureau.database.core import get_sessionmaker
        from ipbureau.search import service

        session = get_sessionmaker()()
        try:
            if reuse:
                print(f"  [{size:,}] 沿用 {kept / 'bench.db'}（--reuse）", flush=True)
            else:
                _import(session, workdir, size, args.seed, result)

            processes = os.cpu_count() or 1
            result.update(raw_jieba(session, processes))
            started, cpu, parent_cpu = time.perf_counter(), cpu_seconds(), own_cpu_seconds()
            indexed = service.reindex_all(session, workers=processes)
            seconds, cpu, parent_cpu = time.perf_counter() - started, cpu_seconds() - cpu, own_cpu_seconds() - parent_cpu
            session.rollback()
            # The parent's share: reading the rows, sending them, tantivy's writer threads and merges.
            result.update(index_s=round(seconds, 1), index_rows_per_s=round(indexed / seconds), indexed=indexed,
                          index_processes=processes, index_cpu_s=round(cpu, 1), index_parent_cpu_s=round(parent_cpu, 1))
            result["index_ratio"] = ratio(result["raw_jieba_docs_per_s"], result["index_rows_per_s"])
            # On a loaded machine the scheduler gives each process a share: CPU seconds compare the work itself.
            result["index_cpu_ratio"] = ratio(cpu, result["raw_jieba_cpu_s"])
            print(f"  [{size:,}] 建立索引 {indexed:,} 件，用时 {seconds:.1f} s（{result['index_rows_per_s']:,} 件/秒，"
                  f"CPU {result['index_cpu_s']} s，其中主进程 {result['index_parent_cpu_s']} s）；原始 jieba 同样文本 {processes} 进程 "
                  f"{result['raw_jieba_docs_per_s']:,} 件/秒（CPU {result['raw_jieba_cpu_s']} s）；"
                  f"比值 {result['index_ratio']}×（CPU {result['index_cpu_ratio']}×）", flush=True)

            result.update(run_queries(session, args.queries))
            result["p50_ratio"] = ratio(result["p50_ms"], result["raw_p50_ms"])
            result["p95_ratio"] = ratio(result["p95_ms"], result["raw_p95_ms"])
            result["cpu_p50_ratio"] = ratio(result["cpu_p50_ms"], result["raw_cpu_p50_ms"])
            result["cpu_p95_ratio"] = ratio(result["cpu_p95_ms"], result["raw_cpu_p95_ms"])
            print(f"  [{size:,}] 检索 p50 {result['p50_ms']} ms，p95 {result['p95_ms']} ms；原始 tantivy 同样查询 "
                  f"p50 {result['raw_p50_ms']} ms，p95 {result['raw_p95_ms']} ms；比值 {result['p50_ratio']}× / "
                  f"{result['p95_ratio']}×", flush=True)
            print(f"  [{size:,}] 检索 CPU 时间 p50 {result['cpu_p50_ms']} ms，p95 {result['cpu_p95_ms']} ms；原始 tantivy "
                  f"p50 {result['raw_cpu_p50_ms']} ms，p95 {result['raw_cpu_p95_ms']} ms；比值 {result['cpu_p50_ratio']}× / "
                  f"{result['cpu_p95_ratio']}×", flush=True)
        finally:
            session.close()
            from ipbureau.database.core import reset_engine_cache

            reset_engine_cache()
        if args.serve_seconds > 0:
            result.update(served_search(workdir, url, args.serve_workers, SERVE_CLIENTS, args.serve_seconds))
            api, floor = result["api_search"], result["healthz"]
            print(f"  [{size:,}] /api/search {SERVE_CLIENTS} 客户端、{args.serve_workers} 个服务进程："
                  f"{api['req_per_s']} 请求/秒（p50 {api['p50_ms']} ms，p95 {api['p95_ms']} ms，错误 {api['errors']}）；"
                  f"同样客户端请求 /healthz {floor['req_per_s']} 请求/秒", flush=True)
        if args.keep and not reuse:
            result["kept_copy"] = str(_keep(workdir, size))
    result["load_after"] = load_average()
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
    header = ("规模", "数据库", "导入 行/s", "索引 件/s", "原始 jieba 件/s", "比值", "p50 ms", "原始 p50", "比值",
              "p95 ms", "原始 p95", "比值", "/api/search 请求/s", "负载（前→后）")
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for r in results:
        api = r.get("api_search", {}).get("req_per_s", "—")
        print(" | ".join(str(v) for v in (
            f"{r['size']:,}", r["database"], f"{r['import_rows_per_s']:,}" if "import_rows_per_s" in r else "—",
            f"{r['index_rows_per_s']:,}", f"{r['raw_jieba_docs_per_s']:,}", r["index_ratio"], r["p50_ms"],
            r["raw_p50_ms"], r["p50_ratio"], r["p95_ms"], r["raw_p95_ms"], r["p95_ratio"], api,
            f"{r['load_before']} → {r['load_after']}")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ipbureau import / index / search benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000], help="patent counts (default 100000)")
    parser.add_argument("--queries", type=int, default=200,
                        help="timed query runs after the warm-up, cycling through the 50 queries (default 200)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--database-url", default=None,
                        help="bench against this database (e.g. postgresql+psycopg://…); its tables are DROPPED")
    parser.add_argument("--keep", action="store_true", help="copy each size's database and index to bench/out/")
    parser.add_argument("--reuse", action="store_true",
                        help="start from the database kept by an earlier --keep run (bench/out/data-<size>), no import")
    parser.add_argument("--serve-seconds", type=float, default=20,
                        help="seconds of /api/search with 8 clients against ipbureau serve (0: skip; default 20)")
    parser.add_argument("--serve-workers", type=int, default=2, help="ipbureau serve --workers (default 2)")
    args = parser.parse_args(argv)

    machine = machine_info()
    print(f"机器：{machine['cpu']}，{machine['cores']} 核，内存 {machine['ram_gb']} GB，Python {machine['python']}",
          flush=True)
    print(f"负载（1/5/15 分钟）：{load_average()}", flush=True)
    results = [bench_size(size, args) for size in args.sizes]
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
