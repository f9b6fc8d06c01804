"""Multi-step marketplace workflows: pushing match lists (推送) to enterprises.

A push is one staff action that writes several records in the caller's transaction: the push
itself with its patents (what the indicator 企业匹配推送数 counts), an in-app notice to the
enterprise, an e-mail through the configured sender when the enterprise gave an address, and
the audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.permissions import PermissionDenied
from ipbureau.database.core import utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.market import matching
from ipbureau.market.enums import DemandStatus, PushKind
from ipbureau.market.models import Demand, Push
from ipbureau.market.service import MarketError, TransitionError, _record, is_reviewer, role_of
from ipbureau.notices import service as notices
from ipbureau.notices.senders import MailSender, get_sender
from ipbureau.patents.models import Patent

MAX_PUSH = 20


def can_push(user: Any, enterprise: Enterprise) -> bool:
    """City staff push to anyone; district staff to enterprises of their district."""
    if is_reviewer(user):
        return True
    return role_of(user) == Role.DISTRICT_STAFF and bool(user.district_code) and \
        enterprise.district_code == user.district_code


def _require_push(user: Any, enterprise: Enterprise) -> None:
    if not can_push(user, enterprise):
        raise PermissionDenied("只有工作人员可以推送匹配结果（区局限本区企业）")


def _parse_ids(values: Any, field_name: str) -> list[int]:
    if isinstance(values, str):
        values = values.replace("，", ",").split(",")
    ids = []
    for value in values or []:
        text = str(value).strip()
        if not text:
            continue
        if not text.isdigit():
            raise MarketError(field_name, f"“{text}”不是有效的编号")
        if int(text) not in ids:
            ids.append(int(text))
    if not ids:
        raise MarketError(field_name, "请至少选择一项")
    if len(ids) > MAX_PUSH:
        raise MarketError(field_name, f"一次最多推送 {MAX_PUSH} 项")
    return ids


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
    _record(session, actor, "push.create", "market_push", push.id, f"推送{kind.label}：{enterprise.name}（{len(patents)} 件专利）",
            {}, {"kind": kind.value, "enterprise_id": enterprise.id, "demand_id": push.demand_id,
                 "source_patent_id": push.source_patent_id, "patents": [p.application_no for p in patents],
                 "email_to": email_to}, ip_address)
    return push


def push_demand_matches(session: Session, demand: Demand, patent_ids: Sequence[Any] | str, *, actor: Any,
                        sender: MailSender | None = None, ip_address: str | None = None) -> Push:
    """Send the chosen matching patents to the demanding enterprise (notice + e-mail)."""
    _require_push(actor, demand.enterprise)
    if demand.status != DemandStatus.OPEN:
        raise TransitionError("状态", "技术需求已关闭，不能再推送")
    ids = _parse_ids(patent_ids, "推送专利")
    offered = {c.patent_id: c for c in matching.load_candidates(session)}
    chosen = []
    for pid in ids:
        if pid not in offered:
            raise MarketError("推送专利", f"编号为 {pid} 的专利不在挂牌或开放许可中，不能推送")
        if offered[pid].holder_id == demand.enterprise_id:
            raise MarketError("推送专利", f"{offered[pid].application_no} 是本企业自己的专利")
        chosen.append(offered[pid])
    lines = [f"{i}. {c.application_no} {c.title}（{c.holder_name}）{c.link}" for i, c in enumerate(chosen, 1)]
    body = f"针对贵企业发布的技术需求“{demand.title}”，平台为您匹配了以下专利：\n" + "\n".join(lines)
    return _deliver(session, actor=actor, enterprise=demand.enterprise, kind=PushKind.DEMAND,
                    patents=[session.get(Patent, c.patent_id) for c in chosen],
                    title=f"技术需求匹配结果：{demand.title}"[:200], body=body, link=f"/market/demands/{demand.id}",
                    email_to=demand.contact_email, sender=sender, demand=demand, ip_address=ip_address)


def push_patent(session: Session, patent: Patent, enterprise_ids: Sequence[Any] | str, *, actor: Any,
                sender: MailSender | None = None, ip_address: str | None = None) -> list[Push]:
    """Recommend a patent on offer to candidate enterprises (one push and notice each)."""
    offered = {c.patent_id: c for c in matching.load_candidates(session)}
    candidate = offered.get(patent.id)
    if candidate is None:
        raise TransitionError("状态", f"{patent.application_no} 不在挂牌或开放许可中，不能推送")
    pushes = []
    for enterprise_id in _parse_ids(enterprise_ids, "推送企业"):
        enterprise = session.get(Enterprise, enterprise_id)
        if enterprise is None:
            raise MarketError("推送企业", f"编号为 {enterprise_id} 的企业不存在")
        if enterprise_id == candidate.holder_id:
            raise MarketError("推送企业", f"{enterprise.name}是该专利的专利权人")
        _require_push(actor, enterprise)
        body = (f"平台向贵企业推荐专利 {patent.application_no}“{patent.title}”（专利权人：{candidate.holder_name}），"
                f"可在线洽谈交易或取得许可：{candidate.link}")
        pushes.append(_deliver(session, actor=actor, enterprise=enterprise, kind=PushKind.PATENT, patents=[patent],
                               title=f"专利推荐：{patent.title}"[:200], body=body, link=candidate.link,
                               email_to=_latest_email(session, enterprise_id), sender=sender, source_patent=patent,
                               ip_address=ip_address))
    return pushes


def pushes_for_demand(session: Session, demand: Demand) -> list[Push]:
    return list(session.scalars(select(Push).where(Push.demand_id == demand.id).order_by(Push.pushed_at.desc())))
