"""Publication lag: which filing (application-date) periods are not yet fully in the data.

A patent application reaches the records only when it is published: an invention application about 18 months
after its filing date (公开), a utility model or a design when it is granted and announced (about 6 months). So
counts by filing date fall off in the last months before the data's newest publication, and a naive trend
reads that as a collapse ("2026 年申请量同比下降 100.0%").

Rule (stated on screen and in the documents, ``RULE``): with D the latest publication or grant announcement date
found in the dataset's records, a filing period is incomplete (数据未完整公开) when it ends after D − 18 months
for invention applications, or after D − 6 months for utility models and designs. A count that mixes the
three kinds follows the invention rule (its invention part is incomplete). Incomplete periods are drawn
distinctly, never used in a growth statement, and left out of strength/gap judgements.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipbureau.patents.enums import PatentType
from ipbureau.stats import analytic
from ipbureau.stats.catalogue import PATENT

INVENTION_MONTHS = 18
OTHER_MONTHS = 6
INCOMPLETE = "数据未完整公开"
RULE = ("按申请日统计的数字受公开滞后影响：发明专利申请一般自申请日起约 18 个月公开，实用新型和外观设计在授权公告后才进入数据。"
        "以数据中最新的公开（公告）日为基准，发明专利申请最近 18 个月、实用新型和外观设计最近 6 个月的申请期间标注为"
        f"“{INCOMPLETE}”（三种专利合计的按发明专利的 18 个月计），不据以判断增减，也不计入优势与短板的判断。")


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class PublicationLag:
    latest_publication: date | None  # None: no record carries a publication or grant date
    months: int

    @property
    def cutoff(self) -> date | None:
        """Filing periods ending after this day are incomplete."""
        return None if self.latest_publication is None else months_before(self.latest_publication, self.months)

    def incomplete(self, period_end: date) -> bool:
        cutoff = self.cutoff
        return cutoff is not None and period_end > cutoff

    def year_incomplete(self, year: int) -> bool:
        return self.incomplete(date(year, 12, 31))

    def incomplete_years(self, years: Iterable[int]) -> list[int]:
        return [y for y in years if self.year_incomplete(y)]

    @property
    def last_complete_year(self) -> int | None:
        cutoff = self.cutoff
        if cutoff is None:
            return None
        return cutoff.year if (cutoff.month, cutoff.day) == (12, 31) else cutoff.year - 1

    def statement(self) -> str:
        """The rule with this dataset's dates, for a page or a document."""
        if self.latest_publication is None:
            return RULE + "所选数据中没有公开（公告）日，无法判断哪些期间尚未完整公开。"
        return (RULE + f"本数据最新公开（公告）日为 {self.latest_publication.isoformat()}，"
                f"申请日晚于 {self.cutoff.isoformat()} 的期间（本口径 {self.months} 个月）{INCOMPLETE}。")


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite may hand back text from an aggregate
        return date.fromisoformat(value[:10])
    return value  # type: ignore[return-value]


def latest_publication_date(session: Session, dataset: str, *, store: analytic.Store | None = None) -> date | None:
    """The newest publication (公开) or grant announcement (授权公告) date among the dataset's patents; read from
    the analytic copy when the caller holds a current one (neither date is indexed in the record store)."""
    p = (analytic.FACT if store is not None else PATENT).c
    query = select(func.max(p.publication_date), func.max(p.grant_date)).where(p.dataset == dataset)
    published, granted = store.rows(query)[0] if store is not None else session.execute(query).one()
    found = [d for d in (_as_date(published), _as_date(granted)) if d is not None]
    return max(found) if found else None


def months_for(patent_types: Iterable[str] | None = None) -> int:
    """18 months when the count includes invention applications (or all kinds), else 6."""
    if patent_types is None:
        return INVENTION_MONTHS
    kinds = {PatentType(t).value if not isinstance(t, PatentType) else t.value for t in patent_types}
    return INVENTION_MONTHS if PatentType.INVENTION.value in kinds else OTHER_MONTHS


def publication_lag(session: Session, dataset: str, patent_types: Iterable[str] | None = None, *,
                    store: analytic.Store | None = None) -> PublicationLag:
    return PublicationLag(latest_publication_date(session, dataset, store=store), months_for(patent_types))


@dataclass(frozen=True)
class FilingTrend:
    """Patent applications by filing year and kind (the first applicant in Tianjin or in a district), each
    year marked when the kind's filings are not yet fully published."""

    years: list[int]
    counts: dict[str, list[int]]  # patent type -> count per year
    incomplete: dict[str, list[bool]]  # patent type -> per year
    lags: dict[str, PublicationLag]


def filing_trend(session: Session, dataset: str, years: list[int], *, district_code: str | None = None
                 ) -> FilingTrend:
    """One GROUP BY over the patents (filing year × kind) for the years asked."""
    from sqlalchemy import extract

    p = PATENT.c
    year = extract("year", p.filing_date)
    where = [p.dataset == dataset, p.filing_date >= date(years[0], 1, 1), p.filing_date <= date(years[-1], 12, 31)]
    where.append(p.district_code == district_code if district_code else p.province_code == "12")
    rows = session.execute(select(year, p.patent_type, func.count()).where(*where).group_by(year, p.patent_type)).all()
    found = {(int(y), kind): int(n) for y, kind, n in rows}
    latest = latest_publication_date(session, dataset)
    kinds = [k.value for k in PatentType]
    lags = {k: PublicationLag(latest, months_for([k])) for k in kinds}
    return FilingTrend(years=list(years), counts={k: [found.get((y, k), 0) for y in years] for k in kinds},
                       incomplete={k: [lags[k].year_incomplete(y) for y in years] for k in kinds}, lags=lags)
