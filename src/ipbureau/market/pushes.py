"""Matches and pushes (匹配与推送): the patents on offer ranked for a demand, the enterprises that may need a patent
on offer, and staff pushing either list to an enterprise.

A push is one staff action that writes several records in the request's transaction: the push with its patents
(what the indicator 企业匹配推送数 counts), an in-app notice to the enterprise, an e-mail through the configured
sender when the enterprise gave an address, and the audit entry. City staff push to any enterprise, district staff
to their district's (the policy: ``market.demand`` push, ``market.recommendation`` push).

Ranking only reads: vectors missing from the table are computed in memory (see market.embeddings).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.core.errors import Conflict, DomainError
from ipbureau.database.core import utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.market import matching
from ipbureau.market.demands import get_demand
from ipbureau.market.enums import PushKind
from ipbureau.market.models import Demand, Push
from ipbureau.market.workflows import DEMAND
from ipbureau.notices import service as notices
from ipbureau.notices.senders import MailSender, get_sender
from ipbureau.patents.models import Patent
from ipbureau.policy import policy

RECOMMENDATION = "market.recommendation"
MAX_PUSH = 20


def _chosen(ids: Sequence[int], field_name: str) -> list[int]:
    chosen = list(dict.fromkeys(ids))
    if not chosen:
        raise DomainError(field_name, "请至少选择一项")
    if len(chosen) > MAX_PUSH:
        raise DomainError(field_name, f"一次最多推送 {MAX_PUSH} 项")
    return chosen


def _latest_email(session: Session, enterprise_id: int) -> str | None:
    return session.scalar(select(Demand.contact_email).where(Demand.enterprise_id == enterprise_id,
                                                             Demand.contact_email.is_not(None))
                          .order_by(Demand.posted_at.desc()).limit(1))


def _deliver(session: Session, *, actor: Any, enterprise: Enterprise, kind: PushKind, patents: list[Patent],
             title: str, body: str, link: str, email_to: str | None, sender: MailSender | None,
             demand: Demand | None = None, source_patent: Patent | None = None,
             ip_address: str | None = None) -> Push:
    notice = notices.create(session, title=title, body=body, link=link, enterprise_id=enterprise.id,
                            created_by=actor.id)
    if email_to:
        (sender or get_sender()).send(email_to, title, f"{enterprise.name}：\n\n{body}\n\n请登录平台查看：{link}\n")
    push = Push(kind=kind, enterprise_id=enterprise.id, demand_id=demand.id if demand else None,
                source_patent_id=source_patent.id if source_patent else None, pushed_at=utcnow(), pushed_by=actor.id,
                notice_id=notice.id, email_to=email_to)
    push.patents = patents
    session.add(push)
    session.flush()
    audit.record(session, actor=actor, action="market.push.create", entity_type="market_push", entity_id=push.id,
                 summary=f"推送{kind.label}：{enterprise.name}（{len(patents)} 件专利）", ip_address=ip_address,
                 changes=audit.diff({}, {"kind": kind.value, "enterprise_id": enterprise.id, "demand_id": push.demand_id,
                                         "source_patent_id": push.source_patent_id,
                                         "patents": [p.application_no for p in patents], "email_to": email_to}))
    return push


def push_demand_matches(session: Session, user: Any, demand_id: int, patent_ids: Sequence[int], *,
                        sender: MailSender | None = None, ip_address: str | None = None) -> Push:
    """Send the chosen matching patents to the demanding enterprise (notice + e-mail)."""
    demand = get_demand(session, user, demand_id, "push")
    DEMAND.check(demand, "push")
    offered = {c.patent_id: c for c in matching.load_candidates(session)}
    chosen = []
    for pid in _chosen(patent_ids, "推送专利"):
        if pid not in offered:
            raise DomainError("推送专利", f"编号为 {pid} 的专利不在挂牌或开放许可中，不能推送")
        if offered[pid].holder_id == demand.enterprise_id:
            raise DomainError("推送专利", f"{offered[pid].application_no} 是本企业自己的专利")
        chosen.append(offered[pid])
    lines = [f"{i}. {c.application_no} {c.title}（{c.holder_name}）{c.link}" for i, c in enumerate(chosen, 1)]
    body = f"针对贵企业发布的技术需求“{demand.title}”，平台为您匹配了以下专利：\n" + "\n".join(lines)
    return _deliver(session, actor=user, enterprise=demand.enterprise, kind=PushKind.DEMAND,
                    patents=[session.get(Patent, c.patent_id) for c in chosen],
                    title=f"技术需求匹配结果：{demand.title}"[:200], body=body, link=f"/market/demands/{demand.id}",
                    email_to=demand.contact_email, sender=sender, demand=demand, ip_address=ip_address)


def push_patent(session: Session, user: Any, patent_id: int, enterprise_ids: Sequence[int], *,
                sender: MailSender | None = None, ip_address: str | None = None) -> list[Push]:
    """Recommend a patent on offer to candidate enterprises (one push and notice each)."""
    policy.require(user, RECOMMENDATION, "push")
    patent = policy.get(session, user, "patent", patent_id)
    candidate = {c.patent_id: c for c in matching.load_candidates(session)}.get(patent.id)
    if candidate is None:
        raise Conflict("状态", f"{patent.application_no} 不在挂牌或开放许可中，不能推送")
    pushes = []
    for enterprise_id in _chosen(enterprise_ids, "推送企业"):
        enterprise = session.get(Enterprise, enterprise_id)
        if enterprise is None:
            raise DomainError("推送企业", f"编号为 {enterprise_id} 的企业不存在")
        if enterprise_id == candidate.holder_id:
            raise DomainError("推送企业", f"{enterprise.name}是该专利的专利权人")
        policy.authorize(session, user, RECOMMENDATION, "push", enterprise)
        body = (f"平台向贵企业推荐专利 {patent.application_no}“{patent.title}”（专利权人：{candidate.holder_name}），"
                f"可在线洽谈交易或取得许可：{candidate.link}")
        pushes.append(_deliver(session, actor=user, enterprise=enterprise, kind=PushKind.PATENT, patents=[patent],
                               title=f"专利推荐：{patent.title}"[:200], body=body, link=candidate.link,
                               email_to=_latest_email(session, enterprise_id), sender=sender, source_patent=patent,
                               ip_address=ip_address))
    return pushes


# ---- reading ---------------------------------------------------------------------------------------------

def demand_matches(session: Session, user: Any, demand_id: int, *, limit: int = 10) -> tuple[Demand, list[Any]]:
    """The patents on offer that best fit the demand (hybrid BM25 + embeddings + IPC/chain/district), explained."""
    demand = get_demand(session, user, demand_id)
    return demand, matching.match_demand(session, demand, limit=limit)


def patent_matches(session: Session, user: Any, patent_id: int, *,
                   limit: int = 20) -> tuple[Patent, matching.Candidate | None, list[matching.EnterpriseMatch]]:
    """The enterprises that may need the patent (their demands and profiles), explained, and the patent's offer
    (None: not on offer, so it cannot be pushed)."""
    policy.require(user, RECOMMENDATION, "view")
    patent = policy.get(session, user, "patent", patent_id)
    candidate = {c.patent_id: c for c in matching.load_candidates(session)}.get(patent.id)
    return patent, candidate, matching.match_enterprises(session, patent, limit=limit)
