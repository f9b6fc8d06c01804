"""The marketplace on the kernel: who sees which record (a hidden record is 404, like a missing one), the
workflows' refused steps (409) and audit entries, bounded input on every kind of route (422 in Chinese), and
reads that never write (the matching pages compute missing vectors in memory)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.core.errors import TransitionError
from ipbureau.enterprises.models import Enterprise
from ipbureau.market import deals, demands, embeddings, licences, open_licences, pledges
from ipbureau.market.enums import LicenceType
from ipbureau.market.models import Licence, PatentEmbedding, Pledge
from ipbureau.market.schemas import DealCreate, DemandCreate, OpenLicenceCreate, PledgeCreate
from ipbureau.market.workflows import LICENCE, PLEDGE, WORKFLOWS
from ipbureau.notices import service as notices
from ipbureau.policy import policy
from tests.conftest import bearer, login
from tests.market.test_market import _listing, _published, add_patent, add_user

TODAY = date.today()
DEMAND_TEXT = "我司生产动力电池，需要提高锂电池隔膜耐热性的涂覆技术，防止热失控"


@pytest.fixture
def rival(db):
    """Another enterprise, in another district (和平区), with its own user."""
    ent = Enterprise(credit_code="91120000MA05N5L64B", name="天津和平区企业有限公司", district_code="120101")
    db.add(ent)
    db.flush()
    add_user(db, "rival_ent", "另一企业", enterprise=ent)
    add_user(db, "heping_staff", "和平区局", role=Role.DISTRICT_STAFF, district_code="120101")
    return ent


def _deal(db, users, enterprise, rival):
    listing = _published(db, users, enterprise)
    deal = deals.open_deal(db, users["bureau_staff"], DealCreate(listing_id=listing.id,
                                                                 counterparty_enterprise_id=rival.id))
    db.commit()
    return deal


# ---- hidden records answer 404 -----------------------------------------------------------------------------

def test_a_deal_is_seen_by_its_parties_staff_and_their_districts_only(client, db, users, enterprise, rival):
    """Parties: the holder (滨海新区) and the counterparty (和平区); a third enterprise is not one."""
    deal = _deal(db, users, enterprise, rival)
    third = Enterprise(credit_code="91120116MA06AAAA1X", name="天津第三方有限公司", district_code="120116")
    db.add(third)
    db.commit()
    url = f"/api/market/deals/{deal.id}"
    for username in ("enterprise_user", "rival_ent", "bureau_staff_user", "admin_user", "district_staff_user",
                     "heping_staff"):
        assert client.get(url, headers=bearer(client, username)).status_code == 200, username
    for username in ("public_user", "agency_user", "examiner_user", "mediator_user", "enforcement_user"):
        response = client.get(url, headers=bearer(client, username))
        assert response.status_code == 404 and response.json()["detail"] == "交易不存在", username
    # The same answer as for a deal that does not exist, and no step either.
    assert client.get("/api/market/deals/999999", headers=bearer(client, "rival_ent")).status_code == 404
    refused = client.post(f"/api/market/deals/{deal.id}/negotiate", headers=bearer(client, "public_user"))
    assert refused.status_code == 403  # the role takes no deal step at all
    # A district's staff see the deals of their district's enterprises, and only those.
    assert [d["id"] for d in client.get("/api/market/deals", headers=bearer(client, "heping_staff")).json()["items"]] \
        == [deal.id]
    assert client.get("/api/market/deals", headers=bearer(client, "public_user")).json()["items"] == []


def test_unpublished_listings_are_the_holders_and_staffs(client, db, users, enterprise, rival):
    draft = _listing(db, users, enterprise)
    db.commit()
    url = f"/api/market/listings/{draft.id}"
    assert client.get(url, headers=bearer(client, "enterprise_user")).status_code == 200
    assert client.get(url, headers=bearer(client, "district_staff_user")).status_code == 200  # 滨海新区
    assert client.get(url, headers=bearer(client, "bureau_staff_user")).status_code == 200
    for username in ("rival_ent", "heping_staff", "public_user"):
        assert client.get(url, headers=bearer(client, username)).status_code == 404, username
    # Not visible, so not editable either: 404 before anything else.
    response = client.put(url, headers=bearer(client, "rival_ent"), json={"kind": "transfer", "patents": ["x"]})
    assert response.status_code == 404
    # The district's unpublished listings are the district staff's work list; not another district's.
    mine = client.get("/api/market/listings?mine=true", headers=bearer(client, "district_staff_user")).json()
    assert [x["id"] for x in mine["items"]] == [draft.id]
    assert client.get("/api/market/listings?mine=true", headers=bearer(client, "heping_staff")).json()["items"] == []


def test_demands_licences_and_pledges_are_their_enterprises(client, db, users, enterprise, rival):
    demand = demands.create_demand(db, users["enterprise"], DemandCreate(description=DEMAND_TEXT))
    patent = add_patent(db, enterprise)
    pledges.register_pledge(db, users["enterprise"], PledgeCreate(patents=[patent.application_no],
                                                                  pledgee_bank="天津银行", amount_yuan="100",
                                                                  registered_on=TODAY))
    declaration = open_licences.declare_open_licence(db, users["enterprise"], OpenLicenceCreate(
        patent=patent.application_no, fee_amount="0", fee_basis="lump_sum", payment_method="转账"))
    rival_user = db.scalar(select(User).where(User.username == "rival_ent"))
    open_licences.accept_open_licence(db, rival_user, declaration.id)
    db.commit()
    url = f"/api/market/demands/{demand.id}"
    assert client.get(url, headers=bearer(client, "district_staff_user")).status_code == 200
    for username in ("rival_ent", "heping_staff", "public_user"):
        assert client.get(url, headers=bearer(client, username)).status_code == 404, username
    assert client.post(f"{url}/close", headers=bearer(client, "rival_ent")).status_code == 404
    # District staff may push only to their district's enterprises: another district's demand is not there for them.
    assert client.post(f"{url}/push", headers=bearer(client, "heping_staff"), json={"patent_ids": [1]}).status_code == 404
    # The licence is the licensor's and the licensee's; the pledge the pledging enterprise's.
    for username, seen in (("enterprise_user", 1), ("rival_ent", 1), ("bureau_staff_user", 1), ("agency_user", 0),
                           ("district_staff_user", 0)):
        assert len(client.get("/api/market/licences", headers=bearer(client, username)).json()["items"]) == seen
    for username, seen in (("enterprise_user", 1), ("rival_ent", 0), ("bureau_staff_user", 1), ("public_user", 0)):
        assert len(client.get("/api/market/pledges", headers=bearer(client, username)).json()["items"]) == seen
    # A public declaration: every signed-in user reads it; only the holder's side withdraws it (403 for the others).
    assert client.get(f"/api/market/open-licences/{declaration.id}", headers=bearer(client, "public_user")).status_code == 200
    response = client.post(f"/api/market/open-licences/{declaration.id}/withdraw", headers=bearer(client, "rival_ent"))
    assert response.status_code == 403


def test_notices_are_their_addressees(client, db, users, enterprise, rival):
    to_user = notices.create(db, title="给个人", user_id=users["public"].id)
    to_enterprise = notices.create(db, title="给企业", enterprise_id=enterprise.id)
    db.commit()
    assert [n["title"] for n in client.get("/api/notices", headers=bearer(client, "public_user")).json()["items"]] == [
        "给个人"]
    assert [n["title"] for n in client.get("/api/notices", headers=bearer(client, "enterprise_user")).json()["items"]] == [
        "给企业"]
    for notice, stranger in ((to_user, "enterprise_user"), (to_enterprise, "rival_ent"), (to_enterprise, "public_user")):
        assert client.post(f"/api/notices/{notice.id}/read", headers=bearer(client, stranger)).status_code == 404
    read = client.post(f"/api/notices/{to_enterprise.id}/read", headers=bearer(client, "enterprise_user"))
    assert read.status_code == 200 and read.json()["read"] is True


# ---- workflows: refused steps and audit entries -----------------------------------------------------------

def test_every_workflow_names_policy_actions_that_exist():
    for workflow in WORKFLOWS:
        resource = policy.resource(workflow.resource)
        for transition in workflow.transitions.values():
            assert transition.policy_action in resource.actions, (workflow.resource, transition.action)


def test_licences_and_pledges_are_filed_once_with_their_audit_entry(db, users, enterprise, rival):
    patent = add_patent(db, enterprise)
    licence = licences.file_licence(db, users["bureau_staff"], patent_id=patent.id,
                                    licensor_enterprise_id=enterprise.id, licensee_enterprise_id=rival.id,
                                    licence_type=LicenceType.ORDINARY, fee_amount=None, free=True, term_start=TODAY)
    pledge = pledges.register_pledge(db, users["enterprise"], PledgeCreate(
        patents=[patent.application_no], pledgee_bank="渤海银行", amount_yuan="1000", registered_on=TODAY))
    db.commit()
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "market.licence.create"))
    assert entry.entity_id == str(licence.id) and entry.changes["licensee_enterprise_id"] == [None, rival.id]
    assert entry.changes["filing_status"] == [None, "filed"]
    # A stored licence or pledge is not filed a second time: the one transition error (409) of the workflow.
    for workflow, record in ((LICENCE, db.get(Licence, licence.id)), (PLEDGE, db.get(Pledge, pledge.id))):
        with pytest.raises(TransitionError, match="^状态：已登记的") as exc_info, \
                workflow.step(db, record, "create", actor=users["admin"], policy=None):
            pass
        assert exc_info.value.status == 409
    assert db.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action.in_(["market.licence.create", "market.pledge.create"]))) == 2


def test_refused_steps_answer_409_on_the_api(client, db, users, enterprise, rival):
    deal = _deal(db, users, enterprise, rival)
    patent = add_patent(db, enterprise)
    declaration = open_licences.declare_open_licence(db, users["enterprise"], OpenLicenceCreate(
        patent=patent.application_no, fee_amount="10", fee_basis="per_year", payment_method="转账"))
    db.commit()
    holder = bearer(client, "enterprise_user")
    response = client.post(f"/api/market/deals/{deal.id}/sign", headers=holder, json={"amount_yuan": 100})
    assert response.status_code == 409 and response.json()["detail"] == "状态：意向的交易不能签约"
    assert client.post(f"/api/market/deals/{deal.id}/negotiate", headers=holder).json()["status"] == "negotiation"
    signed = client.post(f"/api/market/deals/{deal.id}/sign", headers=bearer(client, "rival_ent"),
                         json={"amount_yuan": "2500.5", "signed_on": TODAY.isoformat()})
    assert signed.status_code == 200 and signed.json()["amount_yuan"] == 2500.5
    assert client.post(f"/api/market/open-licences/{declaration.id}/withdraw", headers=holder).status_code == 200
    again = client.post(f"/api/market/open-licences/{declaration.id}/withdraw", headers=holder)
    assert again.status_code == 409 and again.json()["detail"] == "状态：已撤回的开放许可声明不能撤回声明"
    accept = client.post(f"/api/market/open-licences/{declaration.id}/accept", headers=bearer(client, "rival_ent"))
    assert accept.status_code == 409
    steps = db.scalars(select(AuditLog.action).where(AuditLog.entity_type == "market_deal",
                                                     AuditLog.entity_id == str(deal.id)).order_by(AuditLog.id)).all()
    assert steps == ["market.deal.create", "market.deal.negotiate", "market.deal.sign"]
    sign = db.scalar(select(AuditLog).where(AuditLog.action == "market.deal.sign"))
    assert sign.changes["status"] == ["negotiation", "contract"] and sign.changes["amount_yuan"] == [None, "2500.50"]


# ---- bounded input: 422 in Chinese, never 500 -----------------------------------------------------------------

@pytest.mark.parametrize(("method", "url", "body", "field"), [
    ("get", "/api/market/listings/99999999999999999999999", None, "挂牌"),
    ("get", "/api/market/listings/0", None, "挂牌"),
    ("get", "/api/market/deals/٣", None, "交易"),
    ("get", "/api/market/listings?price_min=1e309", None, "最低价格"),
    ("get", "/api/market/listings?price_max=-5", None, "最高价格"),
    ("get", "/api/market/listings?price_min=nan", None, "最低价格"),
    ("get", "/api/market/listings?offset=-1", None, "起始位置"),
    ("get", "/api/market/listings?limit=100000", None, "每页条数"),
    ("get", "/api/market/stats?year=-1", None, "年份"),
    ("get", "/api/market/stats?year=100000000000000000000", None, "年份"),
    ("get", "/api/market/demands/1/matches?limit=0", None, "每页条数"),
    ("post", "/api/market/pledges", {"patents": ["x"], "pledgee_bank": "b", "amount_yuan": "1e400",
                                     "registered_on": "2023-01-01"}, None),
    ("post", "/api/market/pledges", {"patents": ["x"], "pledgee_bank": "b", "amount_yuan": "10",
                                     "registered_on": "2023-02-30"}, "登记日期"),
    ("post", "/api/market/deals", {"listing_id": 2**70}, "挂牌"),
    ("post", "/api/market/demands", {"description": DEMAND_TEXT, "budget_yuan": "Infinity"}, "预算"),
    ("post", "/api/notices/-4/read", None, "通知"),
])
def test_bad_numbers_and_dates_are_422_in_chinese(client, users, method, url, body, field):
    headers = bearer(client, "bureau_staff_user")
    response = getattr(client, method)(url, headers=headers, **({"json": body} if body is not None else {}))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("输入有误：") and detail.isascii() is False
    if field:
        assert f"{field}：" in detail


def test_bad_numbers_on_pages_are_422_pages(client, db, users):
    login(client, "bureau_staff_user")
    for url, field in (("/market?price_min=abc", "最低价格"), ("/market?offset=99999999999", "起始位置"),
                       ("/market/stats?year=99999", "年份"), ("/market/stats.xlsx?year=1e3", "年份"),
                       ("/market/listings/-1", "挂牌"), ("/market/patents/abc/matches", "专利")):
        response = client.get(url)
        assert response.status_code == 422 and field in response.text, url


# ---- reads never write ----------------------------------------------------------------------------------------

def test_matching_reads_compute_missing_vectors_in_memory(client, db, users, enterprise):
    """A GET that needs a vector not stored computes it without storing it (a write in a GET would raise), so two
    people opening the page at once cannot collide on the table's key; the write that puts a patent on offer stores
    it, and storing again (the text changed) replaces the row."""
    unlisted = add_patent(db, enterprise, title="一种锂离子电池隔膜")
    db.commit()
    staff = bearer(client, "bureau_staff_user")
    for _ in range(2):
        assert client.get(f"/api/market/patents/{unlisted.id}/matches", headers=staff).status_code == 200
    assert db.scalar(select(func.count()).select_from(PatentEmbedding)) == 0
    embeddings.ensure_patent_embeddings(db, [unlisted.id])
    first = db.scalar(select(PatentEmbedding.text_hash).where(PatentEmbedding.patent_id == unlisted.id))
    unlisted.title = "一种耐高温锂离子电池隔膜"
    db.flush()
    embeddings.ensure_patent_embeddings(db, [unlisted.id, unlisted.id])
    assert db.scalar(select(func.count()).select_from(PatentEmbedding)) == 1
    assert db.scalar(select(PatentEmbedding.text_hash).where(PatentEmbedding.patent_id == unlisted.id)) != first
