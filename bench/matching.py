"""Marketplace matching benchmark: quality (hit@10, MRR) and latency of demand → patent ranking.

    .venv/bin/python bench/matching.py [--size 100000] [--quality-size 5000] [--queries 300]

(a) Quality on three labelled sets built from realistic generated records
    (ipbureau.demo.generator.iter_patent_rows). Every candidate is indexed by its abstract with
    its own title removed (the generator's abstracts repeat the title).
    * ``title``: the held-out title without "一种" is the demand; the patent itself is the one
      relevant answer. Purely lexical: the title's words are in the abstract.
    * ``zh-need``: a demand worded the way an enterprise states a need — its chain and segment
      (细分环节) and the PROBLEM in other words ("成本较高" -> "价格太贵、成本降不下来"), no word of
      the title; relevant: every invention patent of that segment stating that problem.
    * ``en-need``: the same need in ENGLISH (the model is multilingual; jieba/BM25 sees no
      shared word at all).
    Methods: BM25 alone, embeddings alone, the app's hybrid (market.matching weights, text
    components only: a held-out title carries no IPC, chain or district), reciprocal-rank
    fusion (k=60), and a weighted sum whose BM25/embedding weight is tuned on the DEV half of
    the demands and reported on the TEST half (every figure below is on the test half).
    Ties are broken at random in expectation (a tie with k others counts as k/2 places lower).
(b) Latency per demand (query embedding + scoring every candidate + explaining the top 10)
    over --size listed patents with REAL vectors (cached under bench/out/ so reruns are quick;
    --random-vectors only if you cannot wait for them). Index build time is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ipbureau.demo.generator import iter_patent_rows
from ipbureau.market import embeddings
from ipbureau.market.matching import (
    W_BM25,
    W_EMBEDDING,
    Candidate,
    CandidateIndex,
    Query,
    query_tokens,
)

OUT = Path(__file__).resolve().parent / "out"


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"


NEED = re.compile(r"属于(.+?)领域(.+?)技术。针对现有.+?(精度不足|成本较高|效率低下|稳定性差|能耗高|操作繁琐|安全性不足|寿命短)的问题")
# The generator's problems (vocabulary.PROBLEMS) said the way a buyer says them, in Chinese
# without the patent's words, and in English.
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


def candidates(n: int, seed: int) -> tuple[list[Candidate], list[str], list[tuple[str, str, str] | None]]:
    """Candidates indexed without their titles, the titles, and each one's (chain, segment, problem)
    as its abstract states it (None for utility models, whose abstracts do not say)."""
    rows = iter_patent_rows(random.Random(seed), n)
    out, titles, needs = [], [], []
    for i, row in enumerate(rows):
        title = row["专利名称"]
        abstract = row["申请摘要"].replace(title, "")
        codes = tuple(c for c in row["分类号"].split(";") if c)
        out.append(Candidate(patent_id=i, application_no=row["申请号"], title="", abstract=abstract, ipc_codes=codes,
                             holder_id=hash(row["申请人"]) % 10**9, holder_name=row["申请人"], district_code=None,
                             listing_id=i))
        titles.append(title)
        found = NEED.search(row["申请摘要"])
        needs.append(found.groups() if found else None)
    return out, titles, needs


def cached(name: str, build):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    if path.suffix == ".npy":
        if path.exists():
            return np.load(path)
        value = build()
        np.save(path, value)
        return value
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    value = build()
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return value


def timed(label: str, build):
    started = time.perf_counter()
    value = build()
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)
    return value


def random_vectors(n: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((n, embeddings.DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def build_index(n: int, seed: int, *, random_vectors_ok: bool = False):
    cands, titles, needs = candidates(n, seed)
    texts = [c.embedding_text for c in cands]
    path = OUT / f"matching-vectors-v2-{n}-{seed}.npy"  # v2: title + abstract clauses, at most EMBED_CHARS
    if random_vectors_ok and not path.exists():
        # Latency only: scoring costs the same whatever the vectors hold (one (n, 512) @ (512,) product).
        print("  vectors: RANDOM unit vectors (--random-vectors; latency only, no quality meaning)")
        vectors = random_vectors(n, seed)
    else:
        cached_already = path.exists()
        started = time.perf_counter()
        vectors = cached(path.name, lambda: embeddings.encode(texts))
        took = time.perf_counter() - started
        note = "read from bench/out" if cached_already else f"{n / took:,.0f} texts/s, batches of {embeddings.BATCH}"
        print(f"  vectors for {n:,} patents (avg {np.mean([len(t) for t in texts]):.0f} chars): {took:.1f} s ({note})")
    tokens = timed("jieba tokens (cached)", lambda: cached(f"matching-tokens-{n}-{seed}.json",
                                                           lambda: [query_tokens(c.text) for c in cands]))
    index = timed("BM25 index and IPC/chain signal tables", lambda: CandidateIndex(cands, vectors, tokens))
    return index, titles, needs


def labelled_sets(titles, needs, queries: int, seed: int) -> dict[str, tuple[list[str], list[np.ndarray]]]:
    """name -> (demand texts, relevant candidate ids per demand)."""
    rng = random.Random(seed + 1)
    sample = rng.sample(range(len(titles)), queries)
    sets = {"title": ([titles[i].removeprefix("一种") for i in sample], [np.array([i]) for i in sample])}
    by_need: dict[tuple, list[int]] = {}
    for i, need in enumerate(needs):
        if need:
            by_need.setdefault(need, []).append(i)
    keys = sorted(by_need)
    chosen = [keys[rng.randrange(len(keys))] for _ in range(queries)]
    zh = [f"我们是做{chain}行业{segment}产品的企业，现有产品{PROBLEM_ZH[problem]}，想引进能解决这个问题的专利"
          for chain, segment, problem in chosen]
    en = [f"We make {SEGMENT_EN[segment]} products in the {CHAIN_EN[chain]} industry and our products "
          f"{PROBLEM_EN[problem]}; we want to license a patent that solves this." for chain, segment, problem in chosen]
    relevant = [np.array(by_need[k]) for k in chosen]
    sets["zh-need"] = (zh, relevant)
    sets["en-need"] = (en, relevant)
    return sets


def first_relevant_rank(scores: np.ndarray, relevant: np.ndarray) -> float:
    """Rank of the best-scored relevant candidate; ties with other candidates split evenly."""
    best = scores[relevant].max()
    others = np.ones(len(scores), bool)
    others[relevant] = False
    above = int((scores[others] > best).sum())
    tied = int((scores[others] == best).sum())
    tied_relevant = int((scores[relevant] == best).sum())
    return above + 1 + tied / (tied_relevant + 1)


def rrf(*score_arrays: np.ndarray, k: int = 60) -> np.ndarray:
    fused = np.zeros(len(score_arrays[0]))
    for scores in score_arrays:
        ranks = np.empty(len(scores))
        ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
        fused += 1.0 / (k + ranks)
    return fused


def quality(size: int, queries: int, seed: int) -> None:
    print(f"\n(a) quality: {size:,} candidates, {queries} demands per set (dev half tunes, test half reports)")
    index, titles, needs = build_index(size, seed)
    weights = np.round(np.arange(0.0, 1.01, 0.1), 2)
    prepared = {}
    for name, (texts, relevant) in labelled_sets(titles, needs, queries, seed).items():
        vectors = embeddings.encode(texts)
        parts = []
        for text, vector in zip(texts, vectors, strict=True):
            bm25_n, cosine, cos_n, *_ = index._components(Query(text=text), vector, query_tokens(text))
            parts.append((bm25_n.astype(np.float64), cosine.astype(np.float64), cos_n.astype(np.float64)))
        prepared[name] = (texts, relevant, parts)
        print(f"  {name}: e.g. {texts[0]!r}; relevant per demand: median {int(np.median([len(r) for r in relevant]))}",
              flush=True)

    def evaluate(name, score_fn, split):
        texts, relevant, parts = prepared[name]
        half = len(texts) // 2
        rows = range(half) if split == "dev" else range(half, len(texts))
        ranks = np.array([first_relevant_rank(score_fn(*parts[i]), relevant[i]) for i in rows])
        return float((ranks <= 10).mean()), float((1 / ranks).mean())

    def weighted(w):
        return lambda b, c, cn: w * b + (1 - w) * cn

    dev_mrr = {(name, w): evaluate(name, weighted(w), "dev")[1] for name in prepared for w in weights}
    joint = max(weights, key=lambda w: np.mean([dev_mrr[name, w] for name in prepared]))
    print("  weight of BM25 in a BM25+embedding sum, tuned on the dev halves: per set "
          + ", ".join(f"{name} {max(weights, key=lambda w: dev_mrr[name, w]):.1f}" for name in prepared)
          + f"; all sets together {joint:.1f} (app: W_BM25 {W_BM25}, W_EMBEDDING {W_EMBEDDING})")
    print(f"  {'set':<9} {'method':<26} {'hit@10':>7} {'MRR':>7}   (test halves)")
    for name in prepared:
        own = max(weights, key=lambda w: dev_mrr[name, w])
        methods = {
            "bm25": lambda b, c, cn: b,
            "embedding": lambda b, c, cn: c,
            "hybrid (app weights)": lambda b, c, cn: W_BM25 * b + W_EMBEDDING * cn,
            "rrf k=60": lambda b, c, cn: rrf(b, c),
            f"tuned on this set w={own:.1f}": weighted(own),
            f"tuned on all sets w={joint:.1f}": weighted(joint),
        }
        for method, fn in methods.items():
            hit10, mrr = evaluate(name, fn, "test")
            print(f"  {name:<9} {method:<26} {hit10:>7.3f} {mrr:>7.3f}", flush=True)


def latency(size: int, queries: int, seed: int, random_vectors_ok: bool) -> None:
    print(f"\n(b) latency: {size:,} listed patents, {queries} demands")
    index, titles, _ = build_index(size, seed, random_vectors_ok=random_vectors_ok)
    rng = random.Random(seed + 2)
    demands = [f"需要{titles[rng.randrange(size)].removeprefix('一种')}相关技术，用于产线升级" for _ in range(queries)]
    embeddings.encode(demands[:2])  # model loaded
    times = []
    for text in demands:
        started = time.perf_counter()
        vector = embeddings.encode([text])[0]
        index.rank(Query(text=text, chains=frozenset({"xinchuang"}), subclasses=frozenset({"G06F"}),
                         groups=frozenset({"G06F16"})), vector, limit=10)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p50, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
    print(f"  per demand: p50 {p50:.1f} ms, p95 {p95:.1f} ms (query embedding + BM25 + cosine + signals + top-10 "
          f"explanations)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="listed patents for the latency test")
    parser.add_argument("--quality-size", type=int, default=5_000, help="candidates for the quality test")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--random-vectors", action="store_true",
                        help="latency test: use random unit vectors when the real ones are not cached yet")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    if not args.skip_quality:
        quality(args.quality_size, args.queries, args.seed)
    if not args.skip_latency:
        latency(args.size, min(args.queries, 200), args.seed, args.random_vectors)


if __name__ == "__main__":
    main()
