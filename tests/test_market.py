"""Moved to tests/market/. Only these helpers stay importable from here, for tests/workplan/test_workplan.py
(which should import them from tests.market.test_market; then this file can go)."""

from tests.market.test_market import _published, add_patent

__all__ = ["_published", "add_patent"]
