"""Marketplace matching benchmark: quality (hit@10, MRR) and latency of demand → patent ranking.

    .venv/bin/python bench/matching.py [--size 100000] [--quality-size 5000] [--queries 300]

(a) Quality on a labelled set built from realistic generated records
    (ipbureau.demo.generator.iter_patent_rows): every candidate is indexed by its abstract with
    its own title removed (the generator's abstracts repeat the title); for sampled patents the
    held-out title, without the leading "一种", is the demand text and the patent itself is the
    one relevant answer. BM25 alone, embeddings alone and the hybrid (market.matching weights,
    text components only: a title carries no IPC, chain or district of its own) side by side.
(b) Latency per demand (query embedding + scoring every candidate + explaining the top 10)
    over --size listed patents. Vectors and tokens are cached under bench/out/ so reruns are quick.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ipbureau.demo.generator import iter_patent_rows  # noqa: E402
from ipbureau.market import embeddings  # noqa: E402
from ipbureau.market.matching import Candidate, CandidateIndex, Query, query_tokens  # noqa: E402

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


def candidates(n: int, seed: int) -> tuple[list[Candidate], list[str]]:
    rows = iter_patent_rows(random.Random(seed), n)
    out, titles = [], []
    for i, row in enumerate(rows):
        title = row["专利名称"]
        abstract = row["申请摘要"].replace(title, "")
        codes = tuple(c for c in row["分类号"].split(";") if c)
        out.append(Candidate(patent_id=i, application_no=row["申请号"], title="", abstract=abstract, ipc_codes=codes,
                             holder_id=hash(row["申请人"]) % 10**9, holder_name=row["申请人"], district_code=None,
                             listing_id=i))
        titles.append(title)
    return out, titles


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


def build_index(n: int, seed: int, *, random_vectors_ok: bool = False) -> tuple[CandidateIndex, list[str]]:
    cands, titles = candidates(n, seed)
    texts = [c.text for c in cands]
    path = OUT / f"matching-vectors-{n}-{seed}.npy"
    if random_vectors_ok and not path.exists():
        # Latency only: scoring costs the same whatever the vectors hold (one (n, 512) @ (512,) product).
        print("  vectors: RANDOM unit vectors (--random-vectors; latency only, no quality meaning)")
        vectors = random_vectors(n, seed)
    else:
        vectors = timed(f"vectors for {n:,} patents (cached in bench/out)",
                        lambda: cached(path.name, lambda: embeddings.encode(texts)))
    tokens = timed("jieba tokens (cached)", lambda: cached(f"matching-tokens-{n}-{seed}.json",
                                                           lambda: [query_tokens(t) for t in texts]))
    index = timed("BM25 index and signal tables", lambda: CandidateIndex(cands, vectors, tokens))
    return index, titles


def quality(size: int, queries: int, seed: int) -> None:
    print(f"\n(a) quality: {size:,} candidates, {queries} held-out titles as demands")
    index, titles = build_index(size, seed)
    sample = random.Random(seed + 1).sample(range(size), queries)
    texts = [titles[i].removeprefix("一种") for i in sample]
    vectors = embeddings.encode(texts)
    print(f"  {'method':<10} {'hit@1':>7} {'hit@10':>7} {'MRR':>7}")
    for method in ("bm25", "embedding", "hybrid"):
        hits1 = hits10 = 0
        rr = 0.0
        for target, text, vector in zip(sample, texts, vectors, strict=True):
            scores = index.scores(Query(text=text), vector, method=method)
            rank = int((scores > scores[target]).sum()) + 1  # ties count in the positive's favour
            hits1 += rank == 1
            hits10 += rank <= 10
            rr += 1.0 / rank
        print(f"  {method:<10} {hits1 / queries:>7.3f} {hits10 / queries:>7.3f} {rr / queries:>7.3f}")


def latency(size: int, queries: int, seed: int, random_vectors_ok: bool) -> None:
    print(f"\n(b) latency: {size:,} listed patents, {queries} demands")
    index, titles = build_index(size, seed, random_vectors_ok=random_vectors_ok)
    rng = random.Random(seed + 2)
    demands = [f"需要{titles[rng.randrange(size)].removeprefix('一种')}相关技术，用于产线升级" for _ in range(queries)]
    embeddings.encode(demands[:2])  # model loaded
    times = []
    for text in demands:
        started = time.perf_counter()
        vector = embeddings.encode([text])[0]
        index.rank(Query(text=text, chains=frozenset({"ic01"}), subclasses=frozenset({"G06F"}),
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
    args = parser.parse_args()
    print(f"machine: {machine()}")
    if not args.skip_quality:
        quality(args.quality_size, args.queries, args.seed)
    latency(args.size, min(args.queries, 200), args.seed, args.random_vectors)


if __name__ == "__main__":
    main()
