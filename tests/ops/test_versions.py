"""Two staff change the same record (issue 11.8): optimistic version checks.

Two browsers (two signed-in staff) open the same pre-examination case, dispute case, enforcement case, screening
case, listing or deal; both send a change with the version their page showed. The first succeeds; the second gets
409 with "该记录已被 <who> 于 <HH:MM> 修改，请刷新后再操作", nothing of it is written, and the record's audit log
shows the one change. The same through the API (``version`` in the body), and a write racing past the check is
refused by the ORM's version column (StaleDataError) with the same message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.core.workflow import StaleRecord
from ipbureau.database.core import get_sessionmaker
from ipbureau.enterprises.models import Enterprise
from ipbureau.market import deals, listings
from ipbureau.market.models import Deal, Listing
from ipbureau.market.schemas import DealCreate
from ipbureau.protection.disputes import service as disputes
from ipbureau.protection.disputes.models import DisputeCase
from ipbureau.protection.enforcement import service as enforcement
from ipbureau.protection.enforcement.models import EnforcementCase
from ipbureau.protection.enforcement.workflows import CASE as ENFORCEMENT_CASE
from ipbureau.protection.preexam.models import Case
from tests.conftest import bearer, csrf_from, login
from tests.enforcement.test_enforcement import _input as enforcement_input
from tests.market.test_market import _published, add_patent, listing_input
from tests.preexam.test_preexam_kernel import _centre, _file, _submit

TODAY = date.today()
VERSION = re.compile(r'name="version" value="(\d+)"')
STALE = re.compile(r"该记录已被 (\S+) 于 (\d{2}:\d{2}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}) 修改，请刷新后再操作")


@dataclass
class Scenario:
    """One record two staff open: its page, the entity in the audit log, the form each posts and what must hold."""

    record: Any
    page: str
    entity_type: str
    first: tuple[str, dict[str, str]]  # (url, form) of the first staff member's change
    second: tuple[str, dict[str, str]]  # of the second's, based on the same version
    kept: Callable[[Any], bool]  # the first change is what the record holds afterwards


def _preexam(db, users, enterprise) -> Scenario:
    staff = users["bureau_staff"]
    city = _centre(db)
    _file(db, staff, enterprise, city, ipc_fields="G06F")
    case = _submit(db, users["enterprise"], centre=city)
    db.commit()
    url = f"/preexam/cases/{case.id}/withdraw"
    return Scenario(case, f"/preexam/cases/{case.id}", "preexam_case", (url, {"reason": "企业申请撤回（甲）"}),
                    (url, {"reason": "材料不全（乙）"}), lambda c: c.closed_reason == "企业申请撤回（甲）")


def _dispute(db, users, enterprise) -> Scenario:
    case = disputes.register(db, users["bureau_staff"], dict(
        kind="mediation", ip_type="patent", claim="请求停止侵害", district_code="120116", handling_org="committee",
        received_on=TODAY, parties=[{"side": "requester", "credit_code": enterprise.credit_code},
                                    {"side": "respondent", "name": "李四", "is_person": True}],
        ip_numbers="ZL202110000001.X"), today=TODAY)
    db.commit()
    url = f"/disputes/{case.id}/assign"
    return Scenario(case, f"/disputes/{case.id}", "dispute_case",
                    (url, {"handler_id": str(users["mediator"].id)}),
                    (url, {"handler_id": str(users["bureau_staff"].id)}),
                    lambda c: c.handler_id == users["mediator"].id)


def _enforcement_form(**change: str) -> dict[str, str]:
    return {**{k: str(v) for k, v in enforcement_input().items()}, **change}


def _enforcement(db, users, enterprise) -> Scenario:
    case = enforcement.register(db, users["bureau_staff"], enforcement_input(), today=TODAY)
    db.commit()
    form = _enforcement_form()
    url = f"/enforcement/{case.id}/edit"
    return Scenario(case, url, "enforcement_case", (url, {**form, "summary": "甲核实的案情"}),
                    (url, {**form, "summary": "乙核实的案情"}), lambda c: c.summary == "甲核实的案情")


def _listing_form(listing: Listing, price: str) -> dict[str, str]:
    return {"kind": listing.kind, "patents": " ".join(p.application_no for p in listing.patents), "price_yuan": price,
            "licence_type": listing.licence_type or "", "region": "天津市", "term_start": TODAY.isoformat(),
            "term_end": (TODAY + timedelta(days=365)).isoformat()}


def _listing(db, users, enterprise) -> Scenario:
    listing = listings.create_listing(db, users["enterprise"], listing_input(
        kind="licence", patents=[add_patent(db, enterprise).application_no], price_yuan="50000",
        licence_type="ordinary", region="天津市", term_start=TODAY, term_end=TODAY + timedelta(days=365)))
    db.commit()
    url = f"/market/listings/{listing.id}/edit"
    return Scenario(listing, f"/market/listings/{listing.id}", "market_listing", (url, _listing_form(listing, "60000")),
                    (url, _listing_form(listing, "70000")), lambda x: float(x.price_yuan) == 60000)


def _deal(db, users, enterprise) -> Scenario:
    buyer = Enterprise(credit_code="91120000MA05N5L64B", name="天津受让方有限公司", district_code="120101")
    db.add(buyer)
    listing = _published(db, users, enterprise)
    deal = deals.open_deal(db, users["bureau_staff"], DealCreate(listing_id=listing.id,
                                                                  counterparty_enterprise_id=buyer.id))
    db.commit()
    return Scenario(deal, f"/market/deals/{deal.id}", "market_deal", (f"/market/deals/{deal.id}/negotiate", {}),
                    (f"/market/deals/{deal.id}/cancel", {"reason": "对方放弃"}), lambda d: d.status == "negotiation")


SCENARIOS = {"preexam": _preexam, "dispute": _dispute, "enforcement": _enforcement, "listing": _listing,
             "deal": _deal}
WHO = {"preexam": ("bureau_staff", "admin"), "dispute": ("bureau_staff", "admin"),
       "enforcement": ("bureau_staff", "admin"), "listing": ("enterprise", "bureau_staff"),
       "deal": ("bureau_staff", "admin")}


def _audit_count(db, entity_type: str, entity_id: int) -> int:
    return db.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.entity_type == entity_type, AuditLog.entity_id == str(entity_id)))


def _opened(client: TestClient, page: str) -> tuple[str, str]:
    """The page as a staff member opens it: its CSRF token and the version its forms carry."""
    response = client.get(page)
    assert response.status_code == 200, response.text
    versions = set(VERSION.findall(response.text))
    assert len(versions) == 1, f"every change form of {page} carries the one version shown: {versions}"
    return csrf_from(response.text), versions.pop()


@pytest.mark.parametrize("kind", SCENARIOS)
def test_second_of_two_staff_on_the_same_page_gets_409_and_nothing_is_overwritten(db, app, users, enterprise, kind):
    scenario = SCENARIOS[kind](db, users, enterprise)
    first_user, second_user = (users[role] for role in WHO[kind])
    before = _audit_count(db, scenario.entity_type, scenario.record.id)
    with TestClient(app) as first, TestClient(app) as second:
        login(first, first_user.username)
        login(second, second_user.username)
        first_csrf, first_version = _opened(first, scenario.page)
        second_csrf, second_version = _opened(second, scenario.page)
        assert first_version == second_version == str(scenario.record.version)

        url, form = scenario.first
        done = first.post(url, data={**form, "csrf_token": first_csrf, "version": first_version},
                          follow_redirects=False)
        assert done.status_code == 303, done.text
        url, form = scenario.second
        refused = second.post(url, data={**form, "csrf_token": second_csrf, "version": second_version},
                              follow_redirects=False)

    assert refused.status_code == 409, refused.text
    stale = STALE.search(refused.text)
    assert stale, refused.text
    assert stale.group(1) == first_user.display_name
    db.expire_all()
    record = db.get(type(scenario.record), scenario.record.id)
    assert scenario.kept(record), "the second change overwrote the first"
    assert record.version == int(first_version) + 1
    assert _audit_count(db, scenario.entity_type, record.id) == before + 1


def test_the_form_shown_again_after_a_refusal_keeps_the_version_first_seen(db, app, users, enterprise):
    """Sending the re-shown form again must not overwrite the change the user has not looked at."""
    scenario = _enforcement(db, users, enterprise)
    with TestClient(app) as first, TestClient(app) as second:
        login(first, users["bureau_staff"].username)
        login(second, users["admin"].username)
        first_csrf, seen = _opened(first, scenario.page)
        second_csrf, _ = _opened(second, scenario.page)
        url, form = scenario.first
        assert first.post(url, data={**form, "csrf_token": first_csrf, "version": seen},
                          follow_redirects=False).status_code == 303
        url, form = scenario.second
        refused = second.post(url, data={**form, "csrf_token": second_csrf, "version": seen}, follow_redirects=False)
        assert refused.status_code == 409
        assert VERSION.findall(refused.text) == [seen]
        again = second.post(url, data={**form, "csrf_token": second_csrf, "version": seen}, follow_redirects=False)
        assert again.status_code == 409
        # Reloading the page shows the current version: then the change goes through.
        second_csrf, current = _opened(second, scenario.page)
        assert int(current) == int(seen) + 1
        assert second.post(url, data={**form, "csrf_token": second_csrf, "version": current},
                           follow_redirects=False).status_code == 303
    db.expire_all()
    assert db.get(EnforcementCase, scenario.record.id).summary == "乙核实的案情"


# ---- the API -------------------------------------------------------------------------------------------------

def _api_get(client, url, headers) -> dict[str, Any]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


# (read url, method, write url, the first body, the second body) per kind of record
API_CALLS = {
    "preexam": lambda record, users: (
        f"/api/preexam/cases/{record.id}", "post", f"/api/preexam/cases/{record.id}/withdraw",
        {"reason": "企业申请撤回（甲）"}, {"reason": "材料不全（乙）"}),
    "dispute": lambda record, users: (
        f"/api/disputes/{record.id}", "post", f"/api/disputes/{record.id}/assign",
        {"handler_id": users["mediator"].id}, {"handler_id": users["bureau_staff"].id}),
    "enforcement": lambda record, users: (
        f"/api/enforcement/cases/{record.id}", "put", f"/api/enforcement/cases/{record.id}",
        _enforcement_form(summary="甲核实的案情"), _enforcement_form(summary="乙")),
    "listing": lambda record, users: (
        f"/api/market/listings/{record.id}", "put", f"/api/market/listings/{record.id}",
        _listing_form(record, "60000"), _listing_form(record, "70000")),
    "deal": lambda record, users: (
        f"/api/market/deals/{record.id}", "post", f"/api/market/deals/{record.id}/negotiate", {}, None),
}


@pytest.mark.parametrize("kind", API_CALLS)
def test_api_checks_the_version_when_given_and_stays_compatible_without(db, app, users, enterprise, kind):
    scenario = SCENARIOS[kind](db, users, enterprise)
    record = scenario.record
    first_user, second_user = (users[role] for role in WHO[kind])
    api = API_CALLS[kind](record, users)
    read_url, method, write_url, first_body, second_body = api
    with TestClient(app) as client:
        first, second = bearer(client, first_user.username), bearer(client, second_user.username)
        seen = _api_get(client, read_url, first)["version"]
        assert _api_get(client, read_url, second)["version"] == seen == record.version
        done = client.request(method, write_url, json={**first_body, "version": seen}, headers=first)
        assert done.status_code == 200, done.text
        assert done.json()["version"] == seen + 1
        if kind == "deal":  # the second staff member cancels the deal he saw before it went into negotiation
            write_url, second_body = f"/api/market/deals/{record.id}/cancel", {"reason": "对方放弃"}
        refused = client.request(method, write_url, json={**second_body, "version": seen}, headers=second)
        assert refused.status_code == 409, refused.text
        assert STALE.fullmatch(refused.json()["detail"]), refused.json()
        assert first_user.display_name in refused.json()["detail"]
        if kind in ("enforcement", "listing"):  # an edit without a version is still accepted (older clients)
            unversioned = client.request(method, write_url, json=second_body, headers=second)
            assert unversioned.status_code == 200, unversioned.text
            assert unversioned.json()["version"] == seen + 2
    db.expire_all()
    if kind not in ("enforcement", "listing"):
        assert scenario.kept(db.get(type(record), record.id))


def test_a_write_racing_past_the_check_is_refused_by_the_version_column(db, users, enterprise):
    """Two sessions load the same case; one commits a change; the other's step, without a version to compare,
    still cannot overwrite it: the ORM's UPDATE ... WHERE version = finds no row (StaleDataError) -> StaleRecord."""
    scenario = _enforcement(db, users, enterprise)
    other = get_sessionmaker()()
    try:
        mine = db.get(EnforcementCase, scenario.record.id)
        theirs = other.get(EnforcementCase, scenario.record.id)
        enforcement.update(other, users["admin"], theirs.id, {**enforcement_input(), "summary": "先提交的修改"},
                           today=TODAY)
        other.commit()
        assert mine.version == 1  # this session still holds the row as it was read
        with pytest.raises(StaleRecord) as refused:
            with ENFORCEMENT_CASE.step(db, mine, "update", actor=users["bureau_staff"], policy=None):
                mine.summary = "后提交的修改"
        assert STALE.fullmatch(refused.value.message)
        assert users["admin"].display_name in refused.value.message
    finally:
        other.close()
    db.expire_all()
    assert db.get(EnforcementCase, scenario.record.id).summary == "先提交的修改"


def test_every_record_two_staff_edit_is_versioned():
    from sqlalchemy import inspect

    from ipbureau.protection.screening.models import ScreeningCase

    for model in (Case, DisputeCase, EnforcementCase, ScreeningCase, Listing, Deal):
        assert inspect(model).version_id_col is not None, model.__name__


def test_a_step_that_only_adds_to_the_record_children_still_moves_its_version(db, users, enterprise):
    """Recording a mediation session changes no column of the case, yet a page opened before it is stale."""
    from ipbureau.protection.disputes import actions

    case = _dispute(db, users, enterprise).record
    seen = case.version
    actions.act(db, users["bureau_staff"], case.id, "session",
                {"held_on": TODAY.isoformat(), "participants": "双方当事人", "version": str(seen)}, today=TODAY)
    db.commit()
    assert case.version == seen + 1 and len(case.sessions) == 1
    with pytest.raises(StaleRecord) as refused:
        actions.act(db, users["admin"], case.id, "conclude",
                    {"outcome": "failed", "concluded_on": TODAY.isoformat(), "version": str(seen)}, today=TODAY)
    assert users["bureau_staff"].display_name in refused.value.message
    db.rollback()
    assert db.get(DisputeCase, case.id).status != "closed"
