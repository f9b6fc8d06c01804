"""The analytic copy (stats.analytic) against the row-level SQL (the definition): every figure identical on
generated data with edge cases, a change visible at once, chain edits, deletions, the deferred refresh."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import delete

from ipbureau.navigation import chains as chain_store
from ipbureau.navigation.models import ChainOverride
from ipbureau.patents.models import Patent
from ipbureau.stats import analytic, engine, service, whitepaper
from ipbureau.stats.enums import YoyNote
from tests.stats.test_stats import BINHAI, HEPING, NINGHE, XIQING, add_patent

# Districts with records (宁河区 gets none: a district with no records).
DISTRICTS = (BINHAI, XIQING, HEPING, "120104", "120110", "120113", "120114", None)
CHAIN_CODES = ("G06F21/62", "A61K36/00", "H01M10/052", "B25J9/16", "C07D401/04", "A01B1/00", "H10B12/00",
               "G08G1/16", "E01B3/32")
STATUSES = ("valid", "valid", "valid", "invalid", "pending", "rejected", "withdrawn", "unknown")


def _generated(db, *, n: int = 400, seed: int = 12, dataset: str = "real") -> None:
    """Patents spread over 2012–2023 with no invention granted in 2017 (a missing year: zero base for
    2018), non-Tianjin applicants, every legal status, lapses with and without dates, several chains each."""
    rng = random.Random(seed)
    for _ in range(n):
        filed = date(rng.randint(2008, 2023), rng.randint(1, 12), rng.randint(1, 28))
        granted = None if rng.random() < 0.2 else date(min(2023, filed.year + rng.randint(0, 4)), rng.randint(1, 12),
                                                       rng.randint(1, 28))
        if granted is not None and granted.year == 2017:
            granted = granted.replace(year=2018)
        status = rng.choice(STATUSES)
        lapse = date(granted.year + rng.randint(0, 6), 6, 30) if granted and status == "invalid" and rng.random() < .6 \
            else None
        district = rng.choice(DISTRICTS)
        add_patent(db, granted=granted, filed=filed, district=district, province="12" if district else rng.choice(
            ("11", None)), patent_type=rng.choice(("invention", "invention", "utility_model", "design")),
            status=status, lapse=lapse, dataset=dataset, ipc=tuple(rng.sample(CHAIN_CODES, rng.randint(0, 3))),
            family_size=rng.choice((None, 1, 2, 4)), pledges=rng.choice((0, 0, 1)))
    db.flush()


def _both(compute):
    """The figures from the copy, then from the row-level SQL."""
    fast = compute()
    with analytic.row_level():
        slow = compute()
    return fast, slow


def _store(db) -> analytic.Store:
    return analytic.store_for(str(db.get_bind().engine.url))


def test_dashboards_and_white_paper_equal_the_row_level_definition(db):
    _generated(db)
    _generated(db, n=120, seed=5, dataset="demo")
    for year in (2018, 2022, 2023, 2010):  # 2018: zero base (no grant in 2017); 2010: before any grant
        for district in (None, BINHAI, NINGHE, XIQING):
            fast, slow = _both(lambda y=year, d=district: service.dashboard(db, y, dataset="real", district_code=d))
            assert fast == slow, (year, district)
    assert _store(db).matches("real", analytic.stamp(db, "real"), chain_store.load_chains(db))
    fast, slow = _both(lambda: service.dashboard(db, 2022, dataset="demo"))
    assert fast == slow and fast.figures[0].value is not None
    fast, slow = _both(lambda: whitepaper.build(db, 2022, dataset="real", today=date(2024, 1, 1)))
    assert fast == slow
    for period in ("H1", "Q3", "M02"):
        for code in ("invention_grants", "valid_inventions", "high_value_inventions_per_10k"):
            fast, slow = _both(lambda c=code, p=period: (engine.by_district(db, c, 2021, period=p),
                                                          engine.by_chain(db, c, 2021, period=p),
                                                          engine.series(db, c, range(2012, 2024), period=p,
                                                                        chain_code="xinchuang")))
            assert fast == slow, (code, period)
    zero = engine.compute(db, "invention_grants", 2018)
    assert zero.previous_value == 0 and zero.yoy_note == YoyNote.ZERO_BASE
    assert engine.compute(db, "invention_grants", 2022, district_code=NINGHE).value == 0


def test_a_change_is_visible_in_the_next_figure_by_an_incremental_refresh(db):
    _generated(db, n=60)
    before = engine.compute(db, "invention_grants", 2022, district_code=NINGHE).value
    log = _store(db).log
    full, incremental = log.full, log.incremental
    add_patent(db, granted=date(2022, 3, 1), district=NINGHE, ipc=("H10B12/00",))
    after = engine.compute(db, "invention_grants", 2022, district_code=NINGHE)
    assert after.value == before + 1
    assert (log.full, log.incremental) == (full, incremental + 1)  # only the new row was copied
    chain = {r.chain_code: r.value for r in engine.by_chain(db, "invention_grants", 2022, district_code=NINGHE)}
    assert chain["jicheng_dianlu"] == 1
    # An update of a copied patent (its legal status and lapse) is picked up too.
    patent = db.query(Patent).filter_by(district_code=NINGHE).one()
    patent.legal_status, patent.lapse_date = "invalid", date(2022, 6, 1)
    db.flush()
    fast, slow = _both(lambda: engine.compute(db, "valid_inventions", 2022, district_code=NINGHE))
    assert fast == slow and fast.value == 0


def test_deleted_patents_leave_the_copy(db):
    _generated(db, n=80)
    fast, _ = _both(lambda: engine.compute(db, "valid_inventions", 2023))
    gone = db.query(Patent).filter(Patent.patent_type == "invention", Patent.province_code == "12").first()
    db.execute(delete(Patent).where(Patent.id == gone.id))
    after, slow = _both(lambda: engine.compute(db, "valid_inventions", 2023))
    assert after == slow
    assert _store(db).matches("real", analytic.stamp(db, "real"), chain_store.load_chains(db))


def test_a_chain_edit_recomputes_membership(db):
    _generated(db, n=150)
    before = {r.chain_code: r.value for r in engine.by_chain(db, "invention_grants", 2022)}
    # 集成电路 redefined to cover construction (E01B) only.
    db.add(ChainOverride(code="jicheng_dianlu", name="集成电路", ipc_prefixes=["E01B"], keywords=[], segments=[]))
    db.flush()
    chain_store.edited(db)
    fast, slow = _both(lambda: (engine.by_chain(db, "invention_grants", 2022),
                                engine.compute(db, "high_value_inventions_per_10k", 2022)))
    assert fast == slow
    after = {r.chain_code: r.value for r in fast[0]}
    assert after["xinchuang"] == before["xinchuang"]
    with analytic.row_level():
        e01b = engine.compute(db, "invention_grants", 2022, chain_code="jicheng_dianlu").value
    assert after["jicheng_dianlu"] == e01b != before["jicheng_dianlu"]


def test_a_large_change_is_copied_off_the_request_path(db, monkeypatch):
    _generated(db, n=30)
    engine.compute(db, "invention_grants", 2022)  # the copy holds these
    deferred: list[str] = []
    monkeypatch.setattr(analytic, "INLINE_ROWS", 5)
    monkeypatch.setattr(analytic, "_refresh_in_background", lambda _store, _session, ds: deferred.append(ds))
    _generated(db, n=10, seed=99)
    assert analytic.current(db, "real") is None and deferred == ["real"]
    fast, slow = _both(lambda: engine.compute(db, "invention_grants", 2022))  # answered row-level meanwhile
    assert fast == slow
    analytic.refresh(db, "real")  # what the background thread does
    assert analytic.current(db, "real") is _store(db)


@pytest.mark.parametrize("code", ["invention_grants", "valid_inventions", "high_value_inventions_per_10k"])
def test_empty_dataset(db, code):
    fast, slow = _both(lambda: (engine.compute(db, code, 2022, dataset="demo"),
                                engine.by_chain(db, code, 2022, dataset="demo")))
    assert fast == slow and fast[0].value is None


def test_the_prepared_matcher_is_the_navigation_rule():
    codes = [*CHAIN_CODES, "G06F", "G06F21/00", "A61K36", "A61K361/00", "A61K36/185", "H04W4/02", "H04W40/00",
             "G01S13/931", "G01S131/00", "C10G45/02", "B01D53/86", "B01D5/00", "H10B"]
    for chain in chain_store.default_chains():
        matches = chain_store.prefixes_matcher(chain.all_ipc_prefixes())
        for code in codes:
            assert matches(code) == any(chain_store.prefix_matches(p, code) for p in chain.all_ipc_prefixes()), \
                (chain.code, code)
