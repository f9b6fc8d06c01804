"""Statistics at engine speed: ipbureau's dashboard and white paper content against DuckDB doing the same sums.

    .venv/bin/python bench/stats.py [--size 100000] [--runs 3] [--row-level]

The patents are generated and imported as demo data into the scratch SQLite database that
bench/navigation.py keeps under ``bench/out/navigation-<size>/`` (created on first use, reused after). Then:

* the analytic copy (``stats.analytic``) is built from the record store, timed (what the refresh after an
  import costs; a request never waits for it);
* ``stats.service.dashboard`` for the city and for 滨海新区 and ``stats.whitepaper.build`` (the content model,
  every query) are timed --runs times after one warm-up: warm (the copy remembers its answers until its data
  change; the engine keeps the statements it built), "after a data change" (the copy's remembered answers
  dropped before each run: what the first request after an import or edit pays) and "first in the process"
  (the built statements dropped too);
* the same figures are computed by hand-written DuckDB SQL over a table of the same patents that this script
  loads itself (its own chain membership, from the IPC codes with the YAML's prefix rule), timed the same
  way, and checked equal to ipbureau's figures;
* with --row-level, ipbureau's row-level SQL (the definition; what ran before the copy) is timed once.

Prints the machine, the load, and for each target ipbureau's three times, DuckDB's time and their ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

ROOT = Path(__file__).resolve().parent

# --- DuckDB on its own: the raw engine the figures are compared with ---------------------------------------


def load_raw(session: Any, dataset: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB database with the dataset's patents (``f``, with a chain bitmask) and IPC codes (``ipc``),
    loaded by this script independently of ipbureau's copy."""
    from sqlalchemy import String, cast, select

    from ipbureau.navigation.chains import load_chains
    from ipbureau.patents.models import Patent, PatentIpc

    p, i = Patent.__table__.c, PatentIpc.__table__.c
    names = ["id", "patent_type", "province_code", "district_code", "filing_date", "grant_date", "lapse_date",
             "legal_status", "family_size", "pledge_count"]
    dates = {"filing_date", "grant_date", "lapse_date"}
    rows = session.execute(select(*[cast(p[n], String) if n in dates else p[n] for n in names])
                           .where(p.dataset == dataset)).all()
    codes = session.execute(select(i.patent_id, i.code).join_from(PatentIpc, Patent).where(p.dataset == dataset)).all()
    raw = duckdb.connect()
    patents = {n: np.array(v, dtype=np.int64 if n == "id" else object) for n, v in zip(names, zip(*rows, strict=True),
                                                                                       strict=True)}
    ipc = {"patent_id": np.array([r[0] for r in codes], dtype=np.int64),
           "code": np.array([r[1] for r in codes], dtype=object)}
    prefixes = [(1 << n, prefix) for n, chain in enumerate(load_chains(session)) for prefix in chain.all_ipc_prefixes()]
    rules = {"bit": np.array([b for b, _ in prefixes], dtype=np.int64),
             "prefix": np.array([x for _, x in prefixes], dtype=object)}
    raw.register("patents", patents)
    raw.register("codes", ipc)
    raw.register("rules", rules)
    raw.execute("CREATE TABLE ipc AS SELECT * FROM codes")
    # The navigation rule (chains.prefix_matches): a subclass or shorter prefix by its start, a main group
    # 'X/00' by the code's group, anything else exactly.
    raw.execute("""CREATE TABLE f AS SELECT id, patent_type, province_code, district_code,
        CAST(filing_date AS DATE) filing_date, CAST(grant_date AS DATE) grant_date,
        CAST(lapse_date AS DATE) lapse_date, legal_status, CAST(family_size AS INTEGER) family_size,
        CAST(pledge_count AS INTEGER) pledge_count, COALESCE(m.mask, 0) AS mask
        FROM patents LEFT JOIN (SELECT patent_id, bit_or(DISTINCT bit) AS mask FROM ipc JOIN rules ON
            CASE WHEN NOT contains(prefix, '/') THEN starts_with(code, prefix)
                 WHEN ends_with(prefix, '/00') THEN split_part(code, '/', 1) = split_part(prefix, '/', 1)
                 ELSE code = prefix END
            GROUP BY patent_id) m ON m.patent_id = patents.id""")
    for name in ("patents", "codes", "rules"):
        raw.unregister(name)
    return raw


def _valid(end: date) -> str:
    return (f"(grant_date <= DATE '{end}' AND legal_status NOT IN ('rejected', 'withdrawn') AND "
            f"(lapse_date > DATE '{end}' OR (lapse_date IS NULL AND legal_status <> 'invalid')))")


def _high_value(end: date) -> str:
    try:
        ten = end.replace(year=end.year - 10)
    except ValueError:
        ten = end.replace(year=end.year - 10, day=28)
    return (f"({_valid(end)} AND (mask <> 0 OR family_size >= 2 OR filing_date < DATE '{ten}' "
            "OR pledge_count > 0))")


def raw_patent_figures(raw: duckdb.DuckDBPyConnection, year: int, district: str | None,
                       chain_codes: list[str], *, ranking_codes: tuple[str, ...] = ("invention_grants",),
                       chain_codes_for: tuple[str, ...] = ("invention_grants",)) -> dict[tuple, int]:
    """The dashboard's patent figures (and, with more codes, the white paper's) as DuckDB computes them: one
    query per kind of figure."""
    scope = f"district_code = '{district}'" if district else "province_code = '12'"
    inv = "patent_type = 'invention'"
    years = range(year - 10, year + 1)
    out: dict[tuple, int] = {}
    for y, n in raw.execute(f"SELECT year(grant_date), count(*) FROM f WHERE {inv} AND {scope} AND grant_date "
                            f"BETWEEN DATE '{year - 10}-01-01' AND DATE '{year}-12-31' GROUP BY 1").fetchall():
        out["invention_grants", y] = n
    for y in years:
        out.setdefault(("invention_grants", y), 0)
    stock = ", ".join([f"count_if({_valid(date(y, 12, 31))})" for y in years]
                      + [f"count_if({_high_value(date(y, 12, 31))})" for y in (year - 1, year)])
    values = raw.execute(f"SELECT {stock} FROM f WHERE {inv} AND {scope} AND grant_date <= DATE '{year}-12-31'"
                         ).fetchone()
    for k, y in enumerate(years):
        out["valid_inventions", y] = values[k]
    out["high_value_count", year - 1], out["high_value_count", year] = values[-2:]
    conditions = {
        "invention_grants": lambda y: f"grant_date BETWEEN DATE '{y}-01-01' AND DATE '{y}-12-31'",
        "valid_inventions": lambda y: _valid(date(y, 12, 31)),
        "high_value_inventions_per_10k": lambda y: _high_value(date(y, 12, 31)),
    }
    for code in ranking_codes:
        cols = ", ".join(f"count_if({conditions[code](y)})" for y in (year, year - 1))
        for district_code, now, before in raw.execute(
                f"SELECT district_code, {cols} FROM f WHERE {inv} AND district_code IS NOT NULL "
                f"AND grant_date <= DATE '{year}-12-31' GROUP BY 1").fetchall():
            out["rank", code, district_code, "now"], out["rank", code, district_code, "before"] = now, before
    for code in chain_codes_for:
        cols = ", ".join(f"count_if(mask & {1 << n} <> 0 AND {conditions[code](y)})"
                         for n in range(len(chain_codes)) for y in (year, year - 1))
        row = raw.execute(f"SELECT {cols} FROM f WHERE {inv} AND {scope} AND grant_date <= DATE '{year}-12-31'"
                          ).fetchone()
        for n, chain in enumerate(chain_codes):
            out["chain", code, chain] = (row[2 * n], row[2 * n + 1])
    return out


def ipbureau_patent_figures(figures: list, trends: dict[str, list], ranking: dict[str, list],
                            chains: dict[str, list]) -> dict[tuple, Any]:
    """The same figures read from ipbureau's IndicatorValues (a figure marked "no data" is left out)."""
    out: dict[tuple, Any] = {}
    for code, values in trends.items():
        for v in values:
            if v.value is not None:
                out[code, v.year] = v.value
            if v.previous_value is not None:
                out[code, v.year - 1] = v.previous_value
    for v in figures:
        if v.code == "high_value_inventions_per_10k" and v.record_count is not None:
            out["high_value_count", v.year] = v.record_count
    for code, values in ranking.items():
        for v in values:
            if v.record_count is not None:
                out["rank", code, v.district_code, "now"] = v.record_count
            if v.previous_value is not None and not code.endswith("_per_10k"):  # a per-10k YoY base is a ratio
                out["rank", code, v.district_code, "before"] = v.previous_value
    for code, values in chains.items():
        for v in values:
            out["chain", code, v.chain_code] = (v.value, v.previous_value)
    return out


def compare(ours: dict[tuple, Any], theirs: dict[tuple, Any]) -> list[str]:
    """Keys where ipbureau's figure differs from DuckDB's (a district absent from DuckDB's GROUP BY is 0)."""
    wrong = []
    for key, value in ours.items():
        other = theirs.get(key, 0)
        if value != other:
            wrong.append(f"{key}: ipbureau {value} ≠ DuckDB {other}")
    return wrong


# --- timing -------------------------------------------------------------------------------------------------


def timed(function: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median seconds of ``runs`` calls after one warm-up, and the last result."""
    result = function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def line(label: str, ours: float, engine: float) -> str:
    return f"{label:<28} ipbureau {ours * 1000:9.1f} ms   DuckDB {engine * 1000:8.1f} ms   比值 {ours / engine:6.1f}×"


def forgetting(session: Any, dataset: str, function: Callable[[], Any], *, statements: bool) -> Callable[[], Any]:
    """``function`` run cold: the analytic copy's remembered answers dropped first, as after a change of the data
    (the copy itself stays current); with ``statements``, the engine's built statements too, as for the first
    request of a process for that year and territory."""
    from ipbureau.stats import analytic, engine

    def cold() -> Any:
        analytic.refresh(session, dataset).forget()
        if statements:
            engine.forget_built()
        return function()

    return cold


def machine_line() -> str:
    sys.path.insert(0, str(ROOT))
    from run import machine_info  # bench/run.py

    m = machine_info()
    return (f"机器：{m['cpu']}，{m['cores']} 核，内存 {m['ram_gb']} GB，Python {m['python']}，"
            f"DuckDB {duckdb.__version__}，负载 {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ipbureau statistics vs DuckDB")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--row-level", action="store_true", help="also time the row-level SQL once")
    args = parser.parse_args(argv)

    print(machine_line(), flush=True)
    sys.path.insert(0, str(ROOT))
    from navigation import prepare  # bench/navigation.py: the shared scratch database

    prepare(args.size, args.seed)
    from ipbureau.database.core import get_sessionmaker
    from ipbureau.enums import Dataset
    from ipbureau.navigation.chains import load_chains
    from ipbureau.stats import analytic, engine, service, whitepaper

    ds = Dataset.DEMO
    session = get_sessionmaker()()
    started = time.perf_counter()
    store = analytic.refresh(session, ds.value)
    print(f"分析副本构建（全量，{store.log.rows:,} 件）：{time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    raw = load_raw(session, ds.value)
    print(f"DuckDB 原始表载入（对照用）：{time.perf_counter() - started:.1f} s", flush=True)
    year = service.default_year(session, ds)
    chain_codes = [c.code for c in load_chains(session)]
    failures: list[str] = []

    for scope, district in (("全市", None), ("滨海新区", "120116")):
        def board_of(d: str | None = district) -> Any:
            return service.dashboard(session, year, dataset=ds, district_code=d)

        ours, board = timed(board_of, args.runs)
        cold, cold_board = timed(forgetting(session, ds.value, board_of, statements=False), args.runs)
        first, _board = timed(forgetting(session, ds.value, board_of, statements=True), args.runs)
        theirs, figures = timed(lambda d=district: raw_patent_figures(raw, year, d, chain_codes), args.runs)
        failures += compare(ipbureau_patent_figures(board.figures, board.trends, {"invention_grants": board.ranking},
                                                    {"invention_grants": board.chains}), figures)
        if cold_board != board:
            failures.append(f"{scope}: 冷启动结果与热结果不同")
        print(line(f"统计看板 {year}（{scope}）", ours, theirs), flush=True)
        print(line(f"{'':<8}数据变更后首次", cold, theirs), flush=True)
        print(line(f"{'':<8}进程内首次", first, theirs), flush=True)
        if args.row_level:
            started = time.perf_counter()
            with analytic.row_level():
                slow = service.dashboard(session, year, dataset=ds, district_code=district)
            print(f"{'':<28} 逐行 SQL（原实现）{time.perf_counter() - started:9.2f} s，结果相同：{slow == board}",
                  flush=True)

    white_codes = ("invention_grants", "valid_inventions", "high_value_inventions_per_10k")
    ours, _paper = timed(lambda: whitepaper.build(session, year, dataset=ds), args.runs)
    def paper() -> Any:
        return whitepaper.build(session, year, dataset=ds)

    cold, _paper = timed(forgetting(session, ds.value, paper, statements=False), args.runs)
    first, _paper = timed(forgetting(session, ds.value, paper, statements=True), args.runs)
    theirs, figures = timed(lambda: raw_patent_figures(raw, year, None, chain_codes, ranking_codes=white_codes,
                                                       chain_codes_for=white_codes[:2]), args.runs)
    trends = {c: engine.series(session, c, engine.trend_years(year, 10), dataset=ds) for c in white_codes[:2]}
    failures += compare(ipbureau_patent_figures(
        [engine.compute(session, "high_value_inventions_per_10k", year, dataset=ds)], trends,
        {c: engine.by_district(session, c, year, dataset=ds) for c in white_codes},
        {c: engine.by_chain(session, c, year, dataset=ds) for c in white_codes[:2]}), figures)
    print(line(f"白皮书内容 {year}", ours, theirs), flush=True)
    print(line(f"{'':<8}数据变更后首次", cold, theirs), flush=True)
    print(line(f"{'':<8}进程内首次", first, theirs), flush=True)
    if args.row_level:
        started = time.perf_counter()
        with analytic.row_level():
            whitepaper.build(session, year, dataset=ds)
        print(f"{'':<28} 逐行 SQL（原实现）{time.perf_counter() - started:9.2f} s", flush=True)

    print(f"核对：{'与 DuckDB 逐项相同' if not failures else '不一致 ' + str(len(failures)) + ' 项'}", flush=True)
    for failure in failures[:20]:
        print("  " + failure, flush=True)
    print(f"结束时负载 {' / '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    session.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT.parent / "src"))
    sys.exit(main())
