"""Row-scope builders shared by the policy's sections: each takes columns of a model and returns a function
of the user giving the SQL condition (the same condition filters lists and admits single records)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.sql.elements import ColumnElement

from ipbureau.auth.enums import Role

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


def any_of(*clauses: Clause) -> Clause:
    def clause(user: Any) -> ColumnElement[bool]:
        return or_(*(c(user) for c in clauses))
    return clause
