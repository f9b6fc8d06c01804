"""The navigation report read from the statistics' analytic copy (DuckDB) against the row-level report (the
definition, on the record store): every figure and every block identical on generated data with edge cases —
a year without filings (zero base), a district without records, non-Tianjin and other-dataset patents,
co-applicants, repeated and empty inventors, claims text, a chain edit, a change after the copy was made."""

from __future__ import annotations

import random
from datetime import date

import pytest

from ipbureau.navigation import chains as chain_store
from ipbureau.navigation import report
from ipbureau.navigation.models import ChainOverride
from ipbureau.stats import analytic
from tests.navigation.test_navigation import BINHAI, XIQING, add_patent

# 宁河区 (120117) gets no record: a district with no records.
DISTRICTS = (BINHAI, XIQING, "120101", "120104", "120110", "120113", None)
CODES = ("G06F21/60", "G06F9/50", "G06N3/08", "H04L9/32", "G06F16/30", "H01L21/02", "A01B1/00", "A61K36/00",
         "G06F21/00", "H04L63/14")
APPLICANTS = ("天津大学", "天津甲科技有限公司", "南开大学", "北京乙公司", "上海丙公司", "天津丁研究院")
INVENTORS = ("张三", "李四", "王五", "赵六", "", "孙七")
STATUSES = ("valid", "valid", "pending", "invalid", "rejected")


@pytest.fixture(autouse=True)
def _fresh_report_cache():
    report.clear_cache()
    yield
    report.clear_cache()


def _generated(db, *, n: int, seed: int, dataset: str = "real") -> None:
    """Patents filed 2014–2023 except 2019 (no filing at all: the zero base of 2020's growth), some granted,
    spread over districts, Beijing and unknown provinces, with 1–3 applicants and inventors each."""
    rng = random.Random(seed)
    for _ in range(n):
        year = rng.choice([y for y in range(2014, 2024) if y != 2019])
        filed = date(year, rng.randint(1, 12), rng.randint(1, 28))
        granted = date(min(2024, year + rng.randint(1, 3)), rng.randint(1, 12), 15) if rng.random() < .5 else None
        district = rng.choice(DISTRICTS)
        patent = add_patent(
            db, ipc=tuple(rng.sample(CODES, rng.randint(1, 3))), filed=filed, granted=granted, dataset=dataset,
            province="12" if district else rng.choice(("11", "31", None)), district=district,
            applicants=tuple(rng.sample(APPLICANTS, rng.randint(1, 3))),
            inventors=tuple(rng.choice(INVENTORS) for _ in range(rng.randint(0, 3))),
            citations=rng.choice((0, 1, 4, 12)), family=rng.choice((None, 1, 3, 7)), status=rng.choice(STATUSES),
            patent_type=rng.choice(("invention", "invention", "utility_model", "design")))
        patent.publication_date = filed.replace(year=min(2024, year + 1))
        if rng.random() < .3:
            patent.claims = "1. 一种方法。2. 根据权利要求1所述的方法。3. 根据权利要求2所述的方法。"
        patent.transfer_count, patent.license_count = rng.choice((0, 0, 1)), rng.choice((0, 0, 2))
    db.flush()


def _both(db, chain: str, **kwargs):
    """The report from the copy (checking it was used), then row-level."""
    store = analytic.store_for(str(db.get_bind().engine.url))
    reads = []
    original = store.rows
    store.rows = lambda statement, **kwargs: reads.append(statement) or original(statement, **kwargs)
    try:
        fast = report.build(db, chain, **kwargs)
    finally:
        del store.rows
    with analytic.row_level():
        slow = report.build(db, chain, **kwargs)
    assert reads, "the report did not read the analytic copy"
    return fast, slow


def test_report_on_the_copy_equals_the_row_level_report(db):
    _generated(db, n=300, seed=7)
    _generated(db, n=60, seed=8, dataset="demo")
    for chain in ("xinchuang", "jicheng_dianlu", "shengwu_yiyao"):
        for years in ({"year_from": 2014, "year_to": 2023}, {"year_from": 2019, "year_to": 2021}, {}):
            fast, slow = _both(db, chain, dataset="real", today=date(2025, 1, 1), **years)
            assert fast == slow, (chain, years)
    fast, slow = _both(db, "xinchuang", dataset="real", year_from=2014, year_to=2023, today=date(2025, 1, 1))
    f = fast.figures
    # The edge cases are really there: the missing year, a zero base, the empty district, a network.
    assert f["trends"]["dataset_filed"][2019 - 2014] == 0 and f["chain_total"] > 0
    assert "120117" not in {r["code"] for r in f["districts"]}
    assert f["edges"] and f["high_value_top"] and f["inventors"]
    fast, slow = _both(db, "xinchuang", dataset="demo", today=date(2025, 1, 1))
    assert fast == slow and fast.figures["chain_total"] > 0


def test_a_chain_edit_and_a_new_patent_reach_the_report_on_the_copy(db):
    _generated(db, n=150, seed=11)
    before, _ = _both(db, "xinchuang", dataset="real", year_from=2014, year_to=2023, today=date(2025, 1, 1))
    # 信创 redefined: H04L only, one segment on a main group.
    db.add(ChainOverride(code="xinchuang", name="信创", ipc_prefixes=["H04L"], keywords=[],
                         segments=[{"name": "网络安全", "ipc": ["H04L63/00"], "keywords": []}]))
    db.flush()
    chain_store.edited(db)
    fast, slow = _both(db, "xinchuang", dataset="real", year_from=2014, year_to=2023, today=date(2025, 1, 1))
    assert fast == slow and fast.figures["chain_total"] != before.figures["chain_total"]
    assert [s["name"] for s in fast.figures["segments"]] == ["网络安全"]
    # A patent added after the copy was made counts at once (the copy is brought up to date in the request).
    add_patent(db, ipc=("H04L63/14",), filed=date(2022, 3, 1), district="120117", applicants=("宁河新公司",))
    after, slow = _both(db, "xinchuang", dataset="real", year_from=2014, year_to=2023, today=date(2025, 1, 1))
    assert after == slow and after.figures["chain_total"] == fast.figures["chain_total"] + 1
    assert "120117" in {r["code"] for r in after.figures["districts"]}


def test_an_empty_dataset_on_the_copy(db):
    fast, slow = _both(db, "xinchuang", dataset="demo", year_from=2020, year_to=2023, today=date(2025, 1, 1))
    assert fast == slow and fast.empty
