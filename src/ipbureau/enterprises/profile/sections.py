"""The sections of an enterprise's profile, each built by a small function from other domains' records.

A section function returns a ``Section`` or None when the enterprise has no such records, so the page shows
what exists. The private sections (deals, pledges, cases, services) are built only for users who may see the
enterprise's non-public data (``enterprise.view_private``, checked by ``profile.service``); everyone signed in
sees the public ones. Sections read the other domains' models (and the services' read function), never their
views.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ipbureau.enterprises.models import Enterprise
from ipbureau.enterprises.services.service import services_of
from ipbureau.market.enums import (
    DealStatus,
    ListingKind,
    ListingStatus,
    OpenLicenceStatus,
)
from ipbureau.market.models import Deal, Licence, Listing, OpenLicence, Pledge
from ipbureau.patents.enums import LegalStatus, PatentType
from ipbureau.patents.models import Patent, PatentApplicant
from ipbureau.protection.disputes.enums import DisputeKind, DisputeStatus, PartySide
from ipbureau.protection.disputes.models import DisputeCase, DisputeParty
from ipbureau.protection.enforcement.enums import CaseCategory
from ipbureau.protection.enforcement.enums import CaseStatus as EnforcementStatus
from ipbureau.protection.enforcement.models import EnforcementCase
from ipbureau.protection.preexam.enums import CaseStatus as PreexamStatus
from ipbureau.protection.preexam.models import Case as PreexamCase
from ipbureau.trademarks.enums import TrademarkStatus
from ipbureau.trademarks.models import Trademark

LATEST = 10


@dataclass
class Section:
    key: str
    title: str
    # Summary figures: (label, value)
    figures: list[tuple[str, Any]] = field(default_factory=list)
    # A table: headers and rows of cells; a cell is text or (text, href).
    headers: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    link: tuple[str, str] | None = None  # (text, href)
    note: str | None = None


SectionBuilder = Callable[[Session, Enterprise], Section | None]


def patents_section(session: Session, enterprise: Enterprise) -> Section | None:
    patent_ids = select(PatentApplicant.patent_id).where(PatentApplicant.enterprise_id == enterprise.id)
    by_type_status = session.execute(select(Patent.patent_type, Patent.legal_status, func.count())
                                     .where(Patent.id.in_(patent_ids))
                                     .group_by(Patent.patent_type, Patent.legal_status)).all()
    if not by_type_status:
        return None
    total = sum(n for _t, _s, n in by_type_status)
    figures: list[tuple[str, Any]] = [("专利总数", total)]
    for patent_type in PatentType:
        n = sum(c for t, _s, c in by_type_status if t == patent_type.value)
        valid = sum(c for t, s, c in by_type_status if t == patent_type.value and s == LegalStatus.VALID.value)
        if n:
            figures.append((patent_type.label, f"{n}（有效 {valid}）"))
    for status in LegalStatus:
        n = sum(c for _t, s, c in by_type_status if s == status.value)
        if n:
            figures.append((status.label, n))
    latest = session.scalars(select(Patent).where(Patent.id.in_(patent_ids))
                             .order_by(Patent.filing_date.desc().nulls_last(), Patent.id.desc()).limit(LATEST)).all()
    return Section("patents", "专利", figures, ["申请号", "名称", "类型", "申请日", "法律状态"],
                   [[(p.application_no, f"/patents/{p.id}"), p.title, PatentType(p.patent_type).label,
                     p.filing_date, LegalStatus(p.legal_status).label] for p in latest],
                   link=("在专利检索中查看全部", "/search?" + urlencode({"applicant": enterprise.name})))


def trademarks_section(session: Session, enterprise: Enterprise) -> Section | None:
    counts = session.execute(select(Trademark.status, func.count()).where(Trademark.enterprise_id == enterprise.id)
                             .group_by(Trademark.status)).all()
    if not counts:
        return None
    figures = [("商标总数", sum(n for _s, n in counts))] + [(TrademarkStatus(s).label, n) for s, n in counts]
    latest = session.scalars(select(Trademark).where(Trademark.enterprise_id == enterprise.id)
                             .order_by(Trademark.filing_date.desc(), Trademark.id.desc()).limit(LATEST)).all()
    return Section("trademarks", "商标", figures, ["申请号", "商标", "类别", "申请日", "状态"],
                   [[t.application_no, t.mark_name, t.primary_class, t.filing_date, TrademarkStatus(t.status).label]
                    for t in latest],
                   link=("商标列表", "/trademarks?" + urlencode({"q": enterprise.name})))


def market_public_section(session: Session, enterprise: Enterprise) -> Section | None:
    """Published listings and open-licence declarations: public on the marketplace anyway."""
    listings = session.scalars(select(Listing).where(Listing.holder_enterprise_id == enterprise.id,
                                                     Listing.published_at.is_not(None))
                               .order_by(Listing.published_at.desc()).limit(LATEST)).all()
    licences = session.scalars(select(OpenLicence).where(OpenLicence.holder_enterprise_id == enterprise.id)
                               .order_by(OpenLicence.published_at.desc()).limit(LATEST)).all()
    if not listings and not licences:
        return None
    rows = [[("挂牌：" + listing.title, f"/market/listings/{listing.id}"), ListingKind(listing.kind).label,
             ListingStatus(listing.status).label, listing.published_at.date() if listing.published_at else None]
            for listing in listings]
    rows += [[f"开放许可：{o.patent.application_no} {o.patent.title}", "开放许可", OpenLicenceStatus(o.status).label,
              o.published_at.date()] for o in licences]
    return Section("market", "交易运营（公开）", [("挂牌项目", len(listings)), ("开放许可声明", len(licences))],
                   ["项目", "类型", "状态", "发布日期"], rows)


def market_private_section(session: Session, enterprise: Enterprise) -> Section | None:
    """Deals (either side), licences and pledges: the parties and staff only."""
    deals = session.scalars(select(Deal).where(or_(Deal.holder_enterprise_id == enterprise.id,
                                                   Deal.counterparty_enterprise_id == enterprise.id))
                            .order_by(Deal.id.desc()).limit(LATEST)).all()
    licences = session.scalars(select(Licence).where(or_(Licence.licensor_enterprise_id == enterprise.id,
                                                         Licence.licensee_enterprise_id == enterprise.id))
                               .order_by(Licence.id.desc()).limit(LATEST)).all()
    pledges = session.scalars(select(Pledge).where(Pledge.holder_enterprise_id == enterprise.id)
                              .order_by(Pledge.registered_on.desc()).limit(LATEST)).all()
    if not deals and not licences and not pledges:
        return None
    rows: list[list[Any]] = []
    for d in deals:
        other = d.counterparty if d.holder_enterprise_id == enterprise.id else d.holder
        rows.append([(f"交易 #{d.id}", f"/market/deals/{d.id}"), ListingKind(d.kind).label, other.name,
                     DealStatus(d.status).label, d.amount_yuan])
    for lic in licences:
        other = lic.licensee if lic.licensor_enterprise_id == enterprise.id else lic.licensor
        rows.append([f"许可 {lic.patent.application_no}", "许可", other.name,
                     f"{lic.term_start} 至 {lic.term_end or '—'}", lic.fee_amount])
    for p in pledges:
        rows.append([f"质押 {p.registration_no or p.id}", "质押融资", p.pledgee_bank, p.registered_on, p.amount_yuan])
    return Section("market_private", "交易、许可与质押（非公开）",
                   [("交易", len(deals)), ("许可", len(licences)), ("质押登记", len(pledges))],
                   ["项目", "类型", "对方", "状态/日期", "金额（元）"], rows)


# ---- protection cases (pre-examination, disputes, enforcement) -----------------------------------------


def preexam_section(session: Session, enterprise: Enterprise) -> Section | None:
    cases = session.scalars(select(PreexamCase).where(PreexamCase.enterprise_id == enterprise.id)
                            .order_by(PreexamCase.received_at.desc()).limit(LATEST)).all()
    if not cases:
        return None
    total = session.scalar(select(func.count()).select_from(PreexamCase)
                           .where(PreexamCase.enterprise_id == enterprise.id))
    return Section("preexam", "专利预审（非公开）", [("预审案件", total)], ["案件编号", "名称", "状态", "受理日期"],
                   [[(c.case_no, f"/preexam/cases/{c.id}"), c.title, _label(PreexamStatus, c.status),
                     c.received_at.date() if c.received_at else None] for c in cases])


def disputes_section(session: Session, enterprise: Enterprise) -> Section | None:
    rows = session.execute(select(DisputeCase, DisputeParty.side)
                           .join(DisputeParty, DisputeParty.case_id == DisputeCase.id)
                           .where(DisputeParty.enterprise_id == enterprise.id)
                           .order_by(DisputeCase.received_on.desc()).limit(LATEST)).all()
    if not rows:
        return None
    return Section("disputes", "纠纷调解与行政裁决（非公开）", [("案件", len(rows))],
                   ["案件编号", "类型", "本企业为", "状态", "登记日期"],
                   [[(c.case_no, f"/disputes/{c.id}"), _label(DisputeKind, c.kind), _label(PartySide, side),
                     _label(DisputeStatus, c.status), c.received_on] for c, side in rows])


def enforcement_section(session: Session, enterprise: Enterprise) -> Section | None:
    cases = session.scalars(select(EnforcementCase).where(EnforcementCase.party_enterprise_id == enterprise.id)
                            .order_by(EnforcementCase.opened_on.desc()).limit(LATEST)).all()
    if not cases:
        return None
    return Section("enforcement", "行政执法（非公开）", [("涉及本企业的案件", len(cases))],
                   ["案件编号", "类别", "状态", "立案日期", "罚没款（元）"],
                   [[(c.case_no, f"/enforcement/{c.id}"), _label(CaseCategory, c.category), _label(EnforcementStatus, c.status),
                     c.opened_on, c.fines_yuan] for c in cases])


def _label(enum_class: Any, value: Any) -> str:
    try:
        return enum_class(str(value)).label
    except ValueError:
        return str(value or "")


def services_section(session: Session, enterprise: Enterprise) -> Section | None:
    found = services_of(session, enterprise.id)
    if not any(found.values()):
        return None
    rows: list[list[Any]] = []
    for v in found["visits"]:
        rows.append([v.visited_on, "服务走访", v.team.name,
                     f"服务人员 {v.staff_count} 人，提出问题 {v.problems_raised} 个，解决 {v.problems_solved} 个"])
    for training, headcount in found["trainings"]:
        rows.append([training.held_on, "培训", training.title, f"{headcount} 人参加"])
    for fee in found["fees"]:
        rows.append([fee.recorded_on, "专利费用减缴", f"{fee.year} 年", f"{fee.amount_yuan:,.2f} 元，{fee.patents_count} 件专利"])
    rows.sort(key=lambda r: r[0], reverse=True)
    return Section("services", "企业服务（非公开）",
                   [("走访", len(found["visits"])), ("参训", len(found["trainings"])), ("费用减缴", len(found["fees"]))],
                   ["日期", "类别", "事项", "情况"], rows)


PUBLIC_SECTIONS: tuple[SectionBuilder, ...] = (patents_section, trademarks_section, market_public_section)
PRIVATE_SECTIONS: tuple[SectionBuilder, ...] = (
    market_private_section,
    preexam_section,
    disputes_section,
    enforcement_section,
    services_section,
)


def sections(session: Session, enterprise: Enterprise, *, private: bool) -> list[Section]:
    builders = PUBLIC_SECTIONS + (PRIVATE_SECTIONS if private else ())
    return [s for s in (build(session, enterprise) for build in builders) if s is not None]
