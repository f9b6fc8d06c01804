"""Benchmark of the abnormal-application screening (非正常专利申请筛查) on a labelled set.

N realistic applications come from the demo generator (ipbureau.demo.generator.iter_patent_rows);
known patterns are planted on top, then every record is scored through the screening API
(ipbureau.protection.screening.scoring.screen, plain records: no database):

* near duplicates: copies of generated applications filed under other names, disguised as a
  copier would (one to four synonym swaps in all, changed figures, the abstract's sentences reordered);
* bursts: new applicants filing 12–30 applications within 25 days (texts mixed from three
  unrelated records, so that they are not copies);
* template claims: agencies each reusing their own claim with the technical nouns swapped.

Printed: throughput (applications/s) of the whole screening, and precision/recall per sign
against the planted labels. The generator's own texts are built from a small vocabulary, so some
unplanted applications are near-identical by chance (same title and steps): they count as false
positives in the strict precision; the figure "among pairs touching a planted record" leaves them out.

    .venv/bin/python bench/screening.py [--size 100000] [--seed 2023]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from datetime import date, timedelta

from ipbureau.demo.generator import iter_patent_rows
from ipbureau.protection.screening.demo import TEMPLATE_NOUNS, edit_copy
from ipbureau.protection.screening.enums import Sign
from ipbureau.protection.screening.scoring import Application, Parameters, screen

TYPES = {"发明": "invention", "实用新型": "utility_model", "外观设计": "design"}
# Each template agency drafts from its own template (a template shared by many agencies would be a
# common drafting form, which the screening rightly does not flag).
TEMPLATES = (
    "1.一种{a}装置，包括底座，其特征在于：所述底座的顶部固定安装有支撑柱，所述支撑柱的顶端设置有{b}，"
    "所述{b}的一侧设有{c}，所述{c}与控制器电性连接，所述底座的底部安装有万向轮。",
    "1.一种{a}设备，包括箱体，其特征在于：所述箱体的内腔设置有隔板，所述隔板的上表面卡接有{b}，"
    "所述{b}通过导线与{c}电连接，所述箱体的侧面铰接有箱门，所述箱门上镶嵌有观察窗。",
    "1.一种{a}系统，包括安装架，其特征在于：所述安装架上滑动连接有滑块，所述滑块通过螺栓与{b}可拆卸连接，"
    "所述{b}的输出端传动连接有{c}，所述安装架的两侧对称焊接有加强筋。",
    "1.一种{a}组件，包括外壳，其特征在于：所述外壳的顶面开设有散热孔，所述外壳内嵌设有{b}，"
    "所述{b}的下方套接有{c}，所述{c}的外周缠绕有绝缘胶带，所述外壳的底面粘接有防滑垫。",
    "1.一种{a}机构，包括支架，其特征在于：所述支架的中部转动连接有转轴，所述转轴的外侧套设有{b}，"
    "所述{b}与{c}之间设置有复位弹簧，所述支架的顶部螺纹连接有调节螺杆。",
)


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical cores, Python {platform.python_version()}, {platform.system()}"


def to_application(key: int, row: dict[str, str]) -> Application:
    filed = row["申请日"]
    return Application(
        key=key, application_no=row["申请号"], applicants=tuple(row["申请人"].split(";")),
        agency=row["专利代理机构"] or None, ipc=tuple(c for c in row["分类号"].split(";") if c), title=row["专利名称"],
        abstract=row["申请摘要"], claims=row["主权项"], patent_type=TYPES[row["专利类型"]],
        filing_date=date(int(filed[:4]), int(filed[4:6]), int(filed[6:])))


class Labelled:
    def __init__(self, apps: list[Application]) -> None:
        self.apps = apps
        self.clusters: list[list[int]] = []  # near-duplicate clusters (keys)
        self.burst: set[int] = set()
        self.template: set[int] = set()
        self.serial = 0

    def add(self, template: Application, **changes) -> int:
        self.serial += 1
        key = len(self.apps)
        app = Application(**{**template.__dict__, **changes, "key": key,
                             "application_no": f"CN2023{self.serial:08d}.X"})
        self.apps.append(app)
        return key


def plant(apps: list[Application], rng: random.Random, size: int) -> Labelled:
    data = Labelled(apps)
    candidates = [a for a in apps if a.patent_type != "design" and len(a.abstract + a.claims) > 120]
    # Near duplicates: one base per 500 applications, 1–3 disguised copies each.
    for base in rng.sample(candidates, max(1, size // 500)):
        cluster = [base.key]
        for n in range(rng.randint(1, 3)):
            cluster.append(data.add(
                base, applicants=(f"天津仿冒{len(data.clusters)}-{n}科技有限公司",), agency=None,
                title=edit_copy(base.title, rng, rng.randint(0, 1)), abstract=edit_copy(base.abstract, rng, rng.randint(1, 2)),
                claims=edit_copy(base.claims, rng, rng.randint(1, 2)),
                filing_date=base.filing_date + timedelta(days=rng.randint(-200, 400))))
        data.clusters.append(cluster)
    # Bursts: one new bulk filer per 5,000 applications.
    for b in range(max(1, size // 5000)):
        start = date(rng.randint(2017, 2024), rng.randint(1, 12), 1)
        for _ in range(rng.randint(12, 30)):
            a, b_, c = rng.sample(candidates, 3)
            data.burst.add(data.add(a, applicants=(f"天津集中申请{b}号有限公司",), abstract=b_.abstract, claims=c.claims,
                                    ipc=b_.ipc, filing_date=start + timedelta(days=rng.randint(0, 24))))
    # Template claims: one agency per 20,000 applications, 8 claims each.
    for t in range(max(1, size // 20000)):
        for _ in range(8):
            x, y, z = rng.sample(TEMPLATE_NOUNS, 3)
            source = rng.choice(candidates)
            data.template.add(data.add(
                source, applicants=(f"天津模板客户{rng.randint(1, 10**6)}有限公司",), agency=f"天津模板{t}号代理有限公司",
                title=f"一种{x}装置", abstract=f"本实用新型涉及{x}技术领域。{source.abstract}",
                claims=TEMPLATES[t % len(TEMPLATES)].format(a=x, b=y, c=z), patent_type="utility_model",
                filing_date=date(2023, 1, 1) + timedelta(days=rng.randint(0, 700))))
    return data


def precision_recall(predicted: set, truth: set) -> tuple[float, float]:
    hit = len(predicted & truth)
    return (hit / len(predicted) if predicted else 1.0), (hit / len(truth) if truth else 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="generated applications (before planting)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--similarity", type=float, default=Parameters.duplicate_similarity,
                        help="near-duplicate threshold (Jaccard of shingle sets)")
    parser.add_argument("--shingle", type=int, default=Parameters.shingle_size, help="tokens per shingle")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    print(f"machine: {machine()}")
    started = time.perf_counter()
    apps = [to_application(i, row) for i, row in enumerate(iter_patent_rows(rng, args.size))]
    data = plant(apps, rng, args.size)
    planted_dups = {k for c in data.clusters for k in c}
    print(f"generated {args.size:,} applications in {time.perf_counter() - started:.1f} s; planted "
          f"{sum(len(c) - 1 for c in data.clusters):,} near-duplicate copies of {len(data.clusters):,} applications, "
          f"{len(data.burst):,} burst filings, {len(data.template):,} template claims; total {len(data.apps):,}")

    stages: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if last[1]:
            stages[last[1]] = stages.get(last[1], 0.0) + now - last[0]
        last[0], last[1] = now, stage

    import jieba

    jieba.initialize()
    import datasketch  # noqa: F401  (import time is not screening time)

    params = Parameters(duplicate_similarity=args.similarity, shingle_size=args.shingle)
    print(f"parameters: shingles of {params.shingle_size} tokens, near-duplicate similarity ≥ {params.duplicate_similarity}")
    started = time.perf_counter()
    result = screen(data.apps, params, progress=progress)
    elapsed = time.perf_counter() - started
    progress("", 0, 0)
    print(f"screening: {elapsed:.1f} s, {len(data.apps) / elapsed:,.0f} applications/s")
    print("  stages: " + ", ".join(f"{s} {t:.1f} s" for s, t in stages.items()))

    def flagged(sign: Sign) -> set:
        return {k for k, flags in result.flags.items() if any(f.sign == sign for f in flags)}

    dup_flagged = flagged(Sign.NEAR_DUPLICATE)
    p, r = precision_recall(dup_flagged, planted_dups)
    print(f"near duplicates (applications): flagged {len(dup_flagged):,}, planted {len(planted_dups):,}: "
          f"precision {p:.3f}, recall {r:.3f}")
    truth_pairs = {frozenset((a, b)) for c in data.clusters for a in c for b in c if a != b}
    found_pairs = {frozenset((k, p_["key"])) for k, flags in result.flags.items() for f in flags
                   if f.sign == Sign.NEAR_DUPLICATE for p_ in f.evidence["partners"]}
    p, r = precision_recall(found_pairs, truth_pairs)
    touching = {pair for pair in found_pairs if pair & planted_dups}
    p_touch, _ = precision_recall(touching, truth_pairs)
    print(f"near duplicates (pairs): found {len(found_pairs):,}, planted {len(truth_pairs):,}: precision {p:.3f}, "
          f"recall {r:.3f}; precision among pairs touching a planted record {p_touch:.3f} "
          f"({len(found_pairs - touching):,} pairs are the generator's own chance look-alikes)")
    for sign, truth in ((Sign.BURST, data.burst), (Sign.TEMPLATE_CLAIMS, data.template)):
        got = flagged(sign)
        p, r = precision_recall(got, truth)
        print(f"{sign.label} ({sign.value}): flagged {len(got):,}, planted {len(truth):,}: "
              f"precision {p:.3f}, recall {r:.3f}")
    for sign in (Sign.FIELD_MISMATCH, Sign.AGENCY_PATTERN):
        print(f"{sign.label} ({sign.value}): flagged {len(flagged(sign)):,} (no planted label)")
    queued = set(result.queued())
    planted_all = planted_dups | data.burst | data.template
    p, r = precision_recall(queued, planted_all)
    print(f"review queue (total ≥ {params.queue_threshold:g}): {len(queued):,} applications; "
          f"precision {p:.3f}, recall {r:.3f} against all planted records")


if __name__ == "__main__":
    sys.exit(main())
