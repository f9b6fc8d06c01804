"""Demo records of this module, generated after the demo enterprises, patents and trademarks
(see ipbureau.demo.generator.DOMAIN_DEMO_MODULES)."""

from __future__ import annotations

import random
from datetime import date
from typing import Any


def delete_demo(session: Any) -> dict[str, int]:
    """Delete this module's demo rows (called before the demo enterprises and patents go)."""
    return {}


def load_demo(session: Any, rng: random.Random, *, as_of: date) -> str:
    """Create this module's demo rows; return a short Chinese summary ("" when nothing)."""
    return ""
