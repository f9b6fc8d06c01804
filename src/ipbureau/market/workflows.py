"""The marketplace's state machines, declared as data (core.workflow): which action leads from which state to
which, its label (buttons and error messages say it), and the policy action (ipbureau.policy.market) deciding who.

Every change of a listing, open-licence declaration, deal, licence, pledge or demand runs through
``WORKFLOW.step(...)``, which checks who and the state, lets the service set what the action sets, moves the state
and writes the one audit entry (``market.listing.approve``...). A record is created by a step too: from ``NEW``, the
state of a record not stored yet. Licences and pledges have no stored state (no column): they are filed once and
never change, so their one step is their creation and their state is derived from their being stored.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.core.workflow import Transition, Workflow, step
from ipbureau.market.enums import (
    DealStatus,
    DemandStatus,
    LicenceStatus,
    ListingStatus,
    OpenLicenceStatus,
    PledgeStatus,
)
from ipbureau.policy import policy

NEW = None
"""The state of a record not stored yet: the step that creates it starts from here."""


class MarketWorkflow(Workflow):
    """A core Workflow whose audit entries read ``market.<record>.<action>`` (as they always have), and also carry a
    record's patents (their application numbers: the audit log takes no Patent). ``buttons`` names the actions
    pages show as buttons (the others have forms of their own)."""

    def __init__(self, resource: str, entity_type: str, noun: str, transitions: Any, *, patents: bool = False,
                 buttons: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(resource, entity_type, noun, transitions, audit_prefix=resource, **kwargs)
        self.with_patents = patents
        self.button_actions = buttons

    @contextmanager
    def step(self, session: Session, obj: Any, action: str, *, extra: dict[str, Any] | None = None,
             **kwargs: Any) -> Iterator[Transition]:
        if not self.with_patents:
            with super().step(session, obj, action, extra=extra, **kwargs) as transition:
                yield transition
            return
        changes = dict(extra or {})
        before = [p.application_no for p in obj.patents]
        # The kernel adds ``changes`` to the audit entry after the block: fill it in before that.
        with super().step(session, obj, action, extra=changes, **kwargs) as transition:
            yield transition
            changes.update(audit.diff({"patents": before}, {"patents": [p.application_no for p in obj.patents]}))

    def may(self, session: Session, user: Any, obj: Any, action: str) -> bool:
        """Whether the user may take this action on the record now (its state and the policy both allow it)."""
        return self.allowed_from(obj, action) and policy.can(session, user, self.resource,
                                                             self.transition(action).policy_action, obj)

    def buttons(self, session: Session, user: Any, obj: Any) -> list[Transition]:
        """The actions the user may take on the record now, as buttons."""
        return [t for t in self.available(session, user, obj, policy) if t.action in self.button_actions]

    def buttons_of(self, session: Session, user: Any, rows: Sequence[Any]) -> dict[int, list[Transition]]:
        """The buttons of many records of a list at once: one query per action, not one per record."""
        if not rows:
            return {}
        model = type(rows[0])
        ids = [row.id for row in rows]
        permitted: dict[str, set[int]] = {}
        for action in {self.transition(name).policy_action for name in self.button_actions}:
            if policy.allows(user, self.resource, action):
                query = policy.scoped(select(model.id).where(model.id.in_(ids)), user, self.resource, action)
                permitted[action] = set(session.scalars(query))
        return {row.id: [t for t in self.actions_from(self.state_of(row))
                         if t.action in self.button_actions and row.id in permitted.get(t.policy_action, ())]
                for row in rows}


_DRAFT, _SUBMITTED, _PUBLISHED = ListingStatus.DRAFT, ListingStatus.SUBMITTED, ListingStatus.PUBLISHED

LISTING = MarketWorkflow("market.listing", "market_listing", "挂牌", [
    step("create", [NEW], _DRAFT, "新建"),
    # Only a draft or a rejected listing is edited; a rejected one goes back to draft, to be resubmitted.
    step("update", [_DRAFT, ListingStatus.REJECTED], _DRAFT, "修改", permission="edit"),
    step("submit", [_DRAFT, ListingStatus.REJECTED], _SUBMITTED, "提交审核"),
    step("approve", [_SUBMITTED], _PUBLISHED, "审核通过并发布"),
    step("reject", [_SUBMITTED], ListingStatus.REJECTED, "驳回", style="secondary"),
    step("withdraw", [_SUBMITTED, _PUBLISHED], ListingStatus.WITHDRAWN, "下架", style="secondary"),
    step("close", [_PUBLISHED], ListingStatus.CLOSED, "标记为已成交"),
    # Not a change of the listing: a deal is opened on it (market.workflows.DEAL), only while it is published.
    step("trade", [_PUBLISHED], None, "洽谈交易"),
], states=ListingStatus, patents=True,
    audited=("holder_enterprise_id", "kind", "title", "description", "price_yuan", "price_negotiable",
             "licence_type", "region", "term_start", "term_end", "reject_reason"),
    buttons=("submit", "approve", "reject", "withdraw", "close"))

OPEN_LICENCE = MarketWorkflow("market.open_licence", "market_open_licence", "开放许可声明", [
    step("declare", [NEW], OpenLicenceStatus.PUBLISHED, "声明并公告"),
    # Licences already obtained under a withdrawn declaration continue (专利法第五十条).
    step("withdraw", [OpenLicenceStatus.PUBLISHED], OpenLicenceStatus.WITHDRAWN, "撤回声明", style="secondary"),
    # Accepting files a licence (market.workflows.LICENCE); the declaration itself does not change.
    step("accept", [OpenLicenceStatus.PUBLISHED], None, "接受许可"),
    step("trade", [OpenLicenceStatus.PUBLISHED], None, "洽谈交易"),
], states=OpenLicenceStatus,
    audited=("patent_id", "holder_enterprise_id", "fee_amount", "fee_basis", "payment_method", "term_start", "term_end", "note"),
    buttons=("accept", "withdraw"))

_UNDER_WAY = (DealStatus.INTENTION, DealStatus.NEGOTIATION, DealStatus.CONTRACT, DealStatus.FILING)

DEAL = MarketWorkflow("market.deal", "market_deal", "交易", [
    step("create", [NEW], DealStatus.INTENTION, "提交意向", permission="open"),
    step("negotiate", [DealStatus.INTENTION], DealStatus.NEGOTIATION, "进入洽谈", permission="handle"),
    step("sign", [DealStatus.NEGOTIATION], DealStatus.CONTRACT, "签约", permission="handle"),
    step("file", [DealStatus.CONTRACT], DealStatus.FILING, "合同备案", permission="handle"),
    step("complete", [DealStatus.FILING], DealStatus.DONE, "完成交易", permission="handle"),
    step("cancel", _UNDER_WAY, DealStatus.CANCELLED, "取消交易", permission="handle", style="secondary"),
], states=DealStatus,
    audited=("kind", "listing_id", "open_licence_id", "holder_enterprise_id", "counterparty_enterprise_id",
             "licence_type", "free_licence", "amount_yuan", "contract_no", "signed_on", "filing_no", "filed_on", "term_start",
             "term_end", "cancel_reason", "note"),
    buttons=("negotiate", "sign", "file", "complete", "cancel"))

# Filed by the system when a licence deal completes or an open licence is accepted (both checked who before).
LICENCE = MarketWorkflow("market.licence", "market_licence", "许可", [
    step("create", [NEW], None, "许可登记", permission="file"),
], states=LicenceStatus, state_attr="filing_status",
    audited=("patent_id", "licensor_enterprise_id", "licensee_enterprise_id", "licence_type", "fee_amount",
             "fee_basis", "free",
             "term_start", "term_end", "deal_id", "open_licence_id"))

PLEDGE = MarketWorkflow("market.pledge", "market_pledge", "质押登记", [
    step("create", [NEW], None, "质押登记", permission="register"),
], states=PledgeStatus, state_attr="registration_status", patents=True,
    audited=("holder_enterprise_id", "pledgee_bank", "amount_yuan", "registration_no", "registered_on", "term_start", "term_end",
             "listing_id"))

DEMAND = MarketWorkflow("market.demand", "market_demand", "技术需求", [
    step("create", [NEW], DemandStatus.OPEN, "发布", permission="post"),
    step("update", [DemandStatus.OPEN], None, "修改", permission="edit"),
    step("close", [DemandStatus.OPEN], DemandStatus.CLOSED, "关闭", style="secondary"),
    # Pushing the matches sends them (market.pushes); the demand itself does not change.
    step("push", [DemandStatus.OPEN], None, "推送"),
], states=DemandStatus,
    audited=("enterprise_id", "title", "description", "industry_chain", "budget_yuan", "region", "contact_person", "contact_email"),
    buttons=("close",))

WORKFLOWS = (LISTING, OPEN_LICENCE, DEAL, LICENCE, PLEDGE, DEMAND)
