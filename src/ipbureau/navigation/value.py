"""The high-value score of a patent in the navigation report (0–100), as SQL over ``patent``: the report
reads it from the record store row-level, and the statistics' analytic copy stores it per patent when it copies
the row (``stats.analytic``), evaluated by the record store with this same expression, so both agree to the
digit (integer division of the claims count included). The model is described in ``navigation.report``."""

from __future__ import annotations

from sqlalchemy import ColumnElement, case, func, or_

from ipbureau.patents.enums import LegalStatus
from ipbureau.patents.models import Patent

PATENT = Patent.__table__


def high_value_score() -> ColumnElement[float]:
    """The score of ``navigation.report``'s docstring, as SQL."""
    p = PATENT.c
    claims_count = case(
        (func.coalesce(func.length(p.claims), 0) == 0, 0),
        else_=1 + (func.length(p.claims) - func.length(func.replace(p.claims, "权利要求", ""))) / 4)
    return (
        case((p.citation_count >= 10, 30), else_=p.citation_count * 3)
        + case((p.family_size.is_(None), 0), (p.family_size <= 1, 0), (p.family_size >= 5, 20),
               else_=(p.family_size - 1) * 5)
        + case((p.legal_status == LegalStatus.VALID.value, 25), (p.legal_status == LegalStatus.PENDING.value, 10),
               else_=0)
        + case((claims_count >= 10, 15.0), else_=claims_count * 1.5)
        + case((or_(p.transfer_count > 0, p.license_count > 0, p.pledge_count > 0), 10), else_=0)
    )
