"""Jinja2 rendering with what every page needs: the user, the CSRF token, the demo banner."""

from __future__ import annotations

import time
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
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


templates.env.filters["label"] = _enum_label
templates.env.globals.update(PatentType=PatentType, LegalStatus=LegalStatus)

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
