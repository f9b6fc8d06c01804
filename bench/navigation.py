"""Patent navigation report timing (专利导航报告): one chain's full report at 100k / 1M patents.

    .venv/bin/python bench/navigation.py [--size 100000] [--runs 3] [--chain xinchuang] [--row-level] [--prepare-only]

The patents are generated (``demo.generator.write_patent_csv``) and imported as demo data
(``patents.flows.import_patents(index=False)``) into a scratch SQLite database kept under
``bench/out/navigation-<size>/`` and reused on the next run (migrated to head first). Then:

* the statistics' analytic copy (``stats.analytic``, shared with the dashboard) is built, timed;
* ``navigation.report.build`` for the largest chain (or --chain) is timed --runs times after one warm-up (it reads
  the copy: DuckDB);
* the same figures — trends, segments with their complete-year counts, districts, IPC subclasses and main groups,
  applicants, inventors, the co-applicant network, the high-value counts and top patents — are computed by
  hand-written DuckDB SQL over tables this script loads itself (bench/stats.py's ``f`` and ``ipc`` plus the
  report's), timed the same way, and checked equal;
* with --row-level, the row-level report (the definition: scratch tables in the record store) is timed once
  and compared;
* the page's build (cached) and the Word export that follows it (reusing the cached content model).

Prints the machine, the load, and ipbureau's time, DuckDB's time and their ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
# The report's list lengths and threshold (navigation.report), repeated so the DuckDB side is written out in full.
TOP, TOP_IPC, TOP_EDGES, TOP_HIGH_VALUE, HIGH_VALUE_SCORE = 10, 12, 30, 15, 50
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


def load_raw_report(raw, session, dataset: str) -> None:
    """Adds to bench/stats.py's raw DuckDB tables (``f``: patents with chain mask, ``ipc``) what the report reads,
    loaded by this script on its own: the patents' other value-score inputs (``v``), IPC
    subclasses (``sub``), applicants (``app``) and inventors (``inv``, from the JSON lists)."""
    from sqlalchemy import String, cast, func, select

    from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc

    p, a, i = Patent.__table__.c, PatentApplicant.__table__.c, PatentIpc.__table__.c
    claims = func.length(p.claims) - func.length(func.replace(p.claims, "权利要求", ""))
    columns = {"id": p.id, "citation_count": p.citation_count, "claims_len": func.coalesce(func.length(p.claims), 0),
               "claims_hits": func.coalesce(claims, 0),
               "used": (p.transfer_count > 0) | (p.license_count > 0) | (p.pledge_count > 0),
               "inventors": cast(p.inventors, String)}
    rows = session.execute(select(*columns.values()).where(p.dataset == dataset)).all()
    raw.register("v_rows", {n: np.array(v, dtype=object) for n, v in zip(columns, zip(*rows, strict=True),
                                                                         strict=True)})
    raw.execute("""CREATE TABLE v AS SELECT CAST(id AS BIGINT) id, CAST(citation_count AS INTEGER) citation_count, CAST(claims_len AS INTEGER) claims_len,
        CAST(claims_hits AS INTEGER) claims_hits, CAST(used AS BOOLEAN) used FROM v_rows""")
    raw.execute("""CREATE TABLE inv AS SELECT CAST(id AS BIGINT) patent_id,
        unnest(from_json(inventors, '["VARCHAR"]')) AS name FROM v_rows""")
    raw.unregister("v_rows")
    for name, query in (
            ("app", select(a.patent_id, a.position, a.name).join_from(PatentApplicant, Patent)
             .where(p.dataset == dataset)),
            ("sub", select(i.patent_id, i.code, i.subclass).join_from(PatentIpc, Patent).where(p.dataset == dataset))):
        fetched = session.execute(query).all()
        names = list(query.selected_columns.keys())
        raw.register(f"{name}_rows", {n: np.array(v, dtype=np.int64 if n in ("patent_id", "position") else object)
                                      for n, v in zip(names, zip(*fetched, strict=True), strict=True)})
        raw.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_rows")
        raw.unregister(f"{name}_rows")


def _prefix_rule(prefix: str) -> str:
    """The navigation rule (chains.prefix_matches) for one prefix, in DuckDB SQL over ``code``."""
    if "/" not in prefix:
        return f"starts_with(code, '{prefix}')"
    if prefix.endswith("/00"):
        return f"split_part(code, '/', 1) = '{prefix.split('/')[0]}'"
    return f"code = '{prefix}'"


def raw_report(raw, chain, chain_bit: int, y0: int, y1: int, last_complete: int | None) -> dict:
    """The report's figures as DuckDB computes them over the raw tables: trends, segments, districts, IPC
    composition, applicants, inventors, the co-applicant network and the high-value patents."""
    span = f"filing_date BETWEEN DATE '{y0}-01-01' AND DATE '{y1}-12-31'"
    raw.execute(f"""CREATE OR REPLACE TEMP TABLE m AS SELECT f.id, ({span})::INT filed,
        CASE WHEN {span} THEN year(filing_date) END fyear,
        CASE WHEN grant_date BETWEEN DATE '{y0}-01-01' AND DATE '{y1}-12-31' THEN year(grant_date) END gyear,
        coalesce(province_code = '12', false)::INT tj, district_code, (patent_type = 'invention')::INT invention,
        (CASE WHEN citation_count >= 10 THEN 30 ELSE citation_count * 3 END
         + CASE WHEN family_size IS NULL OR family_size <= 1 THEN 0 WHEN family_size >= 5 THEN 20
                ELSE (family_size - 1) * 5 END
         + CASE legal_status WHEN 'valid' THEN 25 WHEN 'pending' THEN 10 ELSE 0 END
         + least(CASE WHEN claims_len = 0 THEN 0 ELSE 1 + claims_hits / 4 END, 10) * 1.5
         + CASE WHEN used THEN 10 ELSE 0 END) score
        FROM f JOIN v USING (id) WHERE mask & {chain_bit} <> 0""")
    out: dict = {}
    years = list(range(y0, y1 + 1))
    trends = raw.execute(f"""SELECT y, sum(cf), sum(cft), sum(cg), sum(cgt), sum(df), sum(dft) FROM (
        SELECT fyear y, 1 cf, tj cft, 0 cg, 0 cgt, 0 df, 0 dft FROM m WHERE filed = 1
        UNION ALL SELECT gyear, 0, 0, 1, tj, 0, 0 FROM m WHERE gyear IS NOT NULL
        UNION ALL SELECT year(filing_date), 0, 0, 0, 0, 1, coalesce(province_code = '12', false)::INT FROM f
            WHERE {span}) GROUP BY y""").fetchall()
    by_year = {r[0]: [int(x or 0) for x in r[1:]] for r in trends}
    names = ["chain_filed", "chain_filed_tj", "chain_granted", "chain_granted_tj", "dataset_filed", "dataset_filed_tj"]
    out["trends"] = {name: [by_year.get(y, [0] * 6)[k] for y in years] for k, name in enumerate(names)}
    complete = f"fyear <= {last_complete}" if last_complete is not None else "false"
    segments = []
    for segment in chain.segments:
        rule = " OR ".join(_prefix_rule(x) for x in segment.ipc_prefixes) or "false"
        row = raw.execute(f"""SELECT count(*), coalesce(sum(tj), 0), count_if({complete}),
            count_if({complete} AND tj = 1) FROM m WHERE filed = 1 AND id IN (SELECT patent_id FROM sub WHERE {rule})
            """).fetchone()
        segments.append((segment.name, *[int(x) for x in row]))
    out["segments"] = segments
    last = last_complete if last_complete is not None else y1
    out["districts"] = sorted((code, int(n), int(t), int(a), int(b)) for code, n, t, a, b in raw.execute(f"""
        SELECT d.district_code, coalesce(c.n, 0), d.total, coalesce(c.a, 0), coalesce(c.b, 0) FROM
        (SELECT district_code, count(*) total FROM f WHERE {span} AND province_code = '12'
            AND district_code IS NOT NULL GROUP BY 1) d
        LEFT JOIN (SELECT district_code, count(*) n, count_if(fyear = {last}) a, count_if(fyear = {last - 1}) b
            FROM m WHERE filed = 1 AND tj = 1 GROUP BY 1) c USING (district_code)""").fetchall())
    for level, key in (("subclasses", "subclass"), ("groups", "split_part(code, '/', 1) || '/00'")):
        out[level] = raw.execute(f"""SELECT {key} k, count(DISTINCT m.id) n, count(DISTINCT CASE WHEN tj = 1
            THEN m.id END) FROM m JOIN sub ON sub.patent_id = m.id WHERE filed = 1 GROUP BY k ORDER BY n DESC, k
            LIMIT {TOP_IPC}""").fetchall()
    for label, where in (("applicants", ""), ("applicants_tj", "AND tj = 1")):
        out[label] = raw.execute(f"""SELECT name, count(DISTINCT m.id) n, count(DISTINCT CASE WHEN invention = 1
            THEN m.id END) FROM m JOIN app ON app.patent_id = m.id WHERE filed = 1 {where} GROUP BY name
            ORDER BY n DESC, name LIMIT {TOP}""").fetchall()
    for label, where in (("inventors", ""), ("inventors_tj", "AND tj = 1")):
        out[label] = [r for r in raw.execute(f"""SELECT name, count(DISTINCT m.id) n FROM m JOIN inv
            ON inv.patent_id = m.id WHERE filed = 1 {where} GROUP BY name ORDER BY n DESC, name LIMIT {TOP}""")
            .fetchall() if r[0]]
    raw.execute("""CREATE OR REPLACE TEMP TABLE pairs AS SELECT least(a1.name, a2.name) a,
        greatest(a1.name, a2.name) b, count(DISTINCT m.id) n FROM m JOIN app a1 ON a1.patent_id = m.id
        JOIN app a2 ON a2.patent_id = m.id AND a1.position < a2.position
        WHERE filed = 1 AND a1.name <> a2.name GROUP BY 1, 2""")
    out["edges"] = raw.execute(f"SELECT a, b, n FROM pairs ORDER BY n DESC, a, b LIMIT {TOP_EDGES}").fetchall()
    out["nodes"] = raw.execute(f"""SELECT name, count(*) d, sum(n) FROM (SELECT a name, n FROM pairs
        UNION ALL SELECT b, n FROM pairs) GROUP BY name ORDER BY d DESC, name LIMIT {TOP}""").fetchall()
    out["high_value"] = raw.execute(f"""SELECT count_if(score >= {HIGH_VALUE_SCORE}),
        count_if(score >= {HIGH_VALUE_SCORE} AND tj = 1) FROM m WHERE filed = 1""").fetchone()
    out["high_value_top"] = raw.execute(f"""SELECT id, round(score, 1) FROM m WHERE filed = 1 AND tj = 1
        ORDER BY score DESC, id LIMIT {TOP_HIGH_VALUE}""").fetchall()
    return out


def ours(figures: dict) -> dict:
    """ipbureau's report figures in ``raw_report``'s shape."""
    return {
        "trends": {k: v for k, v in figures["trends"].items() if k != "years"},
        "segments": [(s["name"], s["all"], s["tj"], s["all_complete"], s["tj_complete"]) for s in figures["segments"]],
        "districts": sorted((r["code"], r["chain"], r["total"], r["last"], r["previous"]) for r in figures["districts"]),
        "subclasses": [(r["code"], r["all"], r["tj"]) for r in figures["subclasses"]],
        "groups": [(r["code"], r["all"], r["tj"]) for r in figures["groups"]],
        **{k: [(r["name"], r["patents"], r["inventions"]) for r in figures[k]] for k in ("applicants", "applicants_tj")},
        **{k: [(r["name"], r["patents"]) for r in figures[k]] for k in ("inventors", "inventors_tj")},
        "edges": list(figures["edges"]), "nodes": list(figures["nodes"]),
        "high_value": (figures["high_value"]["all"], figures["high_value"]["tj"]),
        "high_value_top": [(r["id"], r["score"]) for r in figures["high_value_top"]],
    }


def same(mine: dict, theirs: dict) -> list[str]:
    """The figures that differ (DuckDB's rows as tuples of Python values)."""
    wrong = []
    for key, value in mine.items():
        other = theirs[key]
        if isinstance(value, list) and value and isinstance(value[0], tuple):
            other = [tuple(float(x) if isinstance(x, float) else x for x in row) for row in other]
        elif isinstance(value, tuple):
            other = tuple(int(x) for x in other)
        if value != other:
            wrong.append(key)
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ipbureau patent navigation report benchmark")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--chain", action="append", help="chain code(s); default: the largest chain")
    parser.add_argument("--prepare-only", action="store_true", help="only generate and import the database")
    parser.add_argument("--row-level", action="store_true", help="also time the row-level report once")
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
    from ipbureau.navigation.chains import chain_bit, chain_by_code, load_chains
    from ipbureau.patents.models import Patent
    from ipbureau.stats import analytic

    session = get_sessionmaker()()
    ds = Dataset.DEMO
    total = session.scalar(select(func.count()).select_from(Patent).where(Patent.dataset == ds.value))
    started = time.perf_counter()
    analytic.refresh(session, ds.value)
    print(f"分析副本构建（全量，与统计看板共用，导入后在后台进行）：{time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    raw = load_raw(session, ds.value)
    load_raw_report(raw, session, ds.value)
    print(f"DuckDB 原始表载入（对照用，不计时）：{time.perf_counter() - started:.1f} s", flush=True)
    codes = [c.code for c in load_chains(session)]
    sizes = raw.execute("SELECT " + ", ".join(f"count_if(mask & {chain_bit(c)} <> 0)" for c in codes)
                        + " FROM f").fetchone()
    chains = args.chain or [max(zip(sizes, codes, strict=True))[1]]
    failures = 0
    for code in chains:
        mine, model = timed(lambda c=code: navigation.build(session, c, dataset=ds), args.runs)
        f = model.figures
        chain = chain_by_code(code, session)
        theirs, figures = timed(lambda c=chain, y0=model.year_from, y1=model.year_to, last=f["growth_year"]:
                                raw_report(raw, c, chain_bit(c.code), y0, y1, last), args.runs)
        wrong = same(ours(f), figures)
        failures += len(wrong)
        print(line(f"导航报告 {model.chain_name}", mine, theirs)
              + f"（{total:,} 件中本链 {model.year_from}—{model.year_to} 年申请 {model.total:,} 件）", flush=True)
        print(f"核对（趋势、细分环节、各区、IPC、申请人、发明人、合作网络、高价值）："
              f"{'与 DuckDB 逐项相同' if not wrong else '不一致：' + '、'.join(wrong)}", flush=True)
        if args.row_level:
            started = time.perf_counter()
            with analytic.row_level():
                slow = navigation.build(session, code, dataset=ds)
            print(f"{'':<28} 逐行 SQL（记录库临时表，原实现）{time.perf_counter() - started:9.2f} s，"
                  f"结果相同：{slow == model}", flush=True)
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
