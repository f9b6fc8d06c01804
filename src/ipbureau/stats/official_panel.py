"""What the /stats page shows beside the computed figures: the official counterparts with the differences, the
peer tables, and the filing trend with its incomplete (publication-lagged) years. One call for the view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ipbureau.stats import engine, service
from ipbureau.stats.official import comparison
from ipbureau.stats.official.schemas import Comparison, PeerTable, PeerTableRef
from ipbureau.stats.publication_lag import FilingTrend, filing_trend
from ipbureau.stats.schemas import Dashboard, DashboardQuery

TREND_YEARS = 10


@dataclass(frozen=True)
class OfficialPanel:
    comparisons: list[Comparison]  # every year that has an official counterpart (the page marks the chosen year)
    peer_refs: list[PeerTableRef]
    peer: PeerTable | None  # the newest table of the first by-province indicator, drawn on the page
    filings: FilingTrend


def dashboard_with_official(session: Session, user: Any, query: DashboardQuery) -> tuple[Dashboard, OfficialPanel]:
    data = service.dashboard_for(session, user, query)  # authorises the user for the statistics
    computed = {(v.code, v.year): v.value for series in data.trends.values() for v in series}
    computed |= {(f.code, f.year): f.value for f in data.figures}
    # The official figures are the city's: compared with the computed city figures, whatever district is shown.
    if data.district_code:
        computed = {}
    refs, peer = comparison.peers_for(session, user, indicator=None, scope=None, period=None)
    years = engine.trend_years(data.year, TREND_YEARS)
    return data, OfficialPanel(
        comparisons=comparison.comparisons(session, dataset=data.dataset, computed=computed),
        peer_refs=refs, peer=peer,
        filings=filing_trend(session, data.dataset.value, years, district_code=data.district_code))
