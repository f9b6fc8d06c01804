"""Access rules of 企业与机构、企业画像与优势企业培育."""

from __future__ import annotations

from ipbureau.auth.enums import Role  # noqa: F401  (sections name roles)
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes  # noqa: F401  (row scopes: district, own enterprise, assignee...)
from ipbureau.policy._scopes import CITY_STAFF, EVERY_ROLE, STAFF  # noqa: F401

RESOURCES: list[Resource] = [
    Resource("enterprise", "企业", {"view": Action(roles(*EVERY_ROLE), "查看企业目录")}),
    Resource("enterprise.assessment", "优势企业申报", {"view": Action(roles(*STAFF), "查看优势企业培育")}),
]
