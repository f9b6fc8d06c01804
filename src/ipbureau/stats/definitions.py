"""What an indicator is: ``IndicatorDef``, and the helpers every module uses to declare one.

Pure data types: this module imports no indicator and no computation, so any domain can declare its
indicators with it. The engine (``stats.engine``) counts the rows of one *record source* that satisfy the
indicator's condition in a period. A record source is either a table (``patent``, ``trademark``) or a SELECT
that a module declares (``IndicatorDef.source``) and that exposes the columns the engine relies on:

* ``id`` — one row per counted record;
* ``dataset`` — ``real`` or ``demo`` (the engine never mixes them);
* ``province_code`` — ``'12'`` when the record belongs to Tianjin (the city figure);
* ``district_code`` — the district a record counts for, or NULL;
* the indicator's ``date_column`` (a DATE; wrap timestamps with :func:`day_of`), and
  whatever other columns its ``condition`` reads (and ``sum_column`` / ``distinct_column``).

A module declares its indicators in ``<module>/indicators.py`` as ``INDICATORS``; the catalogue
(``stats.catalogue``) lists them. Domain modules import from here, never from ``stats.catalogue`` or
``stats.engine`` (which import the modules).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, FromClause, Table, and_, func

from ipbureau.stats.enums import Measure, Subject

# Condition(source, period start, period end) -> SQL boolean
Condition = Callable[[FromClause, date, date], ColumnElement[bool]]
# A condition that also reads the industry chains (given by the engine, read on the caller's session).
ChainCondition = Callable[[FromClause, date, date, Sequence[Any]], ColumnElement[bool]]
# A function building the record source SELECT; called once, the result is reused.
SourceFactory = Callable[[], FromClause]


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    name: str
    unit: str
    subject: Subject
    measure: Measure
    definition: str
    formula: str
    sources: tuple[str, ...]
    # The date column that places a record in time; also the column whose range in the
    # dataset tells whether a period is covered at all ("no data" vs a true zero).
    date_column: str
    condition: Condition | ChainCondition
    per_10k_people: bool = False
    # Criteria of the national definition that our records cannot support.
    limitations: str = ""
    # Whether /search can list exactly the records behind a figure (see engine.drilldown_url).
    drilldown: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    # The record source for indicators outside the patent and trademark tables (see module doc).
    source: SourceFactory | None = None
    # SUM of this column over the counted rows instead of COUNT (amounts: 金额、罚没款).
    sum_column: str | None = None
    # COUNT(DISTINCT this column) instead of COUNT(rows) (e.g. patents, enterprises served).
    distinct_column: str | None = None
    # Sums are stored in 元 and shown divided by this (10000 for 万元).
    scale: int = 1
    # The condition takes the industry chains as a fourth argument (a ChainCondition).
    uses_chains: bool = False

    @property
    def by_chain(self) -> bool:
        """Whether an industry-chain breakdown exists (chains are defined by IPC: patents only)."""
        return self.subject == Subject.PATENT

    def holds(self, source: FromClause, start: date, end: date, chains: Sequence[Any]) -> ColumnElement[bool]:
        """The indicator's condition for one period. The chains are passed in (not read here) so that the
        caller reads them on its own session."""
        if self.uses_chains:
            return self.condition(source, start, end, chains)  # type: ignore[call-arg]
        return self.condition(source, start, end)  # type: ignore[call-arg]


def day_of(column: ColumnElement) -> ColumnElement[date]:
    """The calendar day of a timestamp, as a DATE on both databases (SQLite's date() returns
    'YYYY-MM-DD' text, which compares correctly with bound dates). The day is the UTC day of
    the stored timestamp."""
    return func.date(column, type_=Date)


# --- common conditions ---------------------------------------------------------------------


def dated_in(column: str) -> Condition:
    """The record's ``column`` falls within the period (a flow)."""

    def condition(t: FromClause, start: date, end: date) -> ColumnElement[bool]:
        return and_(t.c[column] >= start, t.c[column] <= end)

    return condition


def dated_in_where(column: str, extra: Callable[[FromClause], ColumnElement[bool]]) -> Condition:
    """``dated_in(column)`` and a further condition on the row."""

    def condition(t: FromClause, start: date, end: date) -> ColumnElement[bool]:
        return and_(t.c[column] >= start, t.c[column] <= end, extra(t))

    return condition


def next_day(day: date) -> date:
    return day + timedelta(days=1)


__all__ = ["ChainCondition", "Condition", "IndicatorDef", "Measure", "SourceFactory", "Subject", "Table", "dated_in",
           "dated_in_where", "day_of", "next_day"]
