"""The analytic copy of the patent facts: an in-process DuckDB table that the statistics read instead of
scanning the record store row by row.

Why: the patent figures are aggregates over every invention of a dataset (one COUNT(CASE …) column per period,
by district, by chain). SQLite (and PostgreSQL without a columnar store) evaluates those a row at a time;
DuckDB evaluates the same SQL vectorised over columns, about 30× faster at a million patents.

What is copied (table ``analytic_patent``, one row per patent of both datasets): the columns the patent
indicators and their scope read (type, dates, legal status, family size, pledges, territory), plus
``chain_mask``: bit ``i`` set when the patent belongs to the ``i``-th industry chain of the shipped YAML
(``navigation.chains.chain_bit``). Membership is computed once per patent when its row is copied, from its IPC
codes (kept in ``analytic_ipc``) with the navigation rule ``prefix_matches``; it is recomputed for every patent
when a chain definition changes, and for a patent when it is copied again. For the navigation report
(``navigation.report``) the copy also keeps each patent's IPC codes with their subclass, its applicants in order,
its inventors (one row per element of its JSON list) and its value score (``navigation.value``, evaluated by the
record store when the row is copied).

Answers are remembered: a statement already run since the copy last changed is answered from memory (keyed by
the statement's SQLAlchemy cache key and bound values), and every refresh or chain change forgets them all. A
dashboard asked twice between two imports costs the second time only building the page.

Freshness (the rule the engine relies on): a figure is read from the copy only when the copy holds exactly
the records the caller's session sees, judged by the dataset's *data stamp* — ``COUNT(*)``, ``MAX(id)``,
``MAX(updated_at)`` of its patents (an index scan) — and the chain definitions. Otherwise, within the request,
the copy is brought up to date incrementally (the rows added or updated since its stamp, read on the caller's
session) when at most ``INLINE_ROWS`` rows changed, or the engine answers with the row-level SQL while a
background thread (its own session, off the request path) refreshes the copy. So the bound on staleness is
zero: no figure is ever older than the request's own view of the records; only the speed depends on the copy.
Every patent write goes through the import or the ORM, which set ``updated_at`` (``TimestampMixin``); IPC codes
are replaced only together with their patent's row.

The copy lives in this process's memory (one DuckDB database per record store URL): web workers each keep
their own, a restart rebuilds it on first use. Nothing is written to the record store.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb
import numpy as np
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    cast,
    event,
    func,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.schema import DDLElement
from sqlalchemy.sql import Executable

from ipbureau.navigation.chains import IndustryChain, chain_bit, load_chains, prefixes_matcher
from ipbureau.navigation.value import high_value_score
from ipbureau.patents.enums import PatentType
from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc
from ipbureau.stats.memo import BoundedMemo

log = logging.getLogger(__name__)

# Rows changed since the copy's stamp that a request may copy itself (≈ 0.1 s); more is left to the
# background refresh and the request is answered by the row-level SQL meanwhile.
INLINE_ROWS = 20_000

_METADATA = MetaData()
# The copy's table as SQLAlchemy sees it: the statistics' conditions are built against it exactly as against
# ``patent`` (same column names), then compiled for DuckDB.
FACT = Table(
    "analytic_patent", _METADATA,
    Column("id", BigInteger, primary_key=True),
    Column("dataset", String),
    Column("patent_type", String),
    Column("province_code", String),
    Column("district_code", String),
    Column("filing_date", Date),
    Column("publication_date", Date),
    Column("grant_date", Date),
    Column("lapse_date", Date),
    Column("legal_status", String),
    Column("family_size", Integer),
    Column("pledge_count", Integer),
    Column("chain_mask", BigInteger),
    Column("value_score", Float),
)
# The navigation report's per-patent facts besides ``analytic_patent``: every IPC code (with its subclass), the
# applicants in order, and the inventors. DuckDB also names the first two as the record store does
# (``patent_ipc``, ``patent_applicant``, views), so the report's SQLAlchemy queries over those tables run on
# either engine unchanged.
INVENTOR = Table("analytic_inventor", _METADATA, Column("patent_id", BigInteger), Column("name", String))
_DATES = ("filing_date", "publication_date", "grant_date", "lapse_date")
_INTEGERS = ("family_size", "pledge_count")
_INVENTION = PatentType.INVENTION.value
_COPIED = [c.name for c in FACT.c if c.name not in ("chain_mask", "value_score")]

_DDL = """
CREATE TABLE IF NOT EXISTS analytic_patent (id BIGINT, dataset VARCHAR, patent_type VARCHAR,
    province_code VARCHAR, district_code VARCHAR, filing_date DATE, publication_date DATE, grant_date DATE,
    lapse_date DATE, legal_status VARCHAR, family_size INTEGER, pledge_count INTEGER, chain_mask BIGINT,
    value_score DOUBLE);
CREATE TABLE IF NOT EXISTS analytic_ipc (patent_id BIGINT, code VARCHAR, subclass VARCHAR);
CREATE TABLE IF NOT EXISTS analytic_applicant (patent_id BIGINT, position INTEGER, name VARCHAR);
CREATE TABLE IF NOT EXISTS analytic_inventor (patent_id BIGINT, name VARCHAR);
CREATE TABLE IF NOT EXISTS analytic_code_mask (code VARCHAR, mask BIGINT);
CREATE VIEW IF NOT EXISTS patent_ipc AS SELECT patent_id, code, subclass FROM analytic_ipc;
CREATE VIEW IF NOT EXISTS patent_applicant AS SELECT patent_id, position, name FROM analytic_applicant;
"""

# Set (``row_level()``) by tests and benchmarks to compute with the row-level SQL, the definition the copy is
# checked against.
ROW_LEVEL: ContextVar[bool] = ContextVar("stats_row_level", default=False)


@contextmanager
def row_level() -> Iterator[None]:
    token = ROW_LEVEL.set(True)
    try:
        yield
    finally:
        ROW_LEVEL.reset(token)

_STAMP_KEY = "stats.analytic.stamp"


@dataclass(frozen=True)
class Stamp:
    """What the copy of one dataset must match: its patents' count, largest id and latest update."""

    count: int
    max_id: int | None
    max_updated: datetime | None


@dataclass
class _DatasetState:
    stamp: Stamp
    coverage: dict[str, tuple[date, date] | None] = field(default_factory=dict)


@dataclass
class RefreshLog:
    """What the last refreshes did (tests and the benchmark report it)."""

    full: int = 0
    incremental: int = 0
    rows: int = 0
    deferred: int = 0


class Store:
    """One record store's copy: a DuckDB database in memory. ``lock`` guards DuckDB (each query runs on all
    cores anyway; a reader never sees a half-applied refresh); ``refreshing`` lets one refresh run at a time, and
    a request that finds it taken answers row-level instead of waiting."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.lock = threading.RLock()
        self.duck = duckdb.connect(":memory:")
        self.duck.execute(_DDL)
        self.datasets: dict[str, _DatasetState] = {}
        self.chains: tuple[IndustryChain, ...] | None = None
        self.refreshing = threading.Lock()
        self.log = RefreshLog()
        self.background: threading.Thread | None = None
        # Rows of statements answered since the copy last changed (``version``), least recently used first.
        self.results: OrderedDict[tuple, list[tuple]] = OrderedDict()
        self.version = 0

    def forget(self) -> None:
        """Drop the remembered answers: the copy's rows or chain bits changed (benchmarks call it to time the
        first request after a change)."""
        self.version += 1
        self.results.clear()
        for each in self.datasets.values():
            each.coverage.clear()

    # -- reading --

    @staticmethod
    def sql(statement: Executable | DDLElement) -> str:
        """The statement as DuckDB runs it: PostgreSQL's SQL with the values inlined."""
        return str(statement.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True}))

    def rows(self, statement: Executable, *, cache: bool = True) -> list[tuple]:
        """The statement's rows. With ``cache``, a statement already answered since the copy last changed is
        answered from memory (the figures are a function of the copy: the same statement, the same rows);
        any refresh or chain change empties the cache."""
        key = _result_key(statement) if cache else None
        with self.lock:
            version = self.version
            if key is not None and key in self.results:
                self.results.move_to_end(key)
                return self.results[key]
        sql = _compiled(key, statement) if key is not None else self.sql(statement)
        with self.lock:
            found = self.duck.execute(sql).fetchall()
            if key is not None and self.version == version:
                self.results[key] = found
                while len(self.results) > RESULTS_KEPT:
                    self.results.popitem(last=False)
        return found

    @contextmanager
    def registered(self, name: str, columns: dict[str, np.ndarray]) -> Iterator[None]:
        """Columns visible to DuckDB as the table ``name`` for the block (the lock is held throughout)."""
        with self.lock:
            self.duck.register(name, columns)
            try:
                yield
            finally:
                self.duck.unregister(name)

    def execute(self, statement: Executable | DDLElement) -> None:
        """A statement without rows (the navigation report's scratch tables)."""
        sql = self.sql(statement)
        with self.lock:
            self.duck.execute(sql)

    def coverage(self, dataset: str, column: str) -> tuple[date, date] | None:
        """Earliest and latest date of ``column`` among the dataset's inventions (cached per stamp)."""
        with self.lock:
            state = self.datasets[dataset]
            if column not in state.coverage:
                t = FACT.c
                ((low, high),) = self.rows(select(func.min(t[column]), func.max(t[column]))
                                           .where(t.dataset == dataset, t.patent_type == _INVENTION))
                state.coverage[column] = None if low is None else (low, high)
            return state.coverage[column]

    # -- refreshing --

    def matches(self, dataset: str, stamp: Stamp, chains: tuple[IndustryChain, ...]) -> bool:
        state = self.datasets.get(dataset)
        return state is not None and state.stamp == stamp and self.chains == chains

    def refresh(self, connection: Connection, dataset: str, stamp: Stamp, chains: tuple[IndustryChain, ...], *,
                limit: int | None = None) -> bool:
        """Bring the dataset's copy to ``stamp`` reading on ``connection``; False (nothing done) when more than
        ``limit`` rows would have to be copied. The caller holds ``refreshing`` (one refresh at a time); readers
        wait only while the read rows are applied, never while they are read from the record store."""
        if self.chains != chains:
            with self.lock:
                self._set_chains(chains)
        state = self.datasets.get(dataset)
        if state is not None and state.stamp == stamp:
            return True
        p = Patent.__table__.c
        if state is None or state.stamp.max_id is None:
            changed, size = p.dataset == dataset, stamp.count
        else:
            since = [p.id > state.stamp.max_id]
            if state.stamp.max_updated is not None:
                since.append(p.updated_at >= state.stamp.max_updated)
            changed = (p.dataset == dataset) & or_(*since)
            size = connection.scalar(select(func.count()).where(changed))
        if limit is not None and size > limit:
            return False
        full = state is None
        self._apply(dataset, _read(connection, changed), replace=full)
        if not full and not self._agrees(dataset, stamp):  # rows deleted (or rolled back): copy them all
            full = True
            self._apply(dataset, _read(connection, p.dataset == dataset), replace=True)
        if full:
            self.log.full += 1
        else:
            self.log.incremental += 1
        self.datasets[dataset] = _DatasetState(stamp)
        return True

    def _agrees(self, dataset: str, stamp: Stamp) -> bool:
        with self.lock:
            count, max_id = self.duck.execute(
                "SELECT count(*), max(id) FROM analytic_patent WHERE dataset = ?", [dataset]).fetchone()
        return count == stamp.count and max_id == stamp.max_id

    def _apply(self, dataset: str, rows: _Rows, *, replace: bool) -> None:
        """Replace the copied rows (all of the dataset's, or those of the read ids) by the read ones."""
        facts = rows.facts
        self.log.rows += len(facts["id"])
        with self.lock:
            duck = self.duck
            duck.execute("BEGIN")
            try:
                if replace:
                    for child in _CHILDREN:
                        duck.execute(f"DELETE FROM {child} WHERE patent_id IN "  # noqa: S608 - fixed names
                                     "(SELECT id FROM analytic_patent WHERE dataset = ?)", [dataset])
                    duck.execute("DELETE FROM analytic_patent WHERE dataset = ?", [dataset])
                else:
                    duck.register("changed_ids", {"id": facts["id"]})
                    for child in _CHILDREN:
                        duck.execute(f"DELETE FROM {child} WHERE patent_id IN (SELECT id FROM changed_ids)")  # noqa: S608
                    duck.execute("DELETE FROM analytic_patent WHERE id IN (SELECT id FROM changed_ids)")
                    duck.unregister("changed_ids")
                duck.register("new_children", rows.applicants)
                duck.execute(f"INSERT INTO {_APPLICANTS} SELECT patent_id, position, name FROM new_children")  # noqa: S608
                duck.unregister("new_children")
                duck.register("new_children", rows.inventors)
                # One row per element of the JSON list, as ``json_each`` / ``json_array_elements_text`` yield them
                # (DuckDB parses the lists in bulk: json.loads per patent cost more than the rest of the copy).
                duck.execute(f"""INSERT INTO {_INVENTORS} SELECT id, unnest(from_json(inventors, '["VARCHAR"]'))
                    FROM new_children WHERE inventors IS NOT NULL""")  # noqa: S608
                duck.unregister("new_children")
                ipc_rows = rows.ipc
                duck.register("new_ipc", ipc_rows)
                duck.execute("INSERT INTO analytic_ipc SELECT patent_id, code, subclass FROM new_ipc")
                self._add_codes(duck.execute("SELECT DISTINCT code FROM new_ipc").fetchall())
                duck.register("new_facts", facts)
                selected = ", ".join(f"CAST({c} AS DATE)" if c in _DATES else
                                     f"CAST({c} AS INTEGER)" if c in _INTEGERS else c for c in _COPIED)
                duck.execute(f"""INSERT INTO analytic_patent SELECT {selected}, COALESCE(m.mask, 0),
                        CAST(value_score AS DOUBLE)
                    FROM new_facts LEFT JOIN (SELECT patent_id, bit_or(mask) AS mask FROM new_ipc
                        JOIN analytic_code_mask USING (code) GROUP BY patent_id) m
                    ON m.patent_id = new_facts.id""")  # noqa: S608 - column names from FACT
                duck.unregister("new_facts")
                duck.unregister("new_ipc")
                duck.execute("COMMIT")
            except BaseException:
                duck.execute("ROLLBACK")
                raise
            self.forget()

    def _add_codes(self, codes: Sequence[tuple[str]]) -> None:
        """Chain bits of IPC codes not seen yet (a few thousand distinct codes, matched in Python with the
        navigation rule itself, so the copy cannot disagree with ``prefix_matches``)."""
        known = {c for (c,) in self.duck.execute("SELECT code FROM analytic_code_mask").fetchall()}
        new = sorted({c for (c,) in codes if c is not None} - known)
        if not new:
            return
        matchers = [(chain_bit(chain.code), prefixes_matcher(chain.all_ipc_prefixes())) for chain in self.chains or ()]
        masks = np.array([sum(bit for bit, matches in matchers if matches(code)) for code in new], dtype=np.int64)
        self.duck.register("new_codes", {"code": np.array(new, dtype=object), "mask": masks})
        self.duck.execute("INSERT INTO analytic_code_mask SELECT code, mask FROM new_codes")
        self.duck.unregister("new_codes")

    def _set_chains(self, chains: tuple[IndustryChain, ...]) -> None:
        """A chain definition changed: recompute every code's bits, then every patent's membership."""
        self.chains = chains
        duck = self.duck
        codes = duck.execute("SELECT code FROM analytic_code_mask").fetchall()
        duck.execute("DELETE FROM analytic_code_mask")
        self._add_codes(codes)
        duck.execute("UPDATE analytic_patent SET chain_mask = 0")
        duck.execute("""UPDATE analytic_patent SET chain_mask = m.mask
            FROM (SELECT patent_id, bit_or(mask) AS mask FROM analytic_ipc JOIN analytic_code_mask USING (code)
                  GROUP BY patent_id) m WHERE m.patent_id = analytic_patent.id""")
        self.forget()


_DIALECT = postgresql.dialect()  # DuckDB reads PostgreSQL's SQL (CASE, COUNT DISTINCT, '&', date literals)
# Answers kept per store (a dashboard asks about 5 statements, a white paper about 20; per district and year).
RESULTS_KEPT = 512


_SQL: BoundedMemo[str] = BoundedMemo(RESULTS_KEPT * 4)  # DuckDB's SQL by statement key: independent of the data


def _compiled(key: tuple, statement: Executable) -> str:
    """``Store.sql(statement)``, remembered (compiling with the values inlined costs about 10 ms a statement)."""
    return _SQL.get(key, lambda: Store.sql(statement))


def _result_key(statement: Executable) -> tuple | None:
    """The statement's identity: SQLAlchemy's cache key (its structure) and its bound values; None when it
    has no hashable key (then it is not remembered)."""
    found = statement._generate_cache_key()  # noqa: SLF001 - the public compiled cache uses the same key
    if found is None:
        return None
    values = (b.effective_value for b in found.bindparams)
    key = (found.key, tuple(tuple(v) if isinstance(v, list) else v for v in values))  # IN (...) lists
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _columns(names: Sequence[str], rows: Sequence[Sequence[Any]], *, integers: Sequence[str]) -> dict[str, np.ndarray]:
    """Rows as numpy columns for DuckDB (object arrays keep NULLs; DuckDB casts them in bulk)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return {name: np.array(values, dtype=np.int64 if name in integers else object)
            for name, values in zip(names, columns, strict=True)}


_IPC, _APPLICANTS, _INVENTORS = "analytic_ipc", "analytic_applicant", "analytic_inventor"
_CHILDREN = (_IPC, _APPLICANTS, _INVENTORS)


@dataclass
class _Rows:
    """Read rows of the record store as numpy columns, one dict per copied table."""

    facts: dict[str, np.ndarray]
    ipc: dict[str, np.ndarray]
    applicants: dict[str, np.ndarray]
    inventors: dict[str, np.ndarray]


def _read(connection: Connection, where: Any) -> _Rows:
    """The patents matching ``where`` with their IPC codes, applicants and inventors, as columns. Dates come as
    ISO text (both databases render a DATE so): DuckDB parses them in bulk, far faster than building Python date
    objects. The navigation report's value score is evaluated here by the record store (``high_value_score``,
    the definition), so the copy holds the very number the row-level report computes."""
    p = Patent.__table__.c
    columns = [cast(p[name], String) if name in _DATES else p[name] for name in _COPIED]
    rows = connection.execute(select(*columns, high_value_score(), cast(p.inventors, String)).where(where)).all()
    joined = PatentIpc.__table__.join(Patent.__table__, Patent.__table__.c.id == PatentIpc.__table__.c.patent_id)
    ipc = PatentIpc.__table__.c
    codes = connection.execute(select(ipc.patent_id, ipc.code, ipc.subclass).select_from(joined).where(where)).all()
    applicant = PatentApplicant.__table__.c
    names = connection.execute(select(applicant.patent_id, applicant.position, applicant.name).select_from(
        PatentApplicant.__table__.join(Patent.__table__, Patent.__table__.c.id == applicant.patent_id))
        .where(where)).all()
    inventors = [(row[0], row[-1]) for row in rows]
    # PostgreSQL computes the score as NUMERIC (Decimal), SQLite as REAL: both exact in a double.
    facts = [(*row[:-2], None if row[-2] is None else float(row[-2])) for row in rows]
    return _Rows(_columns([*_COPIED, "value_score"], facts, integers=("id",)),
                 _columns(["patent_id", "code", "subclass"], codes, integers=("patent_id",)),
                 _columns(["patent_id", "position", "name"], names, integers=("patent_id", "position")),
                 _columns(["id", "inventors"], inventors, integers=("id",)))


# --- the stores, and the freshness check ------------------------------------------------------------------

_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def store_for(url: str) -> Store:
    with _stores_lock:
        found = _stores.get(url)
        if found is None:
            found = _stores[url] = Store(url)
        return found


def stamp(session: Session, dataset: str) -> Stamp:
    """The dataset's data stamp as the session sees it, read once per transaction and again after any write
    of the session (flush or DML statement)."""
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()  # what the session's next query would do: its own pending writes count
    cached = session.info.get(_STAMP_KEY)
    if cached is not None and dataset in cached:
        return cached[dataset]
    p = Patent.__table__.c
    count, max_id, max_updated = session.execute(
        select(func.count(), func.max(p.id), func.max(p.updated_at)).where(p.dataset == dataset)).one()
    found = Stamp(int(count), max_id, max_updated)
    session.info.setdefault(_STAMP_KEY, {})[dataset] = found
    return found


@event.listens_for(Session, "after_flush")
def _forget_stamp_after_flush(session: Session, _context: Any) -> None:
    session.info.pop(_STAMP_KEY, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_stamp_after_dml(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info.pop(_STAMP_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_stamp_after_transaction(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_STAMP_KEY, None)


def current(session: Session, dataset: str) -> Store | None:
    """The copy holding exactly what ``session`` sees of the dataset, refreshed inline when little changed;
    None (use the row-level SQL) while a larger refresh runs in the background."""
    if ROW_LEVEL.get():
        return None
    store = store_for(str(session.get_bind().engine.url))
    wanted, chains = stamp(session, dataset), load_chains(session)
    if store.matches(dataset, wanted, chains):
        return store
    if not store.refreshing.acquire(blocking=False):  # another thread is refreshing: do not wait for it
        return None
    try:
        if store.refresh(session.connection(), dataset, wanted, chains, limit=INLINE_ROWS):
            return store
    finally:
        store.refreshing.release()
    _refresh_in_background(store, session, dataset)
    return None


def _refresh_in_background(store: Store, session: Session, dataset: str) -> None:
    """Copy a large change off the request path, on a session of its own (committed data only)."""
    with store.lock:
        if store.background is not None and store.background.is_alive():
            return
        store.log.deferred += 1
        bind = session.get_bind().engine

        def run() -> None:
            try:
                with Session(bind) as own, store.refreshing:
                    store.refresh(own.connection(), dataset, stamp(own, dataset), load_chains(own))
            except Exception:  # a failed refresh leaves the row-level SQL answering; the next request retries
                log.exception("analytic refresh of %s failed", dataset)

        store.background = threading.Thread(target=run, name="stats-analytic-refresh", daemon=True)
        store.background.start()


def refresh(session: Session, dataset: str) -> Store:
    """Bring the dataset's copy up to date now, whatever the size (after an import, CLI, benchmarks)."""
    store = store_for(str(session.get_bind().engine.url))
    with store.refreshing:
        store.refresh(session.connection(), dataset, stamp(session, dataset), load_chains(session))
    return store


def wait_for_background(url: str, timeout: float | None = None) -> None:
    store = _stores.get(url)
    thread = store.background if store else None
    if thread is not None:
        thread.join(timeout)


__all__ = ["FACT", "INLINE_ROWS", "ROW_LEVEL", "Stamp", "row_level", "Store", "current", "refresh", "stamp",
           "store_for", "wait_for_background"]
