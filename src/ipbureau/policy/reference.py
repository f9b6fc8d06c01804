"""Access rules of district attribution (issue 13.2): the records whose district no rule could attribute, and the
hand assignment of one. The city's figures are the bureau's, so only city staff see the list and decide a district
by hand; no row scope (they see every record)."""

from __future__ import annotations

from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy._scopes import CITY_STAFF

RESOURCES = [
    Resource("district_attribution", "所属区归属", {
        "view": Action(roles(*CITY_STAFF), "查看待归属记录"),
        "assign": Action(roles(*CITY_STAFF), "人工指定所属区"),
    }),
]
