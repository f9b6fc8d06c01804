"""View pieces shared by the marketplace's two routers (views.py: listings, open licences,
deals; matching_views.py: demands, matches, pushes)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import HTTPException
from sqlalchemy.orm import Session

from ipbureau.market import service
from ipbureau.market.models import OpenLicence
from ipbureau.web.errors import api_transaction, status_for

# MarketError: 422 (bad input, the message names the field); TransitionError: 409.
market_status = partial(status_for, conflicts=service.TransitionError)
market_transaction = partial(api_transaction, errors=service.MarketError, conflicts=service.TransitionError)


def int_or_none(text: Any) -> int | None:
    """A form's optional id field: an int, its digits, or None for anything else (empty, "—")."""
    if isinstance(text, int):
        return text
    return int(text) if text and str(text).strip().isdigit() else None


def open_licence_or_404(db: Session, declaration_id: int) -> OpenLicence:
    declaration = db.get(OpenLicence, declaration_id)
    if declaration is None:
        raise HTTPException(status_code=404, detail="开放许可声明不存在")
    return declaration
