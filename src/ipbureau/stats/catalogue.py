"""The indicator catalogue: every indicator the statistics compute, in the order the dashboard and the white
paper list them — the patent and trademark figures first, then each domain's (declared next to its tables in
``<domain>/indicators.py``).

The import graph runs one way: indicator modules import ``stats.definitions`` (data types only); this
registry imports the indicator modules; the engine (``stats.engine``) imports the registry. Nothing here
imports the engine, so there is no cycle to work around.
"""

from __future__ import annotations

from ipbureau.enterprises.services import indicators as service_indicators
from ipbureau.market import indicators as market_indicators
from ipbureau.navigation import indicators as navigation_indicators
from ipbureau.protection.disputes import indicators as dispute_indicators
from ipbureau.protection.enforcement import indicators as enforcement_indicators
from ipbureau.protection.preexam import indicators as preexam_indicators
from ipbureau.protection.screening import indicators as screening_indicators
from ipbureau.stats import indicators as patent_and_trademark_indicators
from ipbureau.stats.definitions import IndicatorDef

# Record tables and conditions that other packages (navigation reports, enterprise assessment) import from
# here; they are declared with the patent and trademark indicators in ``stats.indicators``.
from ipbureau.stats.indicators import (  # noqa: F401
    PATENT,
    PATENT_IPC,
    TRADEMARK,
    high_value_invention_valid_at,
    invention_valid_at,
    ipc_prefix_condition,
    trademark_valid_at,
)

CATALOGUE: tuple[IndicatorDef, ...] = (
    *patent_and_trademark_indicators.INDICATORS,
    *market_indicators.INDICATORS,
    *preexam_indicators.INDICATORS,
    *dispute_indicators.INDICATORS,
    *enforcement_indicators.INDICATORS,
    *screening_indicators.INDICATORS,
    *navigation_indicators.INDICATORS,
    *service_indicators.INDICATORS,
)

BY_CODE: dict[str, IndicatorDef] = {d.code: d for d in CATALOGUE}
if len(BY_CODE) != len(CATALOGUE):  # pragma: no cover - a programming error, caught by every test run
    raise RuntimeError("duplicate indicator codes in the statistics catalogue")


def indicator(code: str) -> IndicatorDef | None:
    return BY_CODE.get(code)
