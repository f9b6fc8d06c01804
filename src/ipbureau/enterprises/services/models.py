"""Tables and Pydantic schemas (to be filled in by the module's owner)."""

from __future__ import annotations
