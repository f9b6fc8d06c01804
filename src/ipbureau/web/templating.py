"""Jinja2 rendering with what every page needs: the user, the CSRF token, the demo banner."""

from __future__ import annotations

import time
from collections.abc import Iterable
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.permissions import csrf_token
from ipbureau.core.uow import request_session
from ipbureau.enums import Dataset, LabelledEnum
from ipbureau.patents.enums import LegalStatus, PatentType

templates = Jinja2Templates(directory=str(resources.files("ipbureau.web").joinpath("templates")))


def _enum_label(value: object, enum_class: type[LabelledEnum]) -> str:
    """Label of a stored enum value (columns hold plain strings); unknown values as they are."""
    try:
        return enum_class(str(value)).label
    except ValueError:
        return str(value or "")


def _chain_names(session: Session | None) -> dict[str, str]:
    from ipbureau.navigation.chains import load_chains

    return {chain.code: chain.name for chain in load_chains(session)}


def select_options(options: Iterable[tuple[Any, Any]] | None, selected: Any) -> Markup:
    """The ``<option>`` elements of a select (``ui.field(kind="select")``), the one of ``selected`` marked.

    Built here rather than by a loop in the macro: a staff member's market page has two selects of up to 2,000
    enterprises, and the loop's 4,000 iterations were two thirds of that page's rendering (bench/load.py --profile);
    this is the same HTML, byte for byte, in a tenth of the time."""
    chosen = str(selected)  # as the macro's ``value|string``
    return Markup("".join(
        f'\n    <option value="{escape(value)}" {"selected" if str(value) == chosen else ""}>{escape(label)}</option>'
        for value, label in options or ()))


def day(value: Any) -> str:
    """A date (or datetime) as YYYY-MM-DD; none as —. The filter behind ``ui.day``."""
    return "—" if value is None else value.strftime("%Y-%m-%d")


def money(amount: Any, unit: str = "元") -> str:
    """Money with thousands separators in 元, or in 万元 (divided by 10,000); none as —. The filter behind
    ``ui.money``."""
    if amount is None:
        return "—"
    return f"{amount / 10000:,.2f} 万元" if unit == "万元" else f"{amount:,.2f} 元"


# Filters as well as macros: a list page's rows call these hundreds of times, and a Jinja macro call costs several
# times a filter call (the market page's ~1,000 dates and amounts, bench/load.py --profile).
templates.env.filters.update(label=_enum_label, day=day, money=money)
templates.env.globals.update(PatentType=PatentType, LegalStatus=LegalStatus, select_options=select_options)

# The top navigation shows the items under these headings, in this order (an item whose path
# is not listed goes under the last heading); every item stays visible, so one click reaches it.
NAV_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("", ("/",)),
    ("数据", ("/search", "/trademarks", "/enterprises", "/ipc", "/imports")),
    ("运用", ("/market", "/navigation")),
    ("保护", ("/preexam", "/disputes", "/enforcement", "/screening")),
    ("服务", ("/services", "/enterprises/assessment")),
    ("统计与计划", ("/stats", "/workplan")),
    ("管理", ("/audit", "/users")),
]


def group_nav(nav: list[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The visible items under their headings; headings with nothing visible are left out."""
    heading_of = {path: heading for heading, paths in NAV_GROUPS for path in paths}
    last = NAV_GROUPS[-1][0]
    grouped: dict[str, list[tuple[str, str]]] = {heading: [] for heading, _ in NAV_GROUPS}
    for path, label in nav:
        grouped[heading_of.get(path, last)].append((path, label))
    order = {path: i for _, paths in NAV_GROUPS for i, path in enumerate(paths)}
    return [(heading, sorted(items, key=lambda item: order.get(item[0], len(order))))
            for heading, items in grouped.items() if items]


_demo_cache: dict[str, tuple[float, bool]] = {}


def demo_data_present(db: Session) -> bool:
    """Whether any demo record is stored; cached briefly since every page asks."""
    cached = _demo_cache.get("demo")
    now = time.monotonic()
    if cached and now - cached[0] < 30:
        return cached[1]
    from ipbureau.patents.service import dataset_present

    present = dataset_present(db, Dataset.DEMO)
    _demo_cache["demo"] = (now, present)
    return present


def forget_demo_flag() -> None:
    _demo_cache.clear()


def unread_notices(db: Session | None, user: object) -> int:
    """The header's unread-notice count (notices addressed to the user or the user's enterprise)."""
    if db is None or user is None:
        return 0
    from ipbureau.notices.service import unread_count

    return unread_count(db, user)


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, db: Session | None = None,
           status_code: int = 200) -> HTMLResponse:
    from ipbureau.policy import menu_for

    user = getattr(request.state, "user", None)
    role = Role(user.role) if user else None
    db = db if db is not None else request_session(request)
    nav = menu_for(user)  # the access policy decides every menu item
    full = {
        "chain_names": lambda: _chain_names(db),
        "request": request,
        "user": user,
        "role_label": role.label if role else "",
        "csrf_token": csrf_token(request),
        "nav": nav,
        "nav_groups": group_nav(nav),
        "demo_data": demo_data_present(db) if db is not None else False,
        "unread_notices": unread_notices(db, user),
        **(context or {}),
    }
    return templates.TemplateResponse(request, name, full, status_code=status_code)
