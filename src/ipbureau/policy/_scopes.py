"""Row-scope builders shared by the policy's sections: each takes columns of a model and returns a function
of the user giving the SQL condition (the same condition filters lists and admits single records)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ipbureau.auth.enums import Role
from ipbureau.core.access import Resource, role_name
from ipbureau.core.errors import Forbidden

STAFF = (Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF)
CITY_STAFF = (Role.ADMIN, Role.BUREAU_STAFF)
EVERY_ROLE = tuple(Role)

Clause = Callable[[Any], ColumnElement[bool]]


def district(column_fn: Callable[[], Any]) -> Clause:
    """Rows whose district column is the user's district (no district: nothing)."""
    def clause(user: Any) -> ColumnElement[bool]:
        if not user.district_code:
            return false()
        return column_fn() == user.district_code
    return clause


def enterprise_in_district(enterprise_id_fn: Callable[[], Any]) -> Clause:
    """Rows of an enterprise registered in the user's district."""
    def clause(user: Any) -> ColumnElement[bool]:
        from ipbureau.enterprises.models import Enterprise

        if not user.district_code:
            return false()
        return enterprise_id_fn().in_(select(Enterprise.id).where(Enterprise.district_code == user.district_code))
    return clause


def own_enterprise(*enterprise_id_fns: Callable[[], Any]) -> Clause:
    """Rows of the user's own enterprise (any of the given columns)."""
    def clause(user: Any) -> ColumnElement[bool]:
        if not user.enterprise_id:
            return false()
        return or_(*(fn() == user.enterprise_id for fn in enterprise_id_fns))
    return clause


def own_user(user_id_fn: Callable[[], Any]) -> Clause:
    """Rows assigned to (or made by) the user."""
    def clause(user: Any) -> ColumnElement[bool]:
        return user_id_fn() == user.id
    return clause


def member_of(column_fn: Callable[[], Any], values_fn: Callable[[Any], Any]) -> Clause:
    """Rows whose column is among the values a query selects for the user (``values_fn(user)``, a SELECT of one
    column): e.g. cases of the centre an examiner works for, documents of the cases a user may see."""
    def clause(user: Any) -> ColumnElement[bool]:
        return column_fn().in_(values_fn(user))
    return clause


def any_of(*clauses: Clause) -> Clause:
    def clause(user: Any) -> ColumnElement[bool]:
        return or_(*(c(user) for c in clauses))
    return clause


def locked_district(user: Any, resource: Resource, action: str = "view") -> str | None:
    """The one district a user's rows of ``resource.action`` are confined to: the user's district when the policy
    gives the user's role the resource's ``district`` scope (district staff), else None. Pages fix their district
    filter to it, and a record such a user creates with nothing to check it against (a training) belongs to it.
    A confined user whose account has no district may not act at all (Forbidden)."""
    if user is None or resource.action(action).roles.get(role_name(user)) != "district":
        return None
    if not user.district_code:
        raise Forbidden("您的账号尚未设置所属区")
    return user.district_code
