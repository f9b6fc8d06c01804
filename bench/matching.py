"""Matching benchmark: quality (hit@10, MRR, nDCG@10) and cost of the text-ranking engine (ipbureau.ranking),
and the latency of demand → patents at 100,000 listed patents.

    .venv/bin/python bench/matching.py [--generated-size 1000] [--queries 100] [--size 100000] [--skip-latency]

(a) REAL set (tests/data/matching): 209 real patents (199 SIPO records, 10 CNIPR records; title + abstract) and
    196 needs written by hand in an enterprise's words (159 Chinese, 37 English), each with graded relevant
    patents (2 = the intended one, 1 = also fits), split into dev/test halves (alternate needs). hit@10 and MRR
    are of the intended patent (ties with k other candidates count k/2 places lower); nDCG@10 uses the grades.
    Weights and the embedded text (64, 160 or 512 characters, or two views of it: ranking.encoders.PassageViews)
    are chosen on DEV; every table row is on TEST unless it says dev. A text is cut the app's way
    (market.embeddings.shorten of the whole text), so "e5 views" rows are what the app stores.
(b) GENERATED sets (as before issue 14, smaller): candidates from ipbureau.demo.generator indexed by their
    abstract without the title; ``title`` (the held-out title is the query), ``zh-need`` and ``en-need`` (the
    segment and problem stated in other words, relevant: every patent of that segment stating that problem).
(c) Embedding rate (passages/s) of each encoder on 40 real texts, measured in this run, and its ratio to USE-m3.
(d) Latency per stored demand (its stored vector + BM25 + cosine + IPC/chain/district + top-10 explanations, the
    app's CandidateIndex.rank: nothing is encoded, as in market.matching.match_demand) over --size listed
    patents, and separately the cost of encoding an ad-hoc query with e5 (market.matching.match_text). The vectors
    are RANDOM unit vectors (scoring costs the same whatever they hold: one (n, 384) @ (384,) product):
    embedding 100,000 patents with e5 takes many hours on this machine. The raw engine (numpy's product over the
    same matrix + top 10) is timed beside it.
Vectors are cached under bench/out/ (keyed by model, text length and corpus), so reruns are quick.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ipbureau.market import embeddings  # noqa: E402
from ipbureau.ranking.encoders import E5Small, PassageViews, UseM3  # noqa: E402
from ipbureau.ranking.engine import WEIGHTS, TextIndex, Weights  # noqa: E402
from ipbureau.ranking.terms import terms  # noqa: E402

OUT = ROOT / "bench" / "out"
REAL = ROOT / "tests" / "data" / "matching"
# The app's hybrid before issue 14 (USE-m3, BM25 divided by the best candidate): reproduced for the table.
OLD = {"bm25": 0.18, "embedding": 0.72, "floor": 0.25, "ceil": 0.80}


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    return (f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}; "
            f"load average {' '.join(f'{x:.2f}' for x in load)}")


# ---- data ------------------------------------------------------------------------------------------------------

def real_set():
    patents = [json.loads(line) for line in (REAL / "real_patents.jsonl").read_text(encoding="utf-8").splitlines()]
    needs = [json.loads(line) for line in (REAL / "real_needs.jsonl").read_text(encoding="utf-8").splitlines()]
    position = {p["application_no"]: i for i, p in enumerate(patents)}
    for need in needs:
        need["grades"] = {position[no]: grade for no, grade in need["relevant"].items()}
    return patents, needs


def generated_set(n: int, queries: int, seed: int):
    """(documents as (title, abstract), needs) in the real set's shape; generated titles are not indexed."""
    from ipbureau.demo.generator import iter_patent_rows

    rows = list(iter_patent_rows(random.Random(seed), n))
    documents, titles, by_need = [], [], {}
    pattern = re.compile(r"属于(.+?)领域(.+?)技术。针对现有.+?(精度不足|成本较高|效率低下|稳定性差|能耗高|操作繁琐|安全性不足|寿命短)的问题")
    for i, row in enumerate(rows):
        title = row["专利名称"]
        documents.append(("", row["申请摘要"].replace(title, "")))
        titles.append(title)
        found = pattern.search(row["申请摘要"])
        if found:
            by_need.setdefault(found.groups(), []).append(i)
    rng = random.Random(seed + 1)
    sets: dict[str, list[dict]] = {"title": [], "zh-need": [], "en-need": []}
    for k, i in enumerate(rng.sample(range(n), queries)):
        sets["title"].append({"text": titles[i].removeprefix("一种"), "grades": {i: 2},
                              "split": "dev" if k % 2 == 0 else "test"})
    keys = sorted(by_need)
    for k in range(queries):
        chain, segment, problem = keys[rng.randrange(len(keys))]
        grades = {i: 2 for i in by_need[chain, segment, problem]}
        split = "dev" if k % 2 == 0 else "test"
        sets["zh-need"].append({"text": f"我们是做{chain}行业{segment}产品的企业，现有产品{PROBLEM_ZH[problem]}，想引进能解决这个问题的专利",
                                "grades": grades, "split": split})
        sets["en-need"].append({"text": f"We make {SEGMENT_EN[segment]} products in the {CHAIN_EN[chain]} industry "
                                        f"and our products "
                                        f"{PROBLEM_EN[problem]}; we want to license a patent that solves this.",
                                "grades": grades, "split": split})
    return documents, sets


PROBLEM_ZH = {"精度不足": "测量和加工总是不够准", "成本较高": "价格太贵、费用降不下来", "效率低下": "速度慢、产能跟不上",
              "稳定性差": "运行时好时坏、经常波动", "能耗高": "耗电耗能太大", "操作繁琐": "用起来步骤太复杂、工人难上手",
              "安全性不足": "存在安全隐患、容易出事故", "寿命短": "用不了多久就坏、更换太频繁"}
PROBLEM_EN = {"精度不足": "are not accurate enough", "成本较高": "cost too much to make",
              "效率低下": "are too slow and output is low", "稳定性差": "are unstable in operation",
              "能耗高": "consume too much energy", "操作繁琐": "are complicated to operate",
              "安全性不足": "have safety risks", "寿命短": "wear out too quickly"}
CHAIN_EN = {"信创": "domestic IT innovation", "高端装备": "high-end equipment", "集成电路": "integrated circuits",
            "车联网": "connected vehicles", "生物医药": "biomedicine", "中医药": "traditional Chinese medicine",
            "新能源": "new energy", "新材料": "new materials", "航空航天": "aerospace",
            "汽车及新能源汽车": "automobiles and new energy vehicles", "绿色石化": "green petrochemicals",
            "轻工": "light industry"}
SEGMENT_EN = {
    "基础软件": "basic software", "信息安全": "information security", "计算机整机与处理器": "computers and processors",
    "人工智能与大数据": "artificial intelligence and big data", "网络与云计算": "networks and cloud computing",
    "工业机器人": "industrial robots", "高档数控机床": "CNC machine tools",
    "智能焊接与激光加工": "welding and laser processing", "海洋工程装备": "offshore engineering equipment",
    "智能物流装备": "logistics equipment", "芯片设计": "chip design", "晶圆制造": "wafer fabrication",
    "封装测试": "chip packaging and testing", "存储器": "memory chips", "功率与化合物半导体": "power semiconductors",
    "车载通信": "in-vehicle communication", "环境感知": "environment perception sensors",
    "智能决策与控制": "autonomous driving decision and control", "智慧交通": "smart traffic",
    "化学药": "chemical drugs", "生物药": "biological drugs", "体外诊断": "in-vitro diagnostics",
    "医疗器械": "medical devices", "中药制剂": "herbal medicine preparations",
    "中药提取与炮制": "herbal extraction and processing", "中医诊疗设备": "TCM diagnosis and therapy devices",
    "中药材种植": "medicinal herb cultivation", "锂离子电池与储能": "lithium-ion batteries and energy storage",
    "光伏": "photovoltaics", "风电": "wind power", "氢能与燃料电池": "hydrogen and fuel cells",
    "先进高分子材料": "polymer materials", "先进金属材料": "advanced metal materials",
    "无机非金属材料": "ceramics and inorganic materials", "前沿纳米与碳材料": "nanomaterials and carbon materials",
    "复合材料": "composite materials", "无人机": "drones", "航空器整机与部件": "aircraft and aircraft parts",
    "航天器与运载": "spacecraft and launch vehicles", "航空地面保障与维修": "aircraft ground support and maintenance",
    "整车与车身": "vehicle bodies", "动力电池与充电": "traction batteries and charging",
    "驱动电机与电控": "electric drive motors and controllers", "关键零部件": "key auto parts",
    "炼油与燃料": "oil refining and fuels", "基础有机化工": "basic organic chemicals", "催化剂": "catalysts",
    "合成材料": "synthetic materials", "节能环保与碳减排": "energy saving and carbon reduction",
    "食品饮料": "food and beverages", "家用电器": "household appliances",
    "自行车与电动车": "bicycles and e-bikes", "包装印刷": "packaging and printing",
    "家具与日用品": "furniture and daily goods"}


# ---- vectors ------------------------------------------------------------------------------------------------

def cached_vectors(encoder, texts: list[str], kind: str, label: str) -> np.ndarray:
    digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = OUT / f"vectors-{re.sub(r'[^a-z0-9]+', '-', encoder.name.lower())}-{kind}-{label}-{digest}.npy"
    if path.exists():
        return np.load(path)
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    encode = encoder.passages if kind == "passage" else encoder.queries
    vectors = np.vstack([encode(texts[i:i + 32]) for i in range(0, len(texts), 32)]) if texts else np.zeros((0, encoder.dim))
    print(f"    embedded {len(texts)} {label} {kind}s with {encoder.name} in {time.perf_counter() - started:.0f} s",
          flush=True)
    np.save(path, vectors)
    return vectors


def embedding_rate(encoder, texts: list[str]) -> float:
    encoder.passages(texts[:2])  # loaded
    started = time.perf_counter()
    encoder.passages(texts)
    return len(texts) / (time.perf_counter() - started)


# ---- metrics ------------------------------------------------------------------------------------------------

def intended_rank(scores: np.ndarray, grades: dict[int, int]) -> float:
    """Rank of the best-scored intended (grade 2) document; ties with other documents split evenly."""
    intended = np.array([i for i, g in grades.items() if g == 2])
    best = scores[intended].max()
    others = np.ones(len(scores), bool)
    others[intended] = False
    above = int((scores[others] > best).sum())
    tied = int((scores[others] == best).sum())
    return above + 1 + tied / (int((scores[intended] == best).sum()) + 1)


def ndcg10(scores: np.ndarray, grades: dict[int, int]) -> float:
    order = np.argsort(-scores, kind="stable")[:10]
    dcg = sum((2 ** grades.get(int(i), 0) - 1) / np.log2(r + 2) for r, i in enumerate(order))
    ideal = sorted(grades.values(), reverse=True)[:10]
    return dcg / sum((2 ** g - 1) / np.log2(r + 2) for r, g in enumerate(ideal))


def evaluate(rows: list[np.ndarray], needs: list[dict]) -> tuple[float, float, float]:
    ranks = np.array([intended_rank(s, n["grades"]) for s, n in zip(rows, needs, strict=True)])
    return (float((ranks <= 10).mean()), float((1 / ranks).mean()),
            float(np.mean([ndcg10(s, n["grades"]) for s, n in zip(rows, needs, strict=True)])))


def rrf(*arrays: np.ndarray, k: int = 60) -> np.ndarray:
    fused = np.zeros(len(arrays[0]))
    for scores in arrays:
        ranks = np.empty(len(scores))
        ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
        fused += 1.0 / (k + ranks)
    return fused


# ---- one corpus ---------------------------------------------------------------------------------------------

SHARES = (1.0, 0.2, 0.1, 0.05, 0.02)
BM25_WEIGHTS = tuple(np.round(np.arange(0.0, 0.61, 0.05), 2))
# The floor shifts every score alike and the width only rescales the BM25 weight, so one mapping and a fine weight
# grid cover every (floor, ceil) (the app's WEIGHTS use the same mapping).
FLOOR, CEIL = 0.74, 0.90
LENGTHS = (64, 160, 512)
# Views of a patent's text (characters) whose cosines are mixed with weight a / 1 - a (PassageViews).
PAIRS = ((64, 512), (64, 160), (160, 512))
MIXES = tuple(np.round(np.arange(0.1, 0.91, 0.1), 2))


class Corpus:
    """Documents (title, abstract) with their BM25 texts, per-share term indexes, and vectors per encoder."""

    def __init__(self, label: str, documents: list[tuple[str, str]], encoders: dict, lengths: tuple[int, ...]):
        self.label = label
        self.bm25_texts = [f"{t}。{a[:160]}" if t else a[:160] for t, a in documents]
        tokens = [terms(t) for t in self.bm25_texts]
        # min_docs=0: the share is applied to this corpus whatever its size (the grid decides whether it helps).
        self.indexes = {share: TextIndex(self.bm25_texts, np.zeros((len(documents), 1)), tokens=tokens,
                                         weights=Weights(0.5, 0.5, 0.0, 1.0, share, 0)) for share in SHARES}
        self.vectors = {}
        whole = [embeddings.patent_embedding_text(t, a) for t, a in documents]
        for name, encoder in encoders.items():
            for chars in lengths if name.startswith("e5") else lengths[:1]:
                texts = [embeddings.shorten(t, chars) for t in whole]
                self.vectors[name, chars] = cached_vectors(encoder, texts, "passage", f"{label}-{chars}")

    def components(self, needs: list[dict], encoders: dict) -> list[dict]:
        texts = [n["text"] for n in needs]
        query_vectors = {name: cached_vectors(enc, texts, "query", f"{self.label}-needs") for name, enc in encoders.items()}
        out = []
        for k, text in enumerate(texts):
            words = terms(text)
            parts = {("bm25", share): index.scores(words, None) for share, index in self.indexes.items()}
            row = {key: (s.bm25_raw, s.bm25) for key, s in parts.items()}
            for (name, chars), vectors in self.vectors.items():
                row["cos", name, chars] = (vectors @ query_vectors[name][k]).astype(np.float64)
            out.append(row)
        return out


def cosine(row: dict, views: tuple, mix: float) -> np.ndarray:
    """e5's cosine for one text length, or the mix of two views' (what a PassageViews vector's product gives)."""
    if len(views) == 1:
        return row["cos", "e5-small", views[0]]
    return mix * row["cos", "e5-small", views[0]] + (1 - mix) * row["cos", "e5-small", views[1]]


def hybrid(row: dict, views: tuple, mix: float, w: float, share: float, floor: float = FLOOR,
           ceil: float = CEIL) -> np.ndarray:
    """The engine's fusion (ranking.engine.TextIndex.scores): the mapped cosine is not clipped."""
    cos_n = (cosine(row, views, mix) - floor) / (ceil - floor)
    return w * row["bm25", share][1] + (1 - w) * cos_n


def old_hybrid(row: dict, chars: int) -> np.ndarray:
    raw = row["bm25", 1.0][0]
    bm25 = raw / raw.max() if raw.max() > 0 else raw
    cos_n = np.clip((row["cos", "use-m3", chars] - OLD["floor"]) / (OLD["ceil"] - OLD["floor"]), 0, 1)
    return OLD["bm25"] * bm25 + OLD["embedding"] * cos_n


def tune(rows: list[dict], needs: list[dict], lengths: tuple[int, ...]) -> tuple:
    """The (views, mix, w_bm25, share) with the best dev MRR (then hit@10) for e5 (+ BM25 when w > 0)."""
    dev = [i for i, n in enumerate(needs) if n["split"] == "dev"]
    candidates = [((n,), 1.0) for n in lengths] + [(pair, a) for pair in PAIRS if set(pair) <= set(lengths)
                                                   for a in MIXES]
    best, best_key = None, (-1.0, -1.0)
    for views, mix in candidates:
        for share in SHARES:
            for w in BM25_WEIGHTS:
                hit, mrr, _ = evaluate([hybrid(rows[i], views, mix, w, share) for i in dev], [needs[i] for i in dev])
                if (mrr, hit) > best_key:
                    best, best_key = (views, mix, w, share), (mrr, hit)
    return best, best_key


def app_views() -> tuple[tuple[int, ...], float]:
    views = tuple(chars for chars, _ in embeddings.VIEWS)
    return views, embeddings.VIEWS[0][1] / sum(weight for _, weight in embeddings.VIEWS)


def methods(lengths: tuple[int, ...], tuned: tuple) -> dict[str, tuple[tuple | None, Callable[[dict], np.ndarray]]]:
    """name -> ((encoder, text length) whose rate applies, scoring of one need's components)."""
    app = WEIGHTS
    views, mix, w, share = tuned
    out: dict[str, tuple[tuple | None, Callable]] = {
        "BM25 (jieba, weighted terms)": (None, lambda r: r["bm25", 1.0][0]),
        f"USE-m3 alone ({lengths[0]} chars)": (("use-m3", lengths[0]), lambda r: r["cos", "use-m3", lengths[0]]),
    }
    for n in lengths:
        out[f"e5-small alone ({n} chars)"] = (("e5-small", n), lambda r, n=n: r["cos", "e5-small", n])
    out["old app hybrid (USE-m3 + BM25 0.18/0.72)"] = (("use-m3", lengths[0]), lambda r: old_hybrid(r, lengths[0]))
    out[f"RRF e5 + BM25 (k=60, {lengths[0]} chars)"] = (("e5-small", lengths[0]), lambda r: rrf(
        r["cos", "e5-small", lengths[0]], r["bm25", 1.0][0]))
    out[f"previous app: e5 ({lengths[0]} chars) + BM25 0.25/0.75"] = (("e5-small", lengths[0]), lambda r: hybrid(
        r, (lengths[0],), 1.0, 0.25, 0.05 if len(r["bm25", 1.0][0]) >= 300 else 1.0))
    label = "+".join(str(v) for v in views) + (f" mixed {mix}/{round(1 - mix, 2)}" if len(views) > 1 else "")
    out[f"tuned on dev: e5 views {label} + BM25 w={w}, df<{share}"] = (
        ("views", 0), lambda r: hybrid(r, views, mix, w, share))
    app_v, app_mix = app_views()
    out[f"APP ENGINE (ranking.WEIGHTS, embeddings.VIEWS {'+'.join(map(str, app_v))})"] = (
        ("views", 0), lambda r: hybrid(r, app_v if set(app_v) <= set(lengths) else (lengths[0],), app_mix,
                                        app.bm25 / (app.bm25 + app.embedding),
                                        app.max_df_share if app.min_docs <= len(r["bm25", 1.0][0]) else 1.0,
                                        app.cos_floor, app.cos_ceil))
    return out


def report(title: str, rows: list[dict], needs: list[dict], table: dict, rates: dict[str, float], split: str) -> None:
    chosen = [i for i, n in enumerate(needs) if n["split"] == split]
    print(f"\n  {title}: {len(chosen)} needs ({split} half)")
    print(f"  {'method':<66} {'hit@10':>7} {'MRR':>7} {'nDCG@10':>8} {'passages/s':>11}")
    for name, (encoder, fn) in table.items():
        hit, mrr, ndcg = evaluate([fn(rows[i]) for i in chosen], [needs[i] for i in chosen])
        rate = f"{rates[encoder]:.1f}" if encoder and encoder in rates else "-"
        print(f"  {name:<66} {hit:>7.3f} {mrr:>7.3f} {ndcg:>8.3f} {rate:>11}", flush=True)


def quality(args, encoders: dict) -> None:
    patents, needs = real_set()
    lengths = LENGTHS
    whole = [embeddings.patent_embedding_text(p["title"], p["abstract"]) for p in patents[:40]]
    rates = {}
    for chars in lengths:
        sample = [embeddings.shorten(t, chars) for t in whole]
        for name, enc in encoders.items():
            if name.startswith("e5") or chars == lengths[0]:
                rates[name, chars] = embedding_rate(enc, sample)
    app_encoder = PassageViews(encoders["e5-small"], embeddings.VIEWS, embeddings.shorten)
    rates["views", 0] = embedding_rate(app_encoder, whole)
    print("\n(c) embedding rate on 40 real patents (passages/s): " + ", ".join(
        f"{name} at {chars} chars {rate:.1f}" for (name, chars), rate in rates.items() if name != "views")
          + f", the app's {app_encoder.name} {rates['views', 0]:.1f}; e5/USE-m3 at {lengths[0]} chars "
          + f"{rates['e5-small', lengths[0]] / rates['use-m3', lengths[0]]:.3f}; load {machine().rsplit('load', 1)[1]}",
          flush=True)
    print(f"\n(a) REAL set: {len(patents)} patents, {len(needs)} needs "
          f"({sum(n['lang'] == 'zh' for n in needs)} zh, {sum(n['lang'] == 'en' for n in needs)} en)")
    real = Corpus("real", [(p["title"], p["abstract"]) for p in patents], encoders, lengths)
    rows = real.components(needs, encoders)
    tuned, (dev_mrr, dev_hit) = tune(rows, needs, lengths)
    print(f"  tuned on dev: views {tuned[0]} mix {tuned[1]}, w_bm25 {tuned[2]}, generic df share {tuned[3]} "
          f"(dev MRR {dev_mrr:.3f}, hit@10 {dev_hit:.3f}); app WEIGHTS {WEIGHTS}, VIEWS {embeddings.VIEWS}")
    table = methods(lengths, tuned)
    report("real, all needs", rows, needs, table, rates, "dev")
    report("real, all needs", rows, needs, table, rates, "test")
    for lang in ("zh", "en"):
        subset = [i for i, n in enumerate(needs) if n["lang"] == lang]
        report(f"real, {lang} needs", [rows[i] for i in subset], [needs[i] for i in subset], table, rates, "test")
    if args.skip_generated:
        return
    print(f"\n(b) GENERATED sets: {args.generated_size} candidates, {args.queries} queries per set")
    documents, sets = generated_set(args.generated_size, args.queries, args.seed)
    generated_lengths = app_views()[0]
    generated = Corpus(f"generated-{args.generated_size}-{args.seed}", documents, encoders, generated_lengths)
    table = methods(generated_lengths, tuned if set(tuned[0]) <= set(generated_lengths) else app_views() + tuned[2:])
    for name, items in sets.items():
        report(f"generated {name}", generated.components(items, encoders), items, table, rates, "test")


def latency(args, encoder) -> None:
    """Per demand at --size listed patents through the app's path (market.matching.CandidateIndex.rank)."""
    from ipbureau.demo.generator import iter_patent_rows
    from ipbureau.market.matching import Candidate, CandidateIndex, ChainLookup, Query
    from ipbureau.navigation.chains import default_chains

    n = args.size
    print(f"\n(d) latency: {n:,} listed patents, {args.latency_queries} stored demands; RANDOM unit vectors ({encoder.dim} "
          f"dimensions: latency only, no quality meaning)")
    started = time.perf_counter()
    rows = list(iter_patent_rows(random.Random(args.seed), n))
    candidates = [Candidate(patent_id=i, application_no=r["申请号"], title=r["专利名称"], abstract=r["申请摘要"],
                            ipc_codes=tuple(c for c in r["分类号"].split(";") if c), holder_id=i % 3000 + 1,
                            holder_name=r["申请人"], district_code="120116" if i % 5 == 0 else None, listing_id=i)
                  for i, r in enumerate(rows)]
    print(f"  generated {n:,} patents: {time.perf_counter() - started:.1f} s", flush=True)
    path = OUT / f"matching-terms-{n}-{args.seed}.json"
    if path.exists():
        tokens = json.loads(path.read_text(encoding="utf-8"))
    else:
        started = time.perf_counter()
        tokens = [terms(c.text) for c in candidates]
        OUT.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(tokens, ensure_ascii=False), encoding="utf-8")
        print(f"  jieba terms: {time.perf_counter() - started:.1f} s (cached in bench/out)", flush=True)
    vectors = np.random.default_rng(args.seed).standard_normal((n, encoder.dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    started = time.perf_counter()
    index = CandidateIndex(candidates, vectors, tokens, chains=ChainLookup(default_chains()))
    print(f"  index build (BM25, term weights, IPC/chain tables): {time.perf_counter() - started:.1f} s; generic terms "
          f"learned: {len(index.text.term_weights.generic)} (e.g. {'、'.join(sorted(index.text.term_weights.generic)[:12])})")
    rng = random.Random(args.seed + 2)
    demands = [f"需要{rows[rng.randrange(n)]['专利名称'].removeprefix('一种')}相关技术，用于产线升级"
               for _ in range(args.latency_queries)]
    encoder.queries(demands[:1])  # loaded
    # Stored demands: their vectors were computed once, after their commit (market.embeddings), as the app does.
    stored = encoder.queries(demands)
    total, raw, embed = [], [], []
    for text, vector in zip(demands, stored, strict=True):
        started = time.perf_counter()
        index.rank(Query(text=text, chains=frozenset({"ic01"}), subclasses=frozenset({"G06F"}),
                         groups=frozenset({"G06F16"}), district_code="120116", exclude_holder=7), vector, limit=10)
        total.append((time.perf_counter() - started) * 1000)
        raw_started = time.perf_counter()
        scores = vectors @ vector
        np.argpartition(-scores, 9)[:10]
        raw.append((time.perf_counter() - raw_started) * 1000)
    for text in demands:  # an ad-hoc text (a description search): the one case that encodes in the request
        started = time.perf_counter()
        encoder.queries([text])
        embed.append((time.perf_counter() - started) * 1000)

    def p(values, q):
        values = sorted(values)
        return values[int(q * (len(values) - 1))]

    print(f"  per stored demand (its stored vector; BM25 + cosine + signals + top-10 explanations): p50 "
          f"{statistics.median(total):.1f} ms, p95 {p(total, 0.95):.1f} ms, max {max(total):.1f} ms")
    print(f"  raw engine (numpy (n, {encoder.dim}) @ q + argpartition top 10): p50 {statistics.median(raw):.1f} ms, "
          f"p95 {p(raw, 0.95):.1f} ms; app / raw at p50: {statistics.median(total) / statistics.median(raw):.1f}x")
    print(f"  encoding an ad-hoc query with e5 (one thread): p50 {statistics.median(embed):.1f} ms, p95 "
          f"{p(embed, 0.95):.1f} ms; load {machine().rsplit('load', 1)[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generated-size", type=int, default=1000, help="candidates of the generated sets")
    parser.add_argument("--queries", type=int, default=100, help="queries per generated set")
    parser.add_argument("--size", type=int, default=100_000, help="listed patents for the latency test")
    parser.add_argument("--latency-queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-generated", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    encoders = {"use-m3": UseM3(), "e5-small": E5Small()}
    if not args.skip_quality:
        quality(args, encoders)
    if not args.skip_latency:
        latency(args, encoders["e5-small"])
    print(f"\nmachine at the end: {machine()}")


if __name__ == "__main__":
    main()
