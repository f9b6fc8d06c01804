"""Demo records of the marketplace, generated after the demo enterprises, patents and trademarks
(see ipbureau.demo.generator.DOMAIN_DEMO_MODULES): listings, open licences, deals, licences,
pledges, technology demands, pushes and their notices, all on demo enterprises' own patents
(an enterprise lists only patents it is an applicant of, as market.patents.check_holder requires).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, or_, select

from ipbureau.auth.models import User
from ipbureau.enterprises.models import Enterprise
from ipbureau.market import embeddings
from ipbureau.market.enums import DealStatus, DemandStatus, FeeBasis, LicenceType, ListingKind, ListingStatus, PushKind
from ipbureau.market.models import (
    Deal,
    Demand,
    Licence,
    Listing,
    OpenLicence,
    PatentEmbedding,
    Pledge,
    Push,
    listing_patent,
    pledge_patent,
    push_patent,
)
from ipbureau.notices.models import Notice
from ipbureau.patents.models import Patent, PatentApplicant

# Volumes for the full demo (30,000 patents, ~2,900 enterprises); a smaller demo gets what its
# patents allow.
LISTINGS = 500
OPEN_LICENCES = 60
DEALS_DONE = 110
DEALS_IN_PROGRESS = 25
DEALS_CANCELLED = 15
FREE_LICENCES = 10
PLEDGES = 80
DEMANDS = 150
PUSHES = 12
BANKS = ("中国银行天津市分行", "中国工商银行天津市分行", "中国建设银行天津市分行", "天津银行", "渤海银行",
         "天津农商银行", "交通银行天津市分行", "浦发银行天津分行", "招商银行天津分行", "兴业银行天津分行")
NEEDS = ("寻求{t}相关技术，用于现有产线升级，希望以许可或转让方式合作",
         "我公司需要{t}方面的成熟技术，要求可量产、成本可控",
         "征集{t}的解决方案，用于新产品开发，可共建联合实验室",
         "希望引进{t}技术，提高产品性能和良品率",
         "需要解决{t}中的关键工艺问题，预算可面议")


def _ids(session: Any, query: Any) -> list[int]:
    return list(session.scalars(query))


def delete_demo(session: Any) -> dict[str, int]:
    """Delete every market and notice row that references a demo enterprise or a demo patent,
    including rows users created in the UI, children before parents."""
    ents = select(Enterprise.id).where(Enterprise.dataset == "demo")
    pats = select(Patent.id).where(Patent.dataset == "demo")
    listings = _ids(session, select(Listing.id).where(or_(
        Listing.holder_enterprise_id.in_(ents),
        Listing.id.in_(select(listing_patent.c.listing_id).where(listing_patent.c.patent_id.in_(pats))))))
    open_licences = _ids(session, select(OpenLicence.id).where(or_(OpenLicence.holder_enterprise_id.in_(ents),
                                                                   OpenLicence.patent_id.in_(pats))))
    deals = _ids(session, select(Deal.id).where(or_(
        Deal.holder_enterprise_id.in_(ents), Deal.counterparty_enterprise_id.in_(ents), Deal.listing_id.in_(listings),
        Deal.open_licence_id.in_(open_licences))))
    licences = _ids(session, select(Licence.id).where(or_(
        Licence.licensor_enterprise_id.in_(ents), Licence.licensee_enterprise_id.in_(ents), Licence.patent_id.in_(pats),
        Licence.deal_id.in_(deals), Licence.open_licence_id.in_(open_licences))))
    pledges = _ids(session, select(Pledge.id).where(or_(
        Pledge.holder_enterprise_id.in_(ents), Pledge.listing_id.in_(listings),
        Pledge.id.in_(select(pledge_patent.c.pledge_id).where(pledge_patent.c.patent_id.in_(pats))))))
    demands = _ids(session, select(Demand.id).where(Demand.enterprise_id.in_(ents)))
    pushes = _ids(session, select(Push.id).where(or_(
        Push.enterprise_id.in_(ents), Push.demand_id.in_(demands), Push.source_patent_id.in_(pats),
        Push.id.in_(select(push_patent.c.push_id).where(push_patent.c.patent_id.in_(pats))))))
    demo_users = select(User.id).where(User.enterprise_id.in_(ents))
    notices = _ids(session, select(Notice.id).where(or_(
        Notice.enterprise_id.in_(ents), Notice.user_id.in_(demo_users),
        Notice.id.in_(select(Push.notice_id).where(Push.id.in_(pushes), Push.notice_id.is_not(None))))))

    def gone(statement_for, ids: list[int]) -> int:
        total = 0
        for start in range(0, len(ids), 2000):
            total += session.execute(statement_for(ids[start:start + 2000])).rowcount or 0
        return total

    counts = {}
    gone(lambda ids: delete(push_patent).where(push_patent.c.push_id.in_(ids)), pushes)
    counts["market_pushes"] = gone(lambda ids: delete(Push).where(Push.id.in_(ids)), pushes)
    counts["notices"] = gone(lambda ids: delete(Notice).where(Notice.id.in_(ids)), notices)
    counts["market_licences"] = gone(lambda ids: delete(Licence).where(Licence.id.in_(ids)), licences)
    counts["market_deals"] = gone(lambda ids: delete(Deal).where(Deal.id.in_(ids)), deals)
    gone(lambda ids: delete(pledge_patent).where(pledge_patent.c.pledge_id.in_(ids)), pledges)
    counts["market_pledges"] = gone(lambda ids: delete(Pledge).where(Pledge.id.in_(ids)), pledges)
    gone(lambda ids: delete(listing_patent).where(listing_patent.c.listing_id.in_(ids)), listings)
    counts["market_listings"] = gone(lambda ids: delete(Listing).where(Listing.id.in_(ids)), listings)
    counts["market_open_licences"] = gone(lambda ids: delete(OpenLicence).where(OpenLicence.id.in_(ids)), open_licences)
    counts["market_demands"] = gone(lambda ids: delete(Demand).where(Demand.id.in_(ids)), demands)
    session.execute(delete(PatentEmbedding).where(PatentEmbedding.patent_id.in_(pats)))
    return counts


def _moment(rng: random.Random, start: date, end: date) -> datetime:
    span = max((end - start).days, 0)
    day = start + timedelta(days=rng.randint(0, span))
    return datetime.combine(day, time(rng.randint(1, 10), rng.randint(0, 59)), tzinfo=timezone.utc)


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    # Log-uniform: many small deals, a few large ones, as on real platforms.
    value = low * (high / low) ** rng.random()
    return Decimal(int(value / 1000) * 1000 or 1000)


def load_demo(session: Any, rng: random.Random, *, as_of: date) -> str:
    """Create the marketplace's demo rows; return a short Chinese summary."""
    rows = session.execute(
        select(PatentApplicant.enterprise_id, Patent.id, Patent.title)
        .join(Patent, Patent.id == PatentApplicant.patent_id)
        .join(Enterprise, Enterprise.id == PatentApplicant.enterprise_id)
        .where(Patent.dataset == "demo", Enterprise.dataset == "demo", Patent.legal_status == "valid",
               or_(Patent.lapse_date.is_(None), Patent.lapse_date > as_of))
        .order_by(Patent.id, PatentApplicant.position)).all()
    if not rows:
        return ""
    enterprises = {e.id: e for e in session.scalars(select(Enterprise).where(Enterprise.dataset == "demo"))}
    demo_user = session.scalar(select(User).where(User.username == "demo-enterprise"))
    staff = session.scalar(select(User).where(User.username == "demo-bureau"))
    own_id = demo_user.enterprise_id if demo_user else None
    held: dict[int, tuple[int, str]] = {}
    for enterprise_id, patent_id, title in rows:
        held.setdefault(patent_id, (enterprise_id, title))
    patent_ids = list(held)
    rng.shuffle(patent_ids)
    # demo-enterprise's own patents first, so its user has listings to see.
    patent_ids.sort(key=lambda pid: held[pid][0] != own_id)
    start = date(2021, 1, 1)
    enterprise_ids = sorted(enterprises)

    def other_than(enterprise_id: int) -> int:
        while True:
            pick = rng.choice(enterprise_ids)
            if pick != enterprise_id or len(enterprise_ids) == 1:
                return pick

    n_open = min(OPEN_LICENCES, len(patent_ids) // 10)
    n_list = min(LISTINGS, len(patent_ids) - n_open - PLEDGES)
    listed_ids, open_ids = patent_ids[:n_list], patent_ids[n_list:n_list + n_open]
    pledge_pool = patent_ids[n_list + n_open:] or patent_ids

    listings: list[Listing] = []
    for pid in listed_ids:
        holder, title = held[pid]
        kind = rng.choices((ListingKind.TRANSFER, ListingKind.LICENCE, ListingKind.PLEDGE), (45, 45, 10))[0]
        published = _moment(rng, start, as_of)
        status = rng.choices((ListingStatus.PUBLISHED, ListingStatus.WITHDRAWN), (95, 5))[0]
        listing = Listing(holder_enterprise_id=holder, kind=kind, status=status, title=title[:200],
                          price_negotiable=rng.random() < 0.3,
                          licence_type=LicenceType.ORDINARY if kind == ListingKind.LICENCE else None,
                          region="天津市" if rng.random() < 0.5 else "全国", submitted_at=published - timedelta(days=2),
                          published_at=published, reviewed_by=staff.id if staff else None,
                          created_at=published - timedelta(days=3), updated_at=published)
        if not listing.price_negotiable:
            listing.price_yuan = _amount(rng, 20_000, 2_000_000)
        listing.patents = [session.get(Patent, pid)]
        listings.append(listing)
    # A few still in review or in draft, for the reviewers' queue.
    for listing in listings[-8:]:
        listing.status, listing.published_at = rng.choice((ListingStatus.SUBMITTED, ListingStatus.DRAFT)), None
    session.add_all(listings)

    declarations = []
    for pid in open_ids:
        holder, _title = held[pid]
        published = _moment(rng, start, as_of)
        free = rng.random() < 0.15
        basis = rng.choice((FeeBasis.LUMP_SUM, FeeBasis.PER_YEAR, FeeBasis.SALES_PERCENT))
        fee = Decimal(0) if free else (Decimal(rng.choice((1, 2, 3, 5))) if basis == FeeBasis.SALES_PERCENT
                                       else _amount(rng, 5_000, 100_000))
        declarations.append(OpenLicence(patent_id=pid, holder_enterprise_id=holder, fee_amount=fee, fee_basis=basis,
                                        payment_method=rng.choice(("银行转账，签订许可后30日内支付", "按年度银行转账",
                                                                   "按季度结算提成")),
                                        term_start=published.date(), term_end=published.date() + timedelta(days=365 * 3),
                                        published_at=published, created_at=published, updated_at=published))
    session.add_all(declarations)
    session.flush()

    published = [x for x in listings if x.published_at is not None and x.kind != ListingKind.PLEDGE]
    rng.shuffle(published)
    deals: list[Deal] = []
    licences: list[Licence] = []
    free_left = FREE_LICENCES
    total_amount = Decimal(0)
    for i, listing in enumerate(published[:DEALS_DONE + DEALS_IN_PROGRESS + DEALS_CANCELLED]):
        opened = listing.published_at + timedelta(days=rng.randint(5, 60))
        if opened.date() > as_of:
            opened = listing.published_at
        deal = Deal(kind=listing.kind, listing_id=listing.id, holder_enterprise_id=listing.holder_enterprise_id,
                    counterparty_enterprise_id=other_than(listing.holder_enterprise_id),
                    licence_type=listing.licence_type, created_at=opened, updated_at=opened)
        if i < DEALS_DONE:
            free = listing.kind == ListingKind.LICENCE and free_left > 0 and rng.random() < 0.3
            free_left -= free
            deal.free_licence = free
            deal.amount_yuan = Decimal(0) if free else _amount(rng, 10_000, 600_000)
            signed = opened + timedelta(days=rng.randint(10, 40))
            done = min(signed + timedelta(days=rng.randint(10, 40)),
                       datetime.combine(as_of, time(9), tzinfo=timezone.utc))
            deal.status, deal.signed_on, deal.contract_no = DealStatus.DONE, signed.date(), f"JY{listing.id:06d}"
            deal.filing_no, deal.filed_on, deal.done_at = f"2{signed.year}12{listing.id:07d}", signed.date(), done
            deal.updated_at = done
            total_amount += deal.amount_yuan
            if listing.kind == ListingKind.TRANSFER:
                listing.status = ListingStatus.CLOSED
            else:
                licences.append(Licence(patent_id=listing.patents[0].id, licensor_enterprise_id=deal.holder_enterprise_id,
                                        licensee_enterprise_id=deal.counterparty_enterprise_id,
                                        licence_type=LicenceType.ORDINARY, fee_amount=deal.amount_yuan,
                                        fee_basis=FeeBasis.LUMP_SUM, free=free, term_start=signed.date(),
                                        term_end=signed.date() + timedelta(days=365 * 3), created_at=done,
                                        updated_at=done))
                licences[-1].deal = deal
        elif i < DEALS_DONE + DEALS_IN_PROGRESS:
            deal.status = rng.choice((DealStatus.INTENTION, DealStatus.NEGOTIATION, DealStatus.CONTRACT, DealStatus.FILING))
            if deal.status in (DealStatus.CONTRACT, DealStatus.FILING):
                deal.amount_yuan, deal.signed_on = _amount(rng, 10_000, 600_000), opened.date()
            if deal.status == DealStatus.FILING:
                deal.filing_no, deal.filed_on = f"2{opened.year}12{listing.id:07d}", opened.date()
        else:
            deal.status, deal.cancel_reason = DealStatus.CANCELLED, rng.choice(("双方价格未达成一致", "需求方技术路线调整",
                                                                                "专利权人另行转让"))
        deals.append(deal)
    session.add_all(deals)
    session.add_all(licences)

    pledges = []
    pool = list(pledge_pool)
    rng.shuffle(pool)
    for pid in pool[:PLEDGES]:
        holder, _title = held[pid]
        day = _moment(rng, start, as_of).date()
        pledge = Pledge(holder_enterprise_id=holder, pledgee_bank=rng.choice(BANKS), amount_yuan=_amount(rng, 1_000_000, 30_000_000),
                        registration_no=f"Y{day.year}990{rng.randint(10000, 99999)}", registered_on=day,
                        term_start=day, term_end=day + timedelta(days=365 * rng.choice((1, 2, 3))))
        pledge.patents = [session.get(Patent, pid)]
        pledges.append(pledge)
    session.add_all(pledges)

    titles = [held[pid][1] for pid in patent_ids]
    # A demand asks for what an enterprise of its own industry chain offers (a patent on offer held by another
    # enterprise of that chain): a cosmetics brush wanted by a biotech firm made its own IPC profile and chain pull
    # biomedical patents to the top (found checking the first ten demands' matches in the browser).
    offered_by_chain: dict[str | None, list[tuple[int, str]]] = {}
    for pid in [x.patents[0].id for x in listings if x.status == ListingStatus.PUBLISHED] + list(open_ids):
        holder, title = held[pid]
        offered_by_chain.setdefault(enterprises[holder].industry_chain, []).append((holder, title))
    demands = []
    for i in range(DEMANDS):
        enterprise_id = own_id if (i == 0 and own_id) else rng.choice(enterprise_ids)
        enterprise = enterprises[enterprise_id]
        pool = [title for holder, title in offered_by_chain.get(enterprise.industry_chain, []) if holder != enterprise_id]
        topic = rng.choice(pool or titles).removeprefix("一种").split("及其")[0][:30]
        posted = _moment(rng, start, as_of)
        status = DemandStatus.OPEN if rng.random() < 0.7 or i == 0 else DemandStatus.CLOSED
        demands.append(Demand(enterprise_id=enterprise_id, status=status, title=f"{topic}技术需求"[:200],
                              description=rng.choice(NEEDS).format(t=topic), industry_chain=enterprise.industry_chain,
                              budget_yuan=None if rng.random() < 0.3 else _amount(rng, 50_000, 3_000_000),
                              region="天津市", contact_person=enterprise.contact_person,
                              contact_email=f"demand{i + 1}@demo.ipbureau.invalid", posted_at=posted,
                              closed_at=posted + timedelta(days=90) if status == DemandStatus.CLOSED else None,
                              created_at=posted, updated_at=posted))
    session.add_all(demands)
    session.flush()

    # A few pushes with their notices: demo-enterprise's demand first (its user sees the notice).
    pushable = [x for x in listings if x.status == ListingStatus.PUBLISHED]
    pushes = 0
    for demand in [d for d in demands if d.status == DemandStatus.OPEN][:PUSHES]:
        chosen = [x.patents[0] for x in rng.sample(pushable, min(3, len(pushable)))
                  if x.holder_enterprise_id != demand.enterprise_id]
        if not chosen:
            continue
        when = demand.posted_at + timedelta(days=rng.randint(1, 20))
        notice = Notice(enterprise_id=demand.enterprise_id, title=f"技术需求匹配结果：{demand.title}"[:200],
                        body="平台为您匹配了以下专利：\n" + "\n".join(f"{p.application_no} {p.title}" for p in chosen),
                        link=f"/market/demands/{demand.id}", created_at=when, created_by=staff.id if staff else None)
        session.add(notice)
        session.flush()
        push = Push(kind=PushKind.DEMAND, enterprise_id=demand.enterprise_id, demand_id=demand.id, pushed_at=when,
                    pushed_by=staff.id if staff else None, notice_id=notice.id, email_to=demand.contact_email)
        push.patents = chosen
        session.add(push)
        pushes += 1
    session.flush()
    # Vectors of the offer and the demands: ``ipbureau embed-missing`` (the whole texts take e5 about half a second
    # a patent on this machine), not a background thread in the generator's process, which ends with it.
    embeddings.defer_background(session)
    done = sum(1 for d in deals if d.status == DealStatus.DONE)
    return (f"交易运营：挂牌 {len(listings)} 项、开放许可 {len(declarations)} 件、成交 {done} 项"
            f"（{total_amount / 10000:,.0f} 万元，免费许可 {sum(1 for x in licences if x.free)} 项）、"
            f"质押 {len(pledges)} 笔、技术需求 {len(demands)} 项、推送 {pushes} 次")
