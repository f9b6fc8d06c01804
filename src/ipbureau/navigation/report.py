"""The patent navigation report of one industry chain (产业链专利导航报告), computed by the database.

Method: GB/T 39551《专利导航指南》 — industry → patent landscape → position → gaps → paths:

一、产业链与检索口径 (the chain's definition: segments, IPC prefixes, keywords)
二、专利态势 (filing and grant trends, Tianjin against the whole dataset; composition by
    segment, IPC subclass and main group; top applicants, key inventors; co-applicant network)
三、天津市及各区的产业链地位 (share, growth, specialisation index)
四、优势与短板 (segments where Tianjin's share is above / below its share of the chain)
五、高价值专利 (scored, model below)
六、发展路径建议 (for each gap: leading applicants outside Tianjin to cooperate with or bring in;
    for each strength: Tianjin's leading applicants to cultivate)

Membership is the statistics' rule (``stats.catalogue.ipc_prefix_condition``): a patent is in
the chain when any of its IPC codes falls under the chain's prefixes; see ``assignment`` for the
per-patent explanation with keywords. Patents are placed in time by filing date (申请量) and
grant announcement date (授权量), and in Tianjin / a district by the first applicant's address,
as the statistics do. Every figure is a GROUP BY over the patents, their IPC codes, applicants and
inventors; only the top rows come back. They are read from the statistics' analytic copy (DuckDB,
``stats.analytic``: the same copy, data stamp and freshness rule as the dashboard, so the report is never
older than the records the request sees) and, while the copy is being refreshed after a large import or
under ``analytic.row_level()``, from the record store (``patent``, ``patent_ipc``, ``patent_applicant``,
the inventors' JSON): the same queries, tested equal (``tests/navigation/test_report_analytic.py``).
One dataset at a time (real or demo), never mixed.

``build()`` returns ONE content model (sections of paragraphs, tables, charts and a network);
the page and ``to_docx()`` only lay it out, so they cannot disagree. ``figures`` holds the key
numbers as plain values (tests, saved project snapshots).

High-value score (0–100), from what the records hold:

* citations (被引证次数): 3 points each, at most 30;
* family size (同族专利数, the patent included): 5 points per further member, at most 20;
* legal status: 有权 25, 审中 10, otherwise 0;
* claims: the number of claims, counted as 1 + the occurrences of “权利要求” in the claims text
  (dependent claims cite “根据权利要求1所述”), 1.5 points each, at most 15. Most exports carry
  only the main claim (主权项), which then counts as 1 claim;
* use (运用): transferred, licensed or pledged at least once, 10.

A patent scoring ``HIGH_VALUE_SCORE`` or more is counted as high-value in this report (not the
CNIPA definition used by the statistics indicator ``high_value_inventions_per_10k``).
"""

from __future__ import annotations

import io
import math
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urlencode
from xml.sax.saxutils import escape

import numpy as np
from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Float,
    Integer,
    MetaData,
    Select,
    String,
    and_,
    case,
    cast,
    extract,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy import Table as SqlTable
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateTable

from ipbureau.core.errors import DomainError, NotFound
from ipbureau.enums import Dataset
from ipbureau.navigation.chains import IndustryChain, chain_by_code, load_chains, prefixes_matcher
from ipbureau.navigation.value import high_value_score
from ipbureau.patents.enums import LegalStatus, PatentType
from ipbureau.patents.models import PatentApplicant
from ipbureau.reference.address import TIANJIN_PROVINCE
from ipbureau.reference.service import district_map, ipc_titles
from ipbureau.stats import analytic
from ipbureau.stats.catalogue import PATENT, PATENT_IPC, ipc_prefix_condition
from ipbureau.stats.indicators import chain_condition
from ipbureau.stats.publication_lag import INCOMPLETE, publication_lag

DEFAULT_YEARS = 10
MAX_YEARS = 30
TOP = 10
TOP_IPC = 12
TOP_EDGES = 30
TOP_HIGH_VALUE = 15
HIGH_VALUE_SCORE = 50
# A segment is a strength when Tianjin's share in it is at least 10 % above its share of the
# chain, a gap when at least 10 % below (a band, so that noise is not called a position).
POSITION_BAND = 0.10
NO_DATA = "无数据"
APPLICANT_T = PatentApplicant.__table__


# --- the content model ------------------------------------------------------------------------


@dataclass
class Link:
    text: str
    href: str | None

    def __str__(self) -> str:
        return self.text


Cell = str | Link


@dataclass
class Paragraph:
    kind_name: ClassVar[str] = "paragraph"
    text: str
    style: str = "body"  # body | note


@dataclass
class Table:
    kind_name: ClassVar[str] = "table"
    title: str
    header: list[str]
    rows: list[list[Cell]]
    note: str = ""


@dataclass
class Chart:
    kind_name: ClassVar[str] = "chart"
    title: str
    kind: str  # column | line | barh
    labels: list[str]
    values: list[int | float | None]
    unit: str
    links: list[str | None] | None = None
    # Per label: the period is not yet fully published (drawn hatched, labelled 数据未完整公开).
    incomplete: list[bool] | None = None

    @property
    def has_data(self) -> bool:
        return any(v for v in self.values)


@dataclass
class Network:
    kind_name: ClassVar[str] = "network"
    title: str
    nodes: list[tuple[str, int]]  # (applicant, degree)
    edges: list[tuple[str, str, int]]  # (applicant, applicant, joint patents)


Block = Paragraph | Table | Chart | Network


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class NavigationReport:
    chain_code: str
    chain_name: str
    dataset: str
    year_from: int
    year_to: int
    generated_on: date
    total: int  # chain patents filed in the years
    figures: dict[str, Any]
    sections: list[Section]

    @property
    def empty(self) -> bool:
        return self.total == 0

    @property
    def title(self) -> str:
        return f"天津市{self.chain_name}产业链专利导航报告"

    @property
    def demo(self) -> bool:
        return self.dataset == Dataset.DEMO.value

    def blocks(self) -> list[Block]:
        return [b for s in self.sections for b in s.blocks]


# --- helpers ----------------------------------------------------------------------------------


def fmt(value: int | float | None, digits: int = 1) -> str:
    if value is None:
        return NO_DATA
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def pct(value: float | None) -> str:
    return NO_DATA if value is None else f"{value * 100:.1f}%"


def ratio(part: int | float, whole: int | float) -> float | None:
    return part / whole if whole else None


def growth(current: int, previous: int) -> float | None:
    return (current - previous) / previous if previous else None


def _year(column: ColumnElement) -> ColumnElement[int]:
    return cast(extract("year", column), PATENT.c.citation_count.type)


def _main_group(dialect: str, code: ColumnElement[str]) -> ColumnElement[str]:
    """``G06F21/60`` → ``G06F21/00`` in SQL (SQLite ``instr``, PostgreSQL and DuckDB ``strpos``)."""
    slash = func.strpos(code, "/") if dialect == "postgresql" else func.instr(code, "/")
    return func.substr(code, 1, slash - 1).concat("/00")


def _inventor_names(dialect: str, inventors: ColumnElement):
    """A table-valued function over a JSON list of inventors (``patent.inventors``) yielding ``value``."""
    if dialect == "postgresql":
        return func.json_array_elements_text(inventors).table_valued("value")
    return func.json_each(inventors).table_valued("value")


def indexed_prefix_condition(prefixes: Sequence[str]) -> ColumnElement[bool]:
    """``stats.catalogue.ipc_prefix_condition`` (the statistics' membership rule, same rows),
    written so that every alternative can use the ``subclass`` or ``code`` index instead of a
    scan of ``patent_ipc``: a main group ``G06F21/00`` also names its subclass
    (``subclass = 'G06F' AND code LIKE 'G06F21/%'``; the subclass is always the code's first
    four characters), so the database looks up the few rows of that subclass."""
    prefixes = list(prefixes)
    if not prefixes:
        return false()
    ipc = PATENT_IPC.c
    groups = sorted({p.split("/")[0] for p in prefixes if "/" in p and p.endswith("/00") and len(p.split("/")[0]) >= 4})
    others = [p for p in prefixes if not ("/" in p and p.endswith("/00") and len(p.split("/")[0]) >= 4)]
    parts: list[ColumnElement[bool]] = [and_(ipc.subclass == g[:4], ipc.code.like(f"{g}/%")) for g in groups]
    if others:
        parts.append(ipc_prefix_condition(others))
    return or_(*parts)


def default_years(session: Session, dataset: str, today: date | None = None) -> tuple[int, int]:
    """The last ``DEFAULT_YEARS`` filing years of the dataset (ending with its latest filing year)."""
    latest = session.scalar(select(func.max(PATENT.c.filing_date)).where(PATENT.c.dataset == dataset))
    if isinstance(latest, str):  # SQLite may hand back text from an aggregate
        latest = date.fromisoformat(latest[:10])
    end = latest.year if latest else (today or date.today()).year
    return end - DEFAULT_YEARS + 1, end


def check_years(year_from: int, year_to: int) -> None:
    for label, y in (("起始年份", year_from), ("截止年份", year_to)):
        if not 1985 <= y <= 2100:
            raise DomainError(f"{label}应在 1985 到 2100 之间：{y}")
    if year_from > year_to:
        raise DomainError("起始年份不能晚于截止年份")
    if year_to - year_from + 1 > MAX_YEARS:
        raise DomainError(f"年份范围最多 {MAX_YEARS} 年")


class _Links:
    """/search URLs listing exactly the patents behind a figure (the search's filters)."""

    def __init__(self, chain: str, dataset: str, year_from: int, year_to: int) -> None:
        self.base = {"chain": chain, "dataset": dataset}
        self.filing = {"filing_from": f"{year_from}-01-01", "filing_to": f"{year_to}-12-31"}

    def filed(self, *, year: int | None = None, tianjin: bool = False, district: str | None = None,
              **extra: str) -> str:
        params = dict(self.base)
        params.update({"filing_from": f"{year}-01-01", "filing_to": f"{year}-12-31"} if year else self.filing)
        if district:
            params["district_code"] = district
        elif tianjin:
            params["province_code"] = TIANJIN_PROVINCE
        params.update(extra)
        return f"/search?{urlencode(params)}"

    def granted(self, year: int, *, tianjin: bool = False) -> str:
        params = dict(self.base, grant_from=f"{year}-01-01", grant_to=f"{year}-12-31")
        if tianjin:
            params["province_code"] = TIANJIN_PROVINCE
        return f"/search?{urlencode(params)}"

    def patent(self, patent_id: int) -> str:
        return f"/patents/{patent_id}"


# --- computing ---------------------------------------------------------------------------------


def build(session: Session, chain_code: str, *, dataset: str | Dataset = Dataset.REAL, year_from: int | None = None,
          year_to: int | None = None, today: date | None = None) -> NavigationReport:
    chain = chain_by_code(chain_code, session)
    if chain is None:
        raise NotFound(f"产业链“{chain_code}”")
    ds = Dataset(dataset).value if dataset in (Dataset.REAL.value, Dataset.DEMO.value) else None
    if ds is None:
        raise DomainError(f"数据类别应为 real 或 demo：{dataset}")
    if year_from is None or year_to is None:
        d_from, d_to = default_years(session, ds, today)
        year_from = d_from if year_from is None else year_from
        year_to = d_to if year_to is None else year_to
    check_years(year_from, year_to)
    store = analytic.current(session, ds)
    builder = _Builder(session, chain, ds, year_from, year_to, today or date.today(), store)
    if store is None:
        return builder.build()
    with store.lock:  # one data version for the whole report: no refresh may land between its queries
        if store.matches(ds, analytic.stamp(session, ds), load_chains(session)):
            return builder.build()
    return _Builder(session, chain, ds, year_from, year_to, today or date.today()).build()


# The content model of recent reports, so that the Word export right after the page (or a
# second look at the page) lays out the model already computed instead of computing it again.
# Keyed by everything the figures depend on: database, chain definition, dataset, years, day,
# and the dataset's data stamp (patent count, largest id, latest update: ``stats.analytic.stamp``, the one the
# analytic copy is judged by, read once per transaction).
# Kept briefly (CACHE_SECONDS) because an edit of a patent's applicants or IPC codes alone
# does not move the stamp.
CACHE_SECONDS = 300
CACHE_SIZE = 8
_report_cache: OrderedDict[tuple, tuple[float, NavigationReport]] = OrderedDict()
_report_cache_lock = threading.Lock()


def build_cached(session: Session, chain_code: str, *, dataset: str | Dataset = Dataset.REAL,
                 year_from: int | None = None, year_to: int | None = None,
                 today: date | None = None) -> NavigationReport:
    """``build()``, reusing a model built for the same key within ``CACHE_SECONDS``. Nothing is written to the
    database: the cache is this process's memory, and the build's scratch tables are temporary ones of the
    request's own connection, dropped before it returns."""
    chain = chain_by_code(chain_code, session)
    ds = dataset.value if isinstance(dataset, Dataset) else dataset
    if chain is None or ds not in (Dataset.REAL.value, Dataset.DEMO.value):
        return build(session, chain_code, dataset=dataset, year_from=year_from, year_to=year_to, today=today)
    day = today or date.today()
    key = (str(session.get_bind().engine.url), chain, ds, year_from, year_to, day, analytic.stamp(session, ds))
    now = time.monotonic()
    with _report_cache_lock:
        hit = _report_cache.get(key)
        if hit and now - hit[0] < CACHE_SECONDS:
            _report_cache.move_to_end(key)
            return hit[1]
    model = build(session, chain_code, dataset=ds, year_from=year_from, year_to=year_to, today=day)
    with _report_cache_lock:
        _report_cache[key] = (now, model)
        while len(_report_cache) > CACHE_SIZE:
            _report_cache.popitem(last=False)
    return model


def clear_cache() -> None:
    with _report_cache_lock:
        _report_cache.clear()


class _RecordStore:
    """Runs the report's queries on the request's session; the scratch tables are temporary tables of its
    connection (the row-level definition, and the fallback while the analytic copy is being refreshed)."""

    dialect = ""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.dialect = session.get_bind().dialect.name

    def rows(self, query: Any) -> Sequence[Any]:
        return self.s.execute(query).all()

    def create(self, table: SqlTable, query: Any | None = None) -> None:
        connection = self.s.connection()
        table.create(connection)
        if query is not None:
            connection.execute(insert(table).from_select([c.name for c in query.selected_columns], query))
            self.analyse(table)

    def execute(self, statement: Any) -> None:
        self.s.connection().execute(statement)

    def analyse(self, table: SqlTable) -> None:
        if self.dialect == "postgresql":  # temporary tables are never auto-analysed
            self.s.connection().exec_driver_sql(f"ANALYZE {table.name}")

    def drop(self, table: SqlTable) -> None:
        table.drop(self.s.connection())


class _Copy(_RecordStore):
    """The same queries run by DuckDB on the statistics' analytic copy (``stats.analytic``), which names the IPC
    and applicant tables as the record store does; the scratch tables are DuckDB temporary tables."""

    dialect = "postgresql"  # the copy's SQL is compiled as PostgreSQL's (DuckDB has strpos)

    def __init__(self, session: Session, store: analytic.Store) -> None:
        self.s, self.store = session, store

    def rows(self, query: Any) -> Sequence[Any]:
        return self.store.rows(query, cache=False)  # the scratch tables are the report's own: never asked again

    def create(self, table: SqlTable, query: Any | None = None) -> None:
        if query is None:
            self.store.execute(CreateTable(table))
        else:  # typed by the query: the members' JSON inventors are not copied (``analytic.INVENTOR`` is)
            self.store.execute(text(f"CREATE TEMPORARY TABLE {table.name} AS {self.store.sql(query)}"))

    def execute(self, statement: Any) -> None:
        self.store.execute(statement)

    def analyse(self, table: SqlTable) -> None:
        pass

    def drop(self, table: SqlTable) -> None:
        self.store.execute(text(f"DROP TABLE IF EXISTS {table.name}"))


class _Builder:
    """Computes the figures. The chain's patents of the dataset are found ONCE and copied with the few values
    the report needs (filing year within the range, grant year within the range, Tianjin, district, invention,
    value score, inventors) into a scratch table ``members``; their segments go into ``segment_members``. Every
    other query reads those two narrow tables (joined to ``patent_ipc`` / ``patent_applicant`` by patent id) and
    never the wide patent rows again.

    Where: on the statistics' analytic copy (DuckDB, ``stats.analytic``) when it holds exactly what the session
    sees — the same copy, data stamp and freshness rule as the dashboard — where membership is the stored chain
    bit and the value score the stored one; otherwise on the record store (index lookups on ``patent_ipc``, the
    score computed by ``high_value_score``, dataset-wide figures from one covering-index scan of
    ``ix_patent_dataset_filing_province_district``). Both run the same SQLAlchemy queries but for the inventors
    (the copy keeps them as rows, the record store in a JSON list) and the members' source."""

    def __init__(self, session: Session, chain: IndustryChain, dataset: str, year_from: int, year_to: int,
                 today: date, store: analytic.Store | None = None) -> None:
        self.s, self.chain, self.ds, self.y0, self.y1, self.today = session, chain, dataset, year_from, year_to, today
        self.engine: _RecordStore = _Copy(session, store) if store is not None else _RecordStore(session)
        self.start, self.end = date(year_from, 1, 1), date(year_to, 12, 31)
        suffix = uuid.uuid4().hex[:12]
        metadata = MetaData()
        self.members = SqlTable(
            f"nav_members_{suffix}", metadata,
            Column("patent_id", Integer, primary_key=True),
            Column("filed", Integer, nullable=False),  # 1: filed within the years
            Column("fyear", Integer),  # filing year when filed within the years
            Column("gyear", Integer),  # grant year when granted within the years
            Column("tj", Integer, nullable=False),  # 1: first applicant in Tianjin
            Column("district_code", String(6)),
            Column("invention", Integer, nullable=False),
            Column("score", Float, nullable=False),
            Column("inventors", JSON),
            prefixes=["TEMPORARY"])
        self.segment_members = SqlTable(
            f"nav_segments_{suffix}", metadata,
            Column("segment", Integer, primary_key=True), Column("patent_id", Integer, primary_key=True),
            prefixes=["TEMPORARY"])
        self.pairs = SqlTable(f"nav_pairs_{suffix}", metadata, Column("a", String(200)), Column("b", String(200)),
                              Column("n", Integer), prefixes=["TEMPORARY"])
        self.m = self.members.c
        self.links = _Links(chain.code, dataset, year_from, year_to)
        self.districts = district_map(session)
        # Filing counts mix the three kinds, so the invention rule (18 months) decides which years are incomplete;
        # growth, district growth and strengths/gaps use the complete years only (stats.publication_lag).
        self.lag = publication_lag(session, dataset, store=store)
        self.incomplete_years = self.lag.incomplete_years(range(year_from, year_to + 1))
        complete = [y for y in range(year_from, year_to + 1) if y not in self.incomplete_years]
        self.last_complete = complete[-1] if complete else None

    def _rows(self, query: Any) -> Sequence[Any]:
        return self.engine.rows(query)

    def _segment_member(self, segment: int) -> ColumnElement[bool]:
        sm = self.segment_members.c
        return self.m.patent_id.in_(select(sm.patent_id).where(sm.segment == segment))

    # -- filling the scratch tables --

    def _members_query(self) -> Select:
        """The chain's patents of the dataset with the values the report reads, from the copy or the record store."""
        copy = isinstance(self.engine, _Copy)
        t = analytic.FACT if copy else PATENT
        c, one = t.c, literal(1)
        in_years = and_(c.filing_date >= self.start, c.filing_date <= self.end)
        granted_in_years = and_(c.grant_date >= self.start, c.grant_date <= self.end)
        columns = [c.id.label("patent_id"), case((in_years, one), else_=0).label("filed"),
                   case((in_years, _year(c.filing_date))).label("fyear"),
                   case((granted_in_years, _year(c.grant_date))).label("gyear"),
                   case((c.province_code == TIANJIN_PROVINCE, one), else_=0).label("tj"), c.district_code,
                   case((c.patent_type == PatentType.INVENTION.value, one), else_=0).label("invention")]
        if copy:
            return select(*columns, c.value_score.label("score")).where(c.dataset == self.ds,
                                                                        chain_condition(self.chain, t))
        chain_ids = (select(PATENT_IPC.c.patent_id).where(indexed_prefix_condition(self.chain.all_ipc_prefixes()))
                     .distinct().subquery("chain_ids"))
        return (select(*columns, high_value_score().label("score"), c.inventors)
                .select_from(chain_ids.join(PATENT, c.id == chain_ids.c.patent_id)).where(c.dataset == self.ds))

    def _fill(self) -> None:
        self.engine.create(self.members, self._members_query())
        self.engine.create(self.segment_members)
        segments = [(i, segment.ipc_prefixes) for i, segment in enumerate(self.chain.segments) if segment.ipc_prefixes]
        if isinstance(self.engine, _Copy):
            self._fill_segments_on_copy(self.engine.store, segments)
            return
        ipc, m = PATENT_IPC.c, self.m
        for i, prefixes in segments:
            self.engine.execute(insert(self.segment_members).from_select(
                ["segment", "patent_id"], select(literal(i), ipc.patent_id).distinct()
                .select_from(PATENT_IPC.join(self.members, m.patent_id == ipc.patent_id))
                .where(m.filed == 1, indexed_prefix_condition(prefixes))))
        self.engine.analyse(self.segment_members)

    def _fill_segments_on_copy(self, store: analytic.Store, segments: list[tuple[int, tuple[str, ...]]]) -> None:
        """All segments in one join: the members' distinct codes (a few thousand) are matched to the segments in
        Python by the navigation rule, as the copy's chain bits are (``chains.prefixes_matcher``, tested equal to
        the row-level ``indexed_prefix_condition``), instead of one scan of the codes per segment."""
        ipc, m = PATENT_IPC.c, self.m
        members_ipc = PATENT_IPC.join(self.members, m.patent_id == ipc.patent_id)
        codes = [code for (code,) in store.rows(select(ipc.code).distinct().select_from(members_ipc)
                                                .where(m.filed == 1, ipc.code.is_not(None)), cache=False)]
        matchers = [(i, prefixes_matcher(prefixes)) for i, prefixes in segments]
        pairs = [(code, i) for code in codes for i, matches in matchers if matches(code)]
        found = SqlTable(f"nav_segment_codes_{self.members.name[-12:]}", MetaData(), Column("code", String),
                         Column("segment", Integer))
        columns = {"code": np.array([c for c, _ in pairs], dtype=object),
                   "segment": np.array([i for _, i in pairs], dtype=np.int64)}
        with store.registered(found.name, columns):
            store.execute(insert(self.segment_members).from_select(
                ["segment", "patent_id"], select(found.c.segment, ipc.patent_id).distinct()
                .select_from(members_ipc.join(found, found.c.code == ipc.code)).where(m.filed == 1)))

    # -- queries --

    def _dataset_filings(self) -> tuple[dict[int, tuple[int, int]], dict[str, int]]:
        """One scan (a covering index row-level): the dataset's filings by year (all, Tianjin) and Tianjin's by
        district."""
        t = (analytic.FACT if isinstance(self.engine, _Copy) else PATENT).c
        year = _year(t.filing_date)
        tj = case((t.province_code == TIANJIN_PROVINCE, literal(1)), else_=0)
        rows = self._rows(select(year, tj, t.district_code, func.count())
                          .where(t.dataset == self.ds, t.filing_date >= self.start, t.filing_date <= self.end)
                          .group_by(year, tj, t.district_code))
        by_year: dict[int, tuple[int, int]] = {}
        districts: dict[str, int] = {}
        for y, in_tj, district, n in rows:
            a, b = by_year.get(int(y), (0, 0))
            by_year[int(y)] = (a + int(n), b + (int(n) if in_tj else 0))
            if in_tj and district is not None:
                districts[district] = districts.get(district, 0) + int(n)
        return by_year, dict(sorted(districts.items()))

    def trends(self, dataset: dict[int, tuple[int, int]]) -> dict[str, Any]:
        m = self.m
        chain_rows = self._rows(select(m.fyear, func.count(), func.sum(m.tj)).where(m.filed == 1)
                                    .group_by(m.fyear))
        grows = self._rows(select(m.gyear, func.count(), func.sum(m.tj)).where(m.gyear.is_not(None))
                               .group_by(m.gyear))
        chain = {int(y): (int(a or 0), int(b or 0)) for y, a, b in chain_rows}
        granted = {int(y): (int(a or 0), int(b or 0)) for y, a, b in grows}
        years = list(range(self.y0, self.y1 + 1))
        return {
            "years": years,
            "dataset_filed": [dataset.get(y, (0, 0))[0] for y in years],
            "dataset_filed_tj": [dataset.get(y, (0, 0))[1] for y in years],
            "chain_filed": [chain.get(y, (0, 0))[0] for y in years],
            "chain_filed_tj": [chain.get(y, (0, 0))[1] for y in years],
            "chain_granted": [granted.get(y, (0, 0))[0] for y in years],
            "chain_granted_tj": [granted.get(y, (0, 0))[1] for y in years],
        }

    def by_district(self, totals: dict[str, int]) -> list[dict[str, Any]]:
        m, one = self.m, literal(1)
        last = self.last_complete if self.last_complete is not None else self.y1
        rows = self._rows(
            select(m.district_code, func.count(), func.sum(case((m.fyear == last, one), else_=0)),
                   func.sum(case((m.fyear == last - 1, one), else_=0)))
            .where(m.filed == 1, m.tj == 1, m.district_code.is_not(None)).group_by(m.district_code))
        chain = {code: (int(n or 0), int(last or 0), int(prev or 0)) for code, n, last, prev in rows}
        return [{"code": code, "name": self.districts.get(code, code), "total": int(total or 0),
                 "chain": chain.get(code, (0, 0, 0))[0], "last": chain.get(code, (0, 0, 0))[1],
                 "previous": chain.get(code, (0, 0, 0))[2]} for code, total in totals.items()]

    def by_segment(self) -> list[dict[str, Any]]:
        if not self.chain.segments:
            return []
        sm = self.segment_members.c
        # The counts over the complete filing years too: positions are judged on those only.
        complete = (self.m.fyear <= self.last_complete) if self.last_complete is not None else false()
        one = literal(1)
        rows = self._rows(select(sm.segment, func.count(), func.sum(self.m.tj),
                                     func.sum(case((complete, one), else_=0)),
                                     func.sum(case((and_(complete, self.m.tj == 1), one), else_=0)))
                              .select_from(self.segment_members.join(self.members, self.m.patent_id == sm.patent_id))
                              .group_by(sm.segment))
        counts = {int(i): (int(a or 0), int(t or 0), int(ac or 0), int(tc or 0)) for i, a, t, ac, tc in rows}
        return [{"index": i, "name": seg.name, "prefixes": list(seg.ipc_prefixes),
                 "all": counts.get(i, (0, 0, 0, 0))[0], "tj": counts.get(i, (0, 0, 0, 0))[1],
                 "all_complete": counts.get(i, (0, 0, 0, 0))[2], "tj_complete": counts.get(i, (0, 0, 0, 0))[3]}
                for i, seg in enumerate(self.chain.segments)]

    def by_ipc(self, level: str) -> list[dict[str, Any]]:
        m = self.m
        # ``subclass || ''``: as for applicants, so that the members drive the join (not the subclass index).
        key = PATENT_IPC.c.subclass.concat("") if level == "subclass" else _main_group(self.engine.dialect, PATENT_IPC.c.code)
        n_all = func.count(func.distinct(m.patent_id))
        n_tj = func.count(func.distinct(case((m.tj == 1, m.patent_id))))
        rows = self._rows(
            select(key.label("k"), n_all.label("n"), n_tj)
            .select_from(self.members.join(PATENT_IPC, PATENT_IPC.c.patent_id == m.patent_id))
            .where(m.filed == 1).group_by(key).order_by(n_all.desc(), key).limit(TOP_IPC))
        titles = ipc_titles(self.s, [r[0] for r in rows])
        return [{"code": code, "title": _ipc_title(titles.get(code)),
                 "all": int(a), "tj": int(t)} for code, a, t in rows]

    def applicants(self, *, tianjin: bool, limit: int = TOP,
                   extra: ColumnElement[bool] | None = None) -> list[dict[str, Any]]:
        m = self.m
        n = func.count(func.distinct(m.patent_id))
        inventions = func.count(func.distinct(case((m.invention == 1, m.patent_id))))
        where = [m.filed == 1]
        if tianjin:
            where.append(m.tj == 1)
        if extra is not None:
            where.append(extra)
        # Grouped by ``name || ''`` (the same value): grouping by the bare column lets SQLite walk
        # the whole name index in order and probe the members, instead of reading the members'
        # applicants by primary key (4 s against 0.3 s at 1M patents).
        name = APPLICANT_T.c.name.concat("")
        rows = self._rows(
            select(name.label("name"), n.label("n"), inventions)
            .select_from(self.members.join(APPLICANT_T, APPLICANT_T.c.patent_id == m.patent_id))
            .where(*where).group_by(name).order_by(n.desc(), name).limit(limit))
        return [{"name": name, "patents": int(a), "inventions": int(b)} for name, a, b in rows]

    def inventors(self, *, tianjin: bool) -> list[dict[str, Any]]:
        m = self.m
        n = func.count(func.distinct(m.patent_id))
        where = [m.filed == 1]
        if tianjin:
            where.append(m.tj == 1)
        if isinstance(self.engine, _Copy):  # one row per element of each patent's list, as json_each yields
            inventor = analytic.INVENTOR
            name, joined = inventor.c.name, self.members.join(inventor, inventor.c.patent_id == m.patent_id)
        else:
            names = _inventor_names(self.engine.dialect, m.inventors)
            name, joined = names.c.value, self.members.join(names, literal(True))
        rows = self._rows(select(name, n.label("n")).select_from(joined).where(*where).group_by(name)
                          .order_by(n.desc(), name).limit(TOP))
        return [{"name": name, "patents": int(count)} for name, count in rows if name]

    def network(self) -> tuple[list[tuple[str, str, int]], list[tuple[str, int, int]]]:
        """Co-applicant pairs (joint patents) and each applicant's degree (distinct partners)."""
        m = self.m
        a1, a2 = APPLICANT_T.alias("a1"), APPLICANT_T.alias("a2")
        low = case((a1.c.name < a2.c.name, a1.c.name), else_=a2.c.name)
        high = case((a1.c.name < a2.c.name, a2.c.name), else_=a1.c.name)
        pairs = (select(low.label("a"), high.label("b"), func.count(func.distinct(m.patent_id)).label("n"))
                 .select_from(self.members.join(a1, a1.c.patent_id == m.patent_id)
                              .join(a2, and_(a2.c.patent_id == m.patent_id, a1.c.position < a2.c.position)))
                 .where(m.filed == 1, a1.c.name != a2.c.name)
                 .group_by(low, high))
        # The pairs are computed once into a scratch table that the edges and the degrees read.
        self.engine.create(self.pairs)
        try:
            self.engine.execute(insert(self.pairs).from_select(["a", "b", "n"], pairs))
            return self._network_from(self.pairs)
        finally:
            self.engine.drop(self.pairs)

    def _network_from(self, pairs: SqlTable) -> tuple[list[tuple[str, str, int]], list[tuple[str, int, int]]]:
        edges = [(a, b, int(n)) for a, b, n in self._rows(
            select(pairs.c.a, pairs.c.b, pairs.c.n).order_by(pairs.c.n.desc(), pairs.c.a, pairs.c.b).limit(TOP_EDGES))]
        ends = union_all(select(pairs.c.a.label("name"), pairs.c.n.label("n")),
                         select(pairs.c.b.label("name"), pairs.c.n.label("n"))).subquery("ends")
        degree = func.count()
        nodes = [(name, int(d), int(w)) for name, d, w in self._rows(
            select(ends.c.name, degree.label("d"), func.sum(ends.c.n)).group_by(ends.c.name)
            .order_by(degree.desc(), ends.c.name).limit(TOP))]
        return edges, nodes

    def high_value(self) -> tuple[dict[str, int], list[dict[str, Any]]]:
        m, one = self.m, literal(1)
        high = m.score >= HIGH_VALUE_SCORE
        counts = self._rows(select(func.sum(case((high, one), else_=0)),
                                   func.sum(case((and_(high, m.tj == 1), one), else_=0))).where(m.filed == 1))[0]
        ranked = self._rows(select(m.patent_id, m.score).where(m.filed == 1, m.tj == 1)
                            .order_by(m.score.desc(), m.patent_id).limit(TOP_HIGH_VALUE))
        # The displayed fields of those few patents, from the record store (the copy holds no titles).
        first = (select(APPLICANT_T.c.name).where(APPLICANT_T.c.patent_id == PATENT.c.id)
                 .order_by(APPLICANT_T.c.position).limit(1).scalar_subquery())
        p = PATENT.c
        details = {r[0]: r for r in self.s.execute(
            select(p.id, p.application_no, p.title, first, p.citation_count, p.family_size, p.legal_status,
                   p.patent_type).where(p.id.in_([patent_id for patent_id, _ in ranked])))}
        top = []
        for patent_id, score in ranked:
            r = details[patent_id]
            top.append({"id": r[0], "application_no": r[1], "title": r[2], "applicant": r[3] or "", "citations": r[4],
                        "family": r[5],
                        "status": LegalStatus(r[6]).label if r[6] in LegalStatus._value2member_map_ else r[6],
                        "type": PatentType(r[7]).label if r[7] in PatentType._value2member_map_ else r[7],
                        "score": round(float(score), 1)})
        return {"all": int(counts[0] or 0), "tj": int(counts[1] or 0)}, top

    # -- assembling --

    def build(self) -> NavigationReport:
        try:
            self._fill()
            return self._build()
        finally:
            self.engine.drop(self.segment_members)
            self.engine.drop(self.members)

    def _build(self) -> NavigationReport:
        dataset_by_year, district_totals = self._dataset_filings()
        t = self.trends(dataset_by_year)
        chain_total, chain_tj = sum(t["chain_filed"]), sum(t["chain_filed_tj"])
        figures: dict[str, Any] = {
            "chain_total": chain_total, "chain_tj": chain_tj,
            "dataset_total": sum(t["dataset_filed"]), "dataset_tj": sum(t["dataset_filed_tj"]),
            "granted_total": sum(t["chain_granted"]), "granted_tj": sum(t["chain_granted_tj"]),
            "trends": t,
        }
        figures["tj_share"] = ratio(chain_tj, chain_total)
        figures["tj_overall_share"] = ratio(figures["dataset_tj"], figures["dataset_total"])
        figures["chain_share_of_dataset"] = ratio(chain_total, figures["dataset_total"])
        figures["specialisation"] = (ratio(figures["tj_share"], figures["tj_overall_share"])
                                     if figures["tj_share"] is not None and figures["tj_overall_share"] else None)
        # Growth compares the last year whose filings are fully published with the year before; a lagging
        # year is never compared (it would read as a fall).
        figures["incomplete_years"] = list(self.incomplete_years)
        figures["growth_year"] = self.last_complete
        figures["publication_lag"] = {
            "latest_publication": self.lag.latest_publication.isoformat() if self.lag.latest_publication else None,
            "months": self.lag.months, "cutoff": self.lag.cutoff.isoformat() if self.lag.cutoff else None}
        figures["growth"] = figures["growth_tj"] = None
        if self.last_complete is not None and self.last_complete - 1 >= self.y0:
            i = self.last_complete - self.y0
            figures["growth"] = growth(t["chain_filed"][i], t["chain_filed"][i - 1])
            figures["growth_tj"] = growth(t["chain_filed_tj"][i], t["chain_filed_tj"][i - 1])
        complete = [i for i, y in enumerate(t["years"]) if y not in self.incomplete_years]
        figures["tj_share_complete"] = ratio(sum(t["chain_filed_tj"][i] for i in complete),
                                             sum(t["chain_filed"][i] for i in complete))
        sections = [self._definition_section()]
        report = NavigationReport(self.chain.code, self.chain.name, self.ds, self.y0, self.y1, self.today,
                                  chain_total, figures, sections)
        if chain_total == 0:
            sections.append(Section("二、专利态势", [Paragraph(
                f"{self.y0}—{self.y1} 年本数据集中没有属于{self.chain.name}产业链的专利"
                f"（{'演示' if self.ds == 'demo' else '真实'}数据共 {fmt(figures['dataset_total'])} 件），"
                "无法开展态势、地位与短板分析。请检查产业链的 IPC 范围，或导入相关专利后再生成报告。")]))
            figures.update(segments=[], districts=[], subclasses=[], groups=[], applicants=[], applicants_tj=[],
                           inventors=[], inventors_tj=[], edges=[], nodes=[], high_value={"all": 0, "tj": 0},
                           high_value_top=[], strengths=[], gaps=[])
            return report
        figures["segments"] = self._segments_with_position(self.by_segment(), figures["tj_share_complete"])
        figures["districts"] = self._district_rows(self.by_district(district_totals), figures)
        figures["subclasses"], figures["groups"] = self.by_ipc("subclass"), self.by_ipc("group")
        figures["applicants"] = self.applicants(tianjin=False)
        figures["applicants_tj"] = self.applicants(tianjin=True)
        figures["inventors"], figures["inventors_tj"] = self.inventors(tianjin=False), self.inventors(tianjin=True)
        figures["edges"], figures["nodes"] = self.network()
        figures["high_value"], figures["high_value_top"] = self.high_value()
        figures["strengths"] = [s for s in figures["segments"] if s["position"] == "优势"]
        figures["gaps"] = [s for s in figures["segments"] if s["position"] == "短板"]
        sections += [self._landscape_section(figures), self._position_section(figures),
                     self._gaps_section(figures), self._high_value_section(figures), self._paths_section(figures)]
        return report

    def _segments_with_position(self, segments: list[dict[str, Any]], tj_share: float | None) -> list[dict[str, Any]]:
        """``tj_share``: Tianjin's share of the chain over the complete filing years; each segment's position
        compares its own share over the same years (incomplete years are left out of the judgement)."""
        for seg in segments:
            seg["tj_share"] = ratio(seg["tj"], seg["all"])
            seg["tj_share_complete"] = own = ratio(seg["tj_complete"], seg["all_complete"])
            if own is None or tj_share is None:
                seg["position"] = "无数据"
            elif own >= tj_share * (1 + POSITION_BAND) and seg["tj_complete"] > 0:
                seg["position"] = "优势"
            elif own <= tj_share * (1 - POSITION_BAND):
                seg["position"] = "短板"
            else:
                seg["position"] = "持平"
        return segments

    def _district_rows(self, rows: list[dict[str, Any]], figures: dict[str, Any]) -> list[dict[str, Any]]:
        base = figures["chain_share_of_dataset"]
        for row in rows:
            row["share_of_city"] = ratio(row["chain"], figures["chain_tj"])
            own = ratio(row["chain"], row["total"])
            row["specialisation"] = own / base if own is not None and base else None
            row["growth"] = growth(row["last"], row["previous"])
        rows.sort(key=lambda r: (-r["chain"], r["code"]))
        return [r for r in rows if r["chain"] or r["total"]]

    # -- sections --

    def _definition_section(self) -> Section:
        c = self.chain
        rows: list[list[Cell]] = [["（产业链整体）", "、".join(c.ipc_prefixes) or "—", "、".join(c.keywords)]]
        rows += [[s.name, "、".join(s.ipc_prefixes), "、".join(s.keywords)] for s in c.segments]
        return Section("一、产业链与检索口径", [
            Paragraph(f"本报告按 GB/T 39551《专利导航指南》的方法，对{c.name}产业链开展“产业—专利态势—地位—短板—路径”分析。"
                      f"统计范围：{'演示' if self.ds == 'demo' else '真实'}数据，申请日在 {self.y0}—{self.y1} 年的专利"
                      f"（授权量按授权公告日计）。"),
            Paragraph("归属规则：专利的任一 IPC 分类号落入产业链（或其细分环节）的 IPC 范围即计入本产业链，与统计分析和专利检索的"
                      "产业链口径一致；关键词用于逐件说明与佐证（见专利详情的归属说明）。地区按第一申请人地址归属。", "note"),
            Table("表 1  产业链细分环节、IPC 范围与关键词", ["细分环节", "IPC 范围", "关键词"], rows),
        ])

    def _landscape_section(self, f: dict[str, Any]) -> Section:
        t, links = f["trends"], self.links
        years = [str(y) for y in t["years"]]
        lagging = [y in self.incomplete_years for y in t["years"]]
        trend_rows: list[list[Cell]] = []
        for i, y in enumerate(t["years"]):
            trend_rows.append([f"{y}（{INCOMPLETE}）" if lagging[i] else str(y), Link(fmt(t["chain_filed"][i]), links.filed(year=y)),
                               Link(fmt(t["chain_filed_tj"][i]), links.filed(year=y, tianjin=True)),
                               pct(ratio(t["chain_filed_tj"][i], t["chain_filed"][i])),
                               Link(fmt(t["chain_granted"][i]), links.granted(y)),
                               Link(fmt(t["chain_granted_tj"][i]), links.granted(y, tianjin=True)),
                               fmt(t["dataset_filed"][i])])
        seg_rows: list[list[Cell]] = [[s["name"], "、".join(s["prefixes"]), fmt(s["all"]), fmt(s["tj"]),
                                       pct(s["tj_share"])] for s in f["segments"]]
        sub_rows: list[list[Cell]] = [[Link(r["code"], links.filed(ipc=r["code"])), r["title"],
                                       fmt(r["all"]), Link(fmt(r["tj"]), links.filed(tianjin=True, ipc=r["code"]))]
                                      for r in f["subclasses"]]
        group_rows: list[list[Cell]] = [[Link(r["code"], links.filed(ipc=r["code"])), r["title"], fmt(r["all"]),
                                         fmt(r["tj"])] for r in f["groups"]]

        def applicant_rows(rows: list[dict[str, Any]], tianjin: bool) -> list[list[Cell]]:
            return [[str(i), Link(r["name"], links.filed(tianjin=tianjin, applicant=r["name"])), fmt(r["patents"]),
                     fmt(r["inventions"])] for i, r in enumerate(rows, start=1)]

        return Section("二、专利态势", [
            Paragraph(f"{self.y0}—{self.y1} 年，本数据集中{self.chain.name}产业链专利申请 {fmt(f['chain_total'])} 件，"
                      f"占全部专利申请（{fmt(f['dataset_total'])} 件）的 {pct(f['chain_share_of_dataset'])}；"
                      f"其中天津市 {fmt(f['chain_tj'])} 件，占 {pct(f['tj_share'])}。同期授权 {fmt(f['granted_total'])} 件，"
                      f"天津市 {fmt(f['granted_tj'])} 件。" + self._growth_sentence(f)),
            Paragraph(self.lag.statement(), "note"),
            Chart(f"图 1  {self.chain.name}产业链专利申请量（全部）", "column", years, list(t["chain_filed"]), "件",
                  [links.filed(year=y) for y in t["years"]], lagging),
            Chart(f"图 2  {self.chain.name}产业链专利申请量（天津市）", "column", years, list(t["chain_filed_tj"]), "件",
                  [links.filed(year=y, tianjin=True) for y in t["years"]], lagging),
            Chart(f"图 3  {self.chain.name}产业链专利授权量（全部）", "line", years, list(t["chain_granted"]), "件"),
            Table("表 2  逐年申请与授权", ["年份", "申请量", "天津申请量", "天津占比", "授权量", "天津授权量", "数据集全部申请"],
                  trend_rows, note=f"标注“{INCOMPLETE}”的年份：申请尚未全部公开，数字偏低不代表申请减少。"),
            Chart("图 4  细分环节专利申请量", "barh", [s["name"] for s in f["segments"]], [s["all"] for s in f["segments"]],
                  "件"),
            Table("表 3  技术构成：细分环节", ["细分环节", "IPC 范围", "申请量", "天津", "天津占比"], seg_rows,
                  note="一件专利可属于多个细分环节，各环节之和可大于产业链合计。"),
            Table(f"表 4  技术构成：IPC 小类（前 {TOP_IPC}）", ["小类", "名称", "申请量", "天津"], sub_rows,
                  note="按专利的全部 IPC 分类号计：含该小类分类号的本产业链专利件数。"),
            Table(f"表 5  技术构成：IPC 大组（前 {TOP_IPC}）", ["大组", "名称", "申请量", "天津"], group_rows),
            Table(f"表 6  主要申请人（全部，前 {TOP}）", ["排名", "申请人", "申请量", "其中发明"],
                  applicant_rows(f["applicants"], False)),
            Table(f"表 7  天津市主要申请人（前 {TOP}）", ["排名", "申请人", "申请量", "其中发明"],
                  applicant_rows(f["applicants_tj"], True)),
            Table(f"表 8  核心发明人（前 {TOP}）", ["排名", "发明人（全部）", "专利数", "发明人（天津市）", "专利数"],
                  _side_by_side(f["inventors"], f["inventors_tj"]),
                  note="按姓名计，同名的不同发明人无法区分。"),
            Network("图 5  申请人合作网络（共同申请）", [(name, d) for name, d, _w in f["nodes"]], f["edges"]),
            Table(f"表 9  合作最多的申请人组合（前 {TOP_EDGES}）", ["申请人", "合作申请人", "共同申请量"],
                  [[a, b, fmt(n)] for a, b, n in f["edges"]]),
            Table(f"表 10  合作伙伴最多的申请人（前 {TOP}）", ["申请人", "合作伙伴数（度）", "共同申请量"],
                  [[name, fmt(d), fmt(w)] for name, d, w in f["nodes"]]),
        ])

    def _position_section(self, f: dict[str, Any]) -> Section:
        rows: list[list[Cell]] = [[
            Link(r["name"], self.links.filed(district=r["code"])), fmt(r["chain"]), pct(r["share_of_city"]),
            fmt(r["total"]), fmt(r["specialisation"], 2), f"{fmt(r['previous'])} → {fmt(r['last'])}",
            _growth_text(r["growth"])] for r in f["districts"]]
        return Section("三、天津市及各区的产业链地位", [
            Paragraph(f"天津市在本产业链专利申请中占 {pct(f['tj_share'])}，在数据集全部专利申请中占 {pct(f['tj_overall_share'])}；"
                      f"专业化指数（天津本产业链占比 ÷ 天津全部专利占比）为 {fmt(f['specialisation'], 2)}，"
                      + ("大于 1，说明本产业链是天津相对集中的技术领域。" if (f["specialisation"] or 0) > 1 else
                         "不大于 1，说明天津在本产业链的专利布局相对其整体水平偏弱。")),
            Chart("图 6  各区本产业链专利申请量", "barh", [r["name"] for r in f["districts"]],
                  [r["chain"] for r in f["districts"]], "件", [self.links.filed(district=r["code"]) for r in f["districts"]]),
            Table("表 11  各区地位", ["区", "申请量", "占全市本产业链", "本区全部申请", "专业化指数",
                                  self._growth_header(), "增长"], rows,
                  note="专业化指数 = 本区本产业链申请占本区全部申请的比例 ÷ 数据集中本产业链申请占全部申请的比例；"
                       "大于 1 表示该区相对集中于本产业链。"),
        ])

    def _gaps_section(self, f: dict[str, Any]) -> Section:
        strengths = "、".join(s["name"] for s in f["strengths"]) or "无"
        gaps = "、".join(s["name"] for s in f["gaps"]) or "无"
        share = f["tj_share_complete"]
        rows: list[list[Cell]] = [[s["name"], fmt(s["all_complete"]), fmt(s["tj_complete"]), pct(s["tj_share_complete"]), s["position"]]
                for s in f["segments"]]
        if self.last_complete is None:
            basis = f"{self.y0}—{self.y1} 年的申请均{INCOMPLETE}，不作优势与短板判断。"
        else:
            basis = f"判断依据申请日在 {self.y0}—{self.last_complete} 年、已完整公开的专利"
            basis += (f"；{_years_text(self.incomplete_years)}{INCOMPLETE}，不计入。" if self.incomplete_years else "。")
        return Section("四、优势与短板", [
            Paragraph(f"以天津市在本产业链的整体占比 {pct(share)} 为基准，细分环节占比高出 {int(POSITION_BAND * 100)}% 以上为优势，"
                      f"低出 {int(POSITION_BAND * 100)}% 以上为短板。优势环节：{strengths}；短板环节：{gaps}。{basis}"),
            Table("表 12  细分环节的天津占比与判定（已完整公开的申请年份）", ["细分环节", "申请量", "天津", "天津占比", "判定"], rows),
        ])

    def _growth_sentence(self, f: dict[str, Any]) -> str:
        """The year-on-year statement, on the last complete year only, and which years are left out and why."""
        lagging = (f"{_years_text(self.incomplete_years)}的申请{INCOMPLETE}（按 {self.lag.months} 个月公开滞后规则），"
                   "不作同比判断。") if self.incomplete_years else ""
        year = f["growth_year"]
        if year is None or year - 1 < self.y0:
            return lagging or "统计范围不足两年，不计算同比。"
        return (f"{year} 年申请量同比{_growth_text(f['growth'])}，天津市同比{_growth_text(f['growth_tj'])}。" + lagging)

    def _growth_header(self) -> str:
        year = self.last_complete if self.last_complete is not None else self.y1
        return f"{year - 1}→{year}"

    def _high_value_section(self, f: dict[str, Any]) -> Section:
        rows: list[list[Cell]] = [[Link(r["application_no"], self.links.patent(r["id"])), r["title"], r["applicant"],
                                   r["type"], r["status"], fmt(r["citations"]), fmt(r["family"]), fmt(r["score"])]
                                  for r in f["high_value_top"]]
        hv = f["high_value"]
        return Section("五、高价值专利", [
            Paragraph(f"按本报告的价值评分（满分 100，{HIGH_VALUE_SCORE} 分及以上计为高价值），本产业链高价值专利 {fmt(hv['all'])} 件，"
                      f"其中天津市 {fmt(hv['tj'])} 件（{pct(ratio(hv['tj'], hv['all']))}）。"),
            Paragraph("评分模型：被引证次数每次 3 分（至多 30）；同族专利数每多一件 5 分（至多 20）；法律状态有权 25 分、审中 10 分；"
                      "权利要求数（1 + 权利要求文本中“权利要求”的出现次数，多数导出只有主权项，计为 1 项）每项 1.5 分（至多 15）；"
                      "发生过转让、许可或质押 10 分。", "note"),
            Table(f"表 13  天津市高价值专利（前 {TOP_HIGH_VALUE}）", ["申请号", "名称", "第一申请人", "类型", "法律状态", "被引",
                                                          "同族", "评分"], rows),
        ])

    def _paths_section(self, f: dict[str, Any]) -> Section:
        blocks: list[Block] = []
        rows: list[list[Cell]] = []
        for seg in f["gaps"]:
            leaders = self.applicants(tianjin=False, limit=3,
                                      extra=and_(self._segment_member(seg["index"]), self.m.tj == 0))
            names = "、".join(r["name"] for r in leaders) or "—"
            rows.append([seg["name"], "短板", f"补链：引进或合作，可对接市外领先申请人 {names}"])
        for seg in f["strengths"]:
            leaders = self.applicants(tianjin=True, limit=3, extra=self._segment_member(seg["index"]))
            names = "、".join(r["name"] for r in leaders) or "—"
            rows.append([seg["name"], "优势", f"强链：培育本市骨干创新主体 {names}，布局高价值专利组合"])
        if rows:
            blocks.append(Table("表 14  发展路径建议", ["细分环节", "判定", "建议"], rows,
                                note="建议由数据生成，供导航分析人员结合产业调研修订。"))
        else:
            blocks.append(Paragraph("各细分环节天津占比与整体持平，未识别出明显的优势或短板环节。"))
        strong_districts = [r["name"] for r in f["districts"] if (r["specialisation"] or 0) > 1 and r["chain"] >= 5][:5]
        if strong_districts:
            blocks.append(Paragraph(f"集聚区：{'、'.join(strong_districts)}的专业化指数大于 1，可作为本产业链专利导航服务与"
                                    "产业基地建设的重点区域。"))
        return Section("六、发展路径建议", blocks)


def _ipc_title(entry: Any) -> str:
    if entry is None:
        return ""
    # Some titles of the Chinese source end in stray edition fields (",20060101,20220101]").
    title = re.sub(r",\d{8}.*$", "", entry.title_zh or entry.title_en or "")
    return title if len(title) <= 40 else title[:39] + "…"


def _years_text(years: Sequence[int]) -> str:
    """2025、2026 年 (consecutive years as 2024—2026 年)."""
    if not years:
        return ""
    if len(years) > 2 and years[-1] - years[0] == len(years) - 1:
        return f"{years[0]}—{years[-1]} 年"
    return "、".join(str(y) for y in years) + " 年"


def _growth_text(value: float | None) -> str:
    if value is None:
        return "无法计算（上年为 0）"
    return f"{'增长' if value >= 0 else '下降'} {abs(value) * 100:.1f}%"


def _side_by_side(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else None
        b = right[i] if i < len(right) else None
        rows.append([str(i + 1), a["name"] if a else "", fmt(a["patents"]) if a else "", b["name"] if b else "",
                     fmt(b["patents"]) if b else ""])
    return rows


def key_figures(report: NavigationReport) -> dict[str, Any]:
    """The headline numbers kept with a delivered project (JSON-safe)."""
    f = report.figures
    return {"year_from": report.year_from, "year_to": report.year_to, "dataset": report.dataset,
            "chain_total": f["chain_total"], "chain_tj": f["chain_tj"], "granted_total": f["granted_total"],
            "granted_tj": f["granted_tj"], "tj_share": f["tj_share"], "specialisation": f["specialisation"],
            "strengths": [s["name"] for s in f.get("strengths", [])], "gaps": [s["name"] for s in f.get("gaps", [])],
            "generated_on": report.generated_on.isoformat()}


# --- the network as SVG ---------------------------------------------------------------------------------


def network_svg(network: Network, *, size: int = 560) -> str:
    """Applicants on a circle (largest degree first, clockwise from the top), edges as lines
    whose width grows with the joint patents; node labels are text."""
    names = [n for n, _ in network.nodes]
    for a, b, _n in network.edges:
        for name in (a, b):
            if name not in names:
                names.append(name)
    names = names[:24]
    if not names:
        return ""
    cx = cy = size / 2
    radius = size / 2 - 120
    pos = {name: (cx + radius * math.sin(2 * math.pi * i / len(names)), cy - radius * math.cos(2 * math.pi * i / len(names)))
           for i, name in enumerate(names)}
    degree = dict(network.nodes)
    top = max((n for _a, _b, n in network.edges), default=1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart network" role="img" viewBox="0 0 {size} {size}" '
           f'width="100%" font-size="11"><title>{escape(network.title)}</title>']
    for a, b, n in network.edges:
        if a in pos and b in pos:
            (x1, y1), (x2, y2) = pos[a], pos[b]
            out.append(f'<line class="edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#1d4ed8" '
                       f'stroke-opacity="0.5" stroke-width="{1 + 4 * n / top:.1f}"><title>{escape(a)} — {escape(b)}：{n}'
                       f'</title></line>')
    for name, (x, y) in pos.items():
        r = 4 + min(degree.get(name, 1), 10)
        anchor = "start" if x >= cx else "end"
        dx = r + 3 if x >= cx else -(r + 3)
        out.append(f'<circle class="node" cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="#e06c5f"><title>{escape(name)}'
                   f'</title></circle><text x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" fill="#1f2328">'
                   f'{escape(name[:14])}</text>')
    out.append("</svg>")
    return "".join(out)


# --- Word -------------------------------------------------------------------------------------------------


def to_docx(report: NavigationReport) -> bytes:
    """The report as Word: the same sections, tables and charts (PNG, drawn as the white paper's)."""
    # Imported on use, by the export only: python-docx, and the white paper (its charts and fonts), which loads the
    # whole statistics engine (about a second).
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    from ipbureau.stats import whitepaper

    doc = Document()

    east_asian = whitepaper.set_east_asian_font

    east_asian(doc.styles["Normal"], "宋体")
    doc.styles["Normal"].font.size = Pt(11)
    for level in (0, 1):
        style = doc.styles["Title" if level == 0 else "Heading 1"]
        east_asian(style, "黑体")
        style.font.color.rgb = RGBColor(0, 0, 0)
    props = doc.core_properties
    props.title, props.author, props.language = report.title, "天津市知识产权局", "zh-CN"
    head = doc.sections[0].header.paragraphs[0]
    head.text = report.title + ("（演示数据）" if report.demo else "")
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading(report.title, level=0)
    meta = doc.add_paragraph(f"统计范围：{report.year_from}—{report.year_to} 年 · "
                             f"{'演示数据' if report.demo else '真实数据'} · 生成日期 {report.generated_on.isoformat()}")
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if report.demo:
        doc.add_paragraph("本报告依据系统生成的演示数据编制，仅用于功能演示，其中数字不代表真实状况。")

    for section in report.sections:
        doc.add_heading(section.title, level=1)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                p = doc.add_paragraph(block.text)
                if block.style == "note":
                    for r in p.runs:
                        r.font.size = Pt(9)
            elif isinstance(block, Table):
                caption = doc.add_paragraph(block.title)
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
                caption.runs[0].bold = True
                if not block.rows:
                    doc.add_paragraph(f"（{NO_DATA}）")
                    continue
                table = doc.add_table(rows=1, cols=len(block.header))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                    cell.text = text
                    cell.paragraphs[0].runs[0].bold = True
                for row in block.rows:
                    for cell, value in zip(table.add_row().cells, row, strict=True):
                        cell.text = str(value)
                for row in table.rows:
                    for cell in row.cells:
                        for r in cell.paragraphs[0].runs:
                            r.font.size = Pt(8)
                if block.note:
                    note = doc.add_paragraph(f"注：{block.note}")
                    note.runs[0].font.size = Pt(8)
            elif isinstance(block, Chart):
                if block.has_data:
                    png = whitepaper.chart_png(whitepaper.Chart(block.title, block.kind, block.labels, block.values,
                                                                block.unit, block.incomplete))
                    doc.add_picture(io.BytesIO(png), width=Cm(15))
                    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                    caption = doc.add_paragraph(block.title)
                else:
                    caption = doc.add_paragraph(f"{block.title}：{NO_DATA}")
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            # The network is given in Word by its two tables (pairs and degrees) that follow it.
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


__all__ = ["Chart", "Link", "NavigationReport", "Network", "Paragraph", "Section", "Table", "build", "build_cached",
           "check_years", "clear_cache", "default_years", "high_value_score", "key_figures", "network_svg", "to_docx"]
