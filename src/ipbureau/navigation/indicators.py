"""This module's indicators for the statistics catalogue (ipbureau.stats.catalogue collects them)."""

from __future__ import annotations

from ipbureau.stats.definitions import IndicatorDef

INDICATORS: tuple[IndicatorDef, ...] = ()
