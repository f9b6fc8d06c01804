"""Marketplace (交易运营): listings, open licences, deals, licences, pledges, roles, audit, statistics."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.auth import service as auth
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User, UserCreate
from ipbureau.core.errors import DomainError, Forbidden, NotFound, TransitionError
from ipbureau.core.forms import FormInvalid, validate
from ipbureau.enterprises.models import Enterprise
from ipbureau.market import deals, listings, open_licences, pledges, stats
from ipbureau.market.enums import DealStatus, LicenceType, ListingStatus
from ipbureau.market.models import Licence
from ipbureau.market.schemas import (
    DealCreate,
    DealStep,
    ListingCreate,
    ListingFilters,
    ListingUpdate,
    OpenLicenceCreate,
    PledgeCreate,
)
from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc
from tests.conftest import PASSWORD, bearer, csrf_from, login

_serial = itertools.count(1)
TODAY = date.today()


def add_patent(db, holder: Enterprise | None, *, status: str = "valid", lapse: date | None = None,
               title: str | None = None, ipc: str = "G06F16/00") -> Patent:
    n = next(_serial)
    patent = Patent(application_no=f"CN2021{n:08d}.X", patent_type="invention", title=title or f"交易测试专利{n}",
                    legal_status=status, lapse_date=lapse, record_hash=f"{n:064d}", ipc_main=ipc)
    patent.applicants = [PatentApplicant(position=0, name=holder.name if holder else "他人", enterprise_id=holder.id if holder else None)]
    patent.ipc_codes = [PatentIpc(position=0, code=ipc, subclass=ipc[:4])]
    db.add(patent)
    db.flush()
    return patent


@pytest.fixture
def other(db):
    ent = Enterprise(credit_code="91120000MA05N5L64B", name="天津受让方有限公司", district_code="120101")
    db.add(ent)
    db.commit()
    return ent


def add_user(db, username: str, display_name: str, *, enterprise: Enterprise | None = None,
             role: Role = Role.ENTERPRISE, district_code: str | None = None) -> User:
    """A user (password PASSWORD) of the enterprise, or of a district for district staff."""
    user = auth.create(db, UserCreate(username=username, display_name=display_name, password=PASSWORD, role=role,
                                      enterprise_id=enterprise.id if enterprise else None,
                                      district_code=district_code))
    db.commit()
    return user


@pytest.fixture
def other_user(db, other):
    return add_user(db, "other_ent", "受让方", enterprise=other)


def listing_input(**values) -> ListingCreate:
    return validate(ListingCreate, values)


def _listing(db, users, enterprise, *, kind="licence", licence_type="ordinary", price="50000", patents=None):
    patents = patents or [add_patent(db, enterprise)]
    return listings.create_listing(db, users["enterprise"], listing_input(
        kind=kind, patents=[p.application_no for p in patents], price_yuan=price, licence_type=licence_type,
        region="天津市", term_start=TODAY, term_end=TODAY + timedelta(days=365)))


def _published(db, users, enterprise, **kwargs):
    listing = _listing(db, users, enterprise, **kwargs)
    listings.move_listing(db, users["enterprise"], listing.id, "submit")
    listings.move_listing(db, users["bureau_staff"], listing.id, "approve")
    db.commit()
    return listing


def _message(exc_info) -> str:
    return str(exc_info.value)


# ---- listings -------------------------------------------------------------------------------------

def test_listing_workflow_states_and_audit(db, users, enterprise):
    listing = _listing(db, users, enterprise)
    assert listing.status == ListingStatus.DRAFT and listing.price_yuan == 50000
    with pytest.raises(TransitionError, match="草稿的挂牌不能审核通过并发布"):
        listings.move_listing(db, users["bureau_staff"], listing.id, "approve")
    listings.move_listing(db, users["enterprise"], listing.id, "submit")
    assert listing.status == ListingStatus.SUBMITTED
    with pytest.raises(DomainError, match="驳回理由"):
        listings.move_listing(db, users["bureau_staff"], listing.id, "reject")
    listings.move_listing(db, users["bureau_staff"], listing.id, "reject", reason="价格说明不清")
    assert listing.status == ListingStatus.REJECTED and listing.reject_reason == "价格说明不清"
    # Rejected: editable (back to draft) and resubmittable.
    listings.update_listing(db, users["enterprise"], listing.id, validate(ListingUpdate, dict(
        kind="licence", patents=[p.application_no for p in listing.patents], price_negotiable=True,
        licence_type="exclusive")))
    assert listing.status == ListingStatus.DRAFT and listing.price_yuan is None and listing.price_negotiable
    listings.move_listing(db, users["enterprise"], listing.id, "submit")
    listings.move_listing(db, users["admin"], listing.id, "approve")
    assert listing.status == ListingStatus.PUBLISHED and listing.published_at is not None
    with pytest.raises(TransitionError):
        listings.update_listing(db, users["enterprise"], listing.id, validate(ListingUpdate, dict(
            kind="transfer", patents=listing.patents[0].application_no, price_yuan="1")))
    listings.move_listing(db, users["enterprise"], listing.id, "withdraw")
    assert listing.status == ListingStatus.WITHDRAWN
    with pytest.raises(TransitionError):
        listings.move_listing(db, users["enterprise"], listing.id, "close")
    db.commit()
    actions = db.scalars(select(AuditLog.action).where(AuditLog.entity_type == "market_listing",
                                                       AuditLog.entity_id == str(listing.id)).order_by(AuditLog.id)).all()
    assert actions == ["market.listing.create", "market.listing.submit", "market.listing.reject",
                       "market.listing.update", "market.listing.submit", "market.listing.approve",
                       "market.listing.withdraw"]
    approve = db.scalar(select(AuditLog).where(AuditLog.action == "market.listing.approve"))
    assert approve.changes["status"] == ["submitted", "published"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"price_yuan": "-1"}, "挂牌价格：不能小于 0"),
    ({"term_start": "2023-05-01", "term_end": "2023-04-01"}, "挂牌期限：结束日期必须晚于开始日期"),
    ({"licence_type": None}, "许可类型"),
    ({"kind": "gift"}, "无效，可选"),
    ({"patents": "CN999999999999.9"}, "专利：申请号为 CN999999999999.9 的专利不存在"),
])
def test_listing_bad_input_names_the_field(db, users, enterprise, changes, message):
    patent = add_patent(db, enterprise)
    values = {"kind": "licence", "patents": patent.application_no, "price_yuan": "100", "licence_type": "ordinary",
              **changes}
    with pytest.raises(DomainError) as exc_info:
        listings.create_listing(db, users["enterprise"], listing_input(**values))
    assert message in _message(exc_info)
    if isinstance(exc_info.value, FormInvalid):  # a schema's message: it names the field it is about
        assert exc_info.value.problems[0]["loc"] in changes


def test_listing_requires_valid_patent_held_by_the_lister(db, users, enterprise, other):
    lapsed = add_patent(db, enterprise, lapse=TODAY - timedelta(days=1))
    invalid = add_patent(db, enterprise, status="invalid")
    foreign = add_patent(db, other)
    for patent, text in ((lapsed, "失效"), (invalid, "不是有效专利（法律状态：无权）"), (foreign, "专利权人中没有天津测试科技有限公司")):
        with pytest.raises(DomainError) as exc_info:
            listings.create_listing(db, users["enterprise"], listing_input(kind="transfer", patents=patent.application_no,
                                                                           price_yuan="1"))
        assert _message(exc_info).startswith("专利：") and text in _message(exc_info)
    # Staff on behalf must name the holder, and the same check applies.
    with pytest.raises(DomainError, match="专利权人企业"):
        listings.create_listing(db, users["bureau_staff"], listing_input(kind="transfer", patents=foreign.application_no,
                                                                         price_yuan="1"))
    with pytest.raises(DomainError, match="专利权人中没有"):
        listings.create_listing(db, users["bureau_staff"], listing_input(
            kind="transfer", patents=foreign.application_no, price_yuan="1", holder_enterprise_id=enterprise.id))
    listing = listings.create_listing(db, users["bureau_staff"], listing_input(
        kind="transfer", patents=foreign.application_no, price_yuan="1", holder_enterprise_id=other.id))
    assert listing.holder_enterprise_id == other.id
    with pytest.raises(Forbidden):
        listings.create_listing(db, users["public"], listing_input(kind="transfer", patents=foreign.application_no,
                                                                   price_yuan="1"))


def test_enterprise_cannot_review_and_other_enterprise_cannot_act(db, users, enterprise, other_user):
    listing = _listing(db, users, enterprise)
    listings.move_listing(db, users["enterprise"], listing.id, "submit")
    with pytest.raises(Forbidden):
        listings.move_listing(db, users["enterprise"], listing.id, "approve")
    # Another enterprise does not even see a listing under review: it is not there for it (404, not 403).
    with pytest.raises(NotFound):
        listings.move_listing(db, other_user, listing.id, "withdraw")
    with pytest.raises(Forbidden):
        listings.move_listing(db, users["district_staff"], listing.id, "approve")


def test_listing_filters(db, users, enterprise):
    a = _published(db, users, enterprise, price="1000", patents=[add_patent(db, enterprise, title="一种锂电池隔膜", ipc="H01M50/40")])
    b = _published(db, users, enterprise, kind="transfer", licence_type=None, price="90000",
                   patents=[add_patent(db, enterprise, title="图像识别方法")])
    _listing(db, users, enterprise)  # a draft is never listed

    def ids(**kwargs):
        return {x.id for x in listings.published_listings(db, users["public"], ListingFilters(**kwargs))[0]}

    assert ids() == {a.id, b.id}
    assert ids(kind="transfer") == {b.id}
    assert ids(ipc="h01m") == {a.id}
    assert ids(keyword="锂电池") == {a.id}
    assert ids(price_min=5000) == {b.id} and ids(price_max=5000) == {a.id}
    assert ids(district="120116") == {a.id, b.id} and ids(district="120101") == set()


# ---- open licences ------------------------------------------------------------------------------------

def _declare(db, users, patent, fee="0", **kwargs):
    return open_licences.declare_open_licence(db, users["enterprise"], validate(OpenLicenceCreate, dict(
        patent=patent.application_no, fee_amount=fee, fee_basis="lump_sum", payment_method="银行转账", **kwargs)))


def test_open_licence_declare_accept_withdraw(db, users, enterprise, other_user):
    patent = add_patent(db, enterprise)
    declaration = _declare(db, users, patent)
    assert declaration.status == "published"
    with pytest.raises(DomainError, match="已有公告中的开放许可声明"):
        _declare(db, users, patent)
    with pytest.raises(DomainError, match="被许可企业：专利权人不能接受自己的开放许可"):
        open_licences.accept_open_licence(db, users["enterprise"], declaration.id)
    licence = open_licences.accept_open_licence(db, other_user, declaration.id)
    assert licence.licence_type == LicenceType.OPEN and licence.free and licence.fee_amount == 0
    open_licences.withdraw_open_licence(db, users["enterprise"], declaration.id)
    with pytest.raises(TransitionError):
        open_licences.accept_open_licence(db, other_user, declaration.id)
    with pytest.raises(TransitionError):
        open_licences.withdraw_open_licence(db, users["enterprise"], declaration.id)
    db.commit()
    assert db.get(Licence, licence.id).in_force(TODAY)  # existing licences continue after withdrawal
    assert db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action.like("market.%"))) == 3


def test_open_licence_rejects_bad_input_and_exclusive_licence_in_force(db, users, enterprise, other):
    with pytest.raises(DomainError, match="许可使用费：不能小于 0"):
        _declare(db, users, add_patent(db, enterprise), fee="-5")
    with pytest.raises(DomainError, match="专利：.*不是有效专利"):
        _declare(db, users, add_patent(db, enterprise, status="invalid"))
    with pytest.raises(DomainError, match="许可期限：结束日期必须晚于开始日期"):
        _declare(db, users, add_patent(db, enterprise), term_start=TODAY, term_end=TODAY - timedelta(days=3))
    patent = add_patent(db, enterprise)
    db.add(Licence(patent_id=patent.id, licensor_enterprise_id=enterprise.id, licensee_enterprise_id=other.id,
                   licence_type=LicenceType.EXCLUSIVE, term_start=TODAY - timedelta(days=10),
                   term_end=TODAY + timedelta(days=10)))
    db.flush()
    with pytest.raises(DomainError) as exc_info:
        _declare(db, users, patent)
    assert _message(exc_info).startswith("专利：") and "独占许可" in _message(exc_info)
    # An expired exclusive licence no longer blocks.
    expired = add_patent(db, enterprise)
    db.add(Licence(patent_id=expired.id, licensor_enterprise_id=enterprise.id, licensee_enterprise_id=other.id,
                   licence_type=LicenceType.SOLE, term_start=TODAY - timedelta(days=100),
                   term_end=TODAY - timedelta(days=1)))
    db.flush()
    assert _declare(db, users, expired).status == "published"


# ---- deals --------------------------------------------------------------------------------------------

def _step(db, user, deal, action, **values):
    return deals.move_deal(db, user, deal.id, action, DealStep(**values))


def test_deal_workflow_creates_licence_and_blocks_open_licence(db, users, enterprise, other_user):
    listing = _published(db, users, enterprise, licence_type="exclusive")
    deal = deals.open_deal(db, other_user, DealCreate(listing_id=listing.id))
    assert deal.status == DealStatus.INTENTION and deal.counterparty_enterprise_id == other_user.enterprise_id
    with pytest.raises(TransitionError, match="意向的交易不能签约"):
        _step(db, other_user, deal, "sign", amount_yuan="100")
    _step(db, users["enterprise"], deal, "negotiate")
    with pytest.raises(DomainError, match="成交金额：签约时必须填写大于 0 的金额"):
        _step(db, other_user, deal, "sign", amount_yuan="0")
    with pytest.raises(DomainError, match="成交金额：请填写金额"):
        _step(db, other_user, deal, "sign")
    _step(db, other_user, deal, "sign", amount_yuan="200000", contract_no="HT-1", term_end=TODAY + timedelta(days=700))
    with pytest.raises(DomainError, match="备案号"):
        _step(db, users["enterprise"], deal, "file", filed_on=TODAY)
    _step(db, users["enterprise"], deal, "file", filing_no="2023120000001", filed_on=TODAY)
    _step(db, users["bureau_staff"], deal, "complete")
    assert deal.status == DealStatus.DONE and listing.status == ListingStatus.CLOSED
    with pytest.raises(TransitionError):
        _step(db, users["enterprise"], deal, "cancel", reason="x")
    db.commit()
    licence = db.scalar(select(Licence).where(Licence.deal_id == deal.id))
    assert licence.licence_type == LicenceType.EXCLUSIVE and licence.fee_amount == 200000
    with pytest.raises(DomainError, match="独占许可"):
        _declare(db, users, listing.patents[0])
    assert db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.entity_type == "market_deal")) == 5


def test_free_licence_deal_and_cancel(db, users, enterprise, other, other_user):
    listing = _published(db, users, enterprise)
    deal = deals.open_deal(db, other_user, DealCreate(listing_id=listing.id, free_licence=True))
    _step(db, other_user, deal, "negotiate")
    _step(db, other_user, deal, "sign")
    assert deal.amount_yuan == 0
    second = deals.open_deal(db, other_user, DealCreate(listing_id=listing.id))
    with pytest.raises(DomainError, match="取消原因"):
        _step(db, other_user, second, "cancel")
    _step(db, other_user, second, "cancel", reason="需求变化")
    assert second.status == DealStatus.CANCELLED
    with pytest.raises(DomainError, match="交易对方：交易对方不能是专利权人自己"):
        deals.open_deal(db, users["bureau_staff"], DealCreate(listing_id=listing.id,
                                                              counterparty_enterprise_id=enterprise.id))
    draft = _listing(db, users, enterprise)
    # Another enterprise does not see a draft (404); staff, who do, may not trade on it until it is published (409).
    with pytest.raises(NotFound):
        deals.open_deal(db, other_user, DealCreate(listing_id=draft.id))
    with pytest.raises(TransitionError, match="草稿的挂牌不能洽谈交易"):
        deals.open_deal(db, users["bureau_staff"], DealCreate(listing_id=draft.id, counterparty_enterprise_id=other.id))


def test_pledge_registration(db, users, enterprise, other):
    patent = add_patent(db, enterprise)

    def pledge(**values):
        return pledges.register_pledge(db, users["enterprise"], validate(PledgeCreate, {
            "patents": patent.application_no, "pledgee_bank": "天津银行", "amount_yuan": "5000000",
            "registered_on": TODAY, **values}))

    registered = pledge()
    assert registered.patents == [patent]
    with pytest.raises(FormInvalid, match="不能小于 0") as exc_info:
        pledge(amount_yuan="-1")
    assert exc_info.value.problems[0]["loc"] == "amount_yuan"
    with pytest.raises(DomainError, match="专利权人中没有"):
        pledge(patents=add_patent(db, other).application_no, pledgee_bank="x", amount_yuan="1")
    db.commit()
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "market.pledge.create"))
    assert entry.changes["pledgee_bank"] == [None, "天津银行"]
    assert entry.changes["amount_yuan"] == [None, "5000000.00"] and entry.changes["patents"] == [[], [patent.application_no]]


# ---- statistics -------------------------------------------------------------------------------------------

def test_stats_change_as_listings_and_deals_are_made(db, users, enterprise, other_user):
    year = TODAY.year
    before = stats.market_stats(db, year)
    assert (before.listed, before.deals_done, before.patents_counted, before.target) == (0, 0, 0, 1000)
    listing = _published(db, users, enterprise)
    _declare(db, users, add_patent(db, enterprise), fee="0")
    deal = deals.open_deal(db, other_user, DealCreate(listing_id=listing.id))
    for action, extra in (("negotiate", {}), ("sign", {"amount_yuan": "30000"}),
                          ("file", {"filing_no": "B1", "filed_on": TODAY}), ("complete", {})):
        _step(db, other_user, deal, action, **extra)
    db.commit()
    figures = stats.market_stats(db, year)
    assert (figures.listed, figures.open_licences, figures.deals_done, figures.deals_amount) == (1, 1, 1, 30000)
    assert figures.patents_counted == 2  # the listed-and-licensed patent counts once
    # The engine places events on their UTC day.
    month = figures.by_month[listing.published_at.month - 1]
    assert month.listed == 1 and sum(m.deals_done for m in figures.by_month) == 1
    assert month.patents_cumulative >= 1 and figures.by_month[-1].patents_cumulative == 2
    assert [(d.district_code, d.listed) for d in figures.by_district] == [("120116", 1)]
    assert stats.market_stats(db, year, district_code="120101").listed == 0
    assert stats.market_stats(db, year - 1).listed == 0
    # District staff read their own district's figures, whatever they ask for.
    assert stats.stats_for(db, users["district_staff"]).district_code == "120116"
    assert stats.stats_for(db, users["bureau_staff"]).district_code is None


# ---- HTTP: roles and visibility --------------------------------------------------------------------------

def test_pages_and_api_roles(client, db, users, enterprise, other_user):
    published = _published(db, users, enterprise, patents=[add_patent(db, enterprise, title="公开的挂牌专利")])
    draft = _listing(db, users, enterprise, patents=[add_patent(db, enterprise, title="草稿中的专利")])
    deal = deals.open_deal(db, users["bureau_staff"], DealCreate(listing_id=published.id,
                                                                 counterparty_enterprise_id=other_user.enterprise_id))
    _step(db, users["bureau_staff"], deal, "negotiate")
    _step(db, users["bureau_staff"], deal, "sign", amount_yuan="123456")
    db.commit()

    public = bearer(client, "public_user")
    assert client.get(f"/api/market/listings/{published.id}", headers=public).status_code == 200
    assert client.get(f"/api/market/listings/{draft.id}", headers=public).status_code == 404
    assert [x["id"] for x in client.get("/api/market/listings", headers=public).json()["items"]] == [published.id]
    # A deal is not the public's: it is not there for them (404, as for a deal that does not exist).
    assert client.get(f"/api/market/deals/{deal.id}", headers=public).status_code == 404
    assert client.get("/api/market/stats", headers=public).status_code == 403

    outsider = client.post("/api/auth/token", json={"username": "agency_user", "password": "correct-horse-42"}).json()
    response = client.get(f"/api/market/deals/{deal.id}", headers={"Authorization": f"Bearer {outsider['access_token']}"})
    assert response.status_code == 404 and "123456" not in response.text
    party = bearer(client, "other_ent")
    assert client.get(f"/api/market/deals/{deal.id}", headers=party).json()["amount_yuan"] == 123456
    assert client.get(f"/api/market/deals/{deal.id}", headers=bearer(client, "district_staff_user")).status_code == 200

    holder = bearer(client, "enterprise_user")
    response = client.post(f"/api/market/listings/{draft.id}/approve", headers=holder)
    assert response.status_code == 403
    response = client.post(f"/api/market/listings/{draft.id}/close", headers=holder)
    assert response.status_code == 409 and "草稿的挂牌不能标记为已成交" in response.json()["detail"]
    response = client.post("/api/market/listings", headers=holder,
                           json={"kind": "transfer", "patents": [published.patents[0].application_no], "price_yuan": -3})
    assert response.status_code == 422 and response.json()["detail"] == "输入有误：挂牌价格：不能小于 0"
    district = bearer(client, "district_staff_user")
    assert client.post(f"/api/market/listings/{draft.id}/submit", headers=district).status_code == 403
    figures = client.get("/api/market/stats", headers=bearer(client, "bureau_staff_user")).json()
    assert figures["listed"] == 1 and figures["target"] == 1000


def test_pages_render_and_forms_use_csrf(client, db, users, enterprise):
    patent = add_patent(db, enterprise, title="表单挂牌专利")
    db.commit()
    login(client, "enterprise_user")
    page = client.get("/market")
    assert page.status_code == 200 and "交易运营" in page.text and "知识产权展示交易" in page.text
    new = client.get("/market/listings/new")
    response = client.post("/market/listings", data={
        "csrf_token": csrf_from(new.text), "kind": "transfer", "patents": patent.application_no, "price_yuan": "-10"})
    assert response.status_code == 422 and "挂牌价格：不能小于 0" in response.text
    response = client.post("/market/listings", data={
        "csrf_token": csrf_from(new.text), "kind": "transfer", "patents": patent.application_no, "price_yuan": "8000",
        "then_submit": "1"}, follow_redirects=False)
    assert response.status_code == 303
    detail = client.get(response.headers["location"])
    assert "待审核" in detail.text and "表单挂牌专利" in detail.text
    assert client.post("/market/listings", data={"kind": "transfer", "patents": patent.application_no}).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(page.text)})
    login(client, "bureau_staff_user")
    figures = client.get("/market/stats")
    assert figures.status_code == 200 and "1000" in figures.text and "<svg" in figures.text


def test_counterparty_completing_a_transfer_closes_the_listing(db, users, enterprise, other_user):
    listing = _published(db, users, enterprise, kind="transfer", licence_type=None)
    deal = deals.open_deal(db, other_user, DealCreate(listing_id=listing.id))
    for action, extra in (("negotiate", {}), ("sign", {"amount_yuan": "1000"}),
                          ("file", {"filing_no": "B2", "filed_on": TODAY}), ("complete", {})):
        _step(db, other_user, deal, action, **extra)
    assert deal.status == DealStatus.DONE and listing.status == ListingStatus.CLOSED
    # The counterparty still cannot close (or withdraw) the holder's listing by itself.
    other = _published(db, users, enterprise, kind="transfer", licence_type=None)
    with pytest.raises(Forbidden):
        listings.move_listing(db, other_user, other.id, "close")
