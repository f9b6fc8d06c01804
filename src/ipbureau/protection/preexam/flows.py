"""Case workflows: submission by a filed enterprise, examiner assignment by IPC field, the qualification decision
and tracking through CNIPA (submitted → granted / rejected), withdrawal.

The state machine is ``workflows.CASE`` (data); who may take each action is the policy's (``preexam.case``). Each
action is one workflow step: the step checks who and the state, moves the state and writes the audit entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError
from ipbureau.database.core import utcnow
from ipbureau.navigation.chains import load_chains, prefix_matches
from ipbureau.patents.enums import PatentType
from ipbureau.patents.models import Patent
from ipbureau.patents.numbers import ApplicationNumberError, normalise_application_no, type_from_application_no
from ipbureau.policy import policy
from ipbureau.protection.preexam import service
from ipbureau.protection.preexam.enums import CaseStatus, Decision
from ipbureau.protection.preexam.models import Case, Centre, Examiner
from ipbureau.protection.preexam.schemas import CaseCreate, CaseStep
from ipbureau.protection.preexam.service import Upload
from ipbureau.protection.preexam.workflows import CASE, DECISION_STATES

# ---- submission ----------------------------------------------------------------------------------


def next_case_no(session: Session, centre: Centre, year: int) -> str:
    prefix = f"YS-{centre.code.upper()[:2]}-{year}-"
    last = session.scalar(select(func.max(Case.case_no)).where(Case.case_no.like(f"{prefix}%")))
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:05d}"


def due_date(centre: Centre, received: datetime, green: bool) -> date:
    return received.date() + timedelta(days=centre.green_deadline_days if green else centre.deadline_days)


def matching_examiners(session: Session, centre: Centre, ipc: str) -> list[Examiner]:
    return [e for e in service.examiners(session, centre.id)
            if e.active and e.user.is_active and any(prefix_matches(p, ipc) for p in e.ipc_prefixes or [])]


def pick_examiner(session: Session, centre: Centre, ipc: str) -> User | None:
    """The examiner of the centre whose fields cover the code and who has the fewest open cases (ties: longest
    serving, i.e. lowest id). None when nobody covers it: the case waits in the centre's queue for staff."""
    candidates = matching_examiners(session, centre, ipc)
    if not candidates:
        return None
    load = service.open_case_counts(session, centre.id)
    chosen = min(candidates, key=lambda e: (load.get(e.user_id, 0), e.user_id))
    return chosen.user


def submit_case(session: Session, data: CaseCreate, *, actor: Any, documents: Sequence[Upload] | None = None,
                ip_address: str | None = None, received_at: datetime | None = None) -> Case:
    """Receive a case of a filed enterprise, assign it by field and keep its documents. The page's form sends the
    documents with the case (at least one); the API uploads them afterwards (``documents=None``)."""
    policy.authorize(session, actor, "preexam.case", "submit")
    enterprise = service.acting_enterprise(session, actor, data.enterprise)
    centre = service.get_centre(session, data.centre_id)
    filing = service.approved_filing(session, centre, enterprise)
    if filing is None:
        raise DomainError("备案", f"{enterprise.name}尚未在{centre.name}备案（或备案未获批准），不能提交预审案件")
    if not data.title:
        raise DomainError("发明名称", "不能为空")
    ipc = service.check_ipc(session, data.ipc_main, "IPC 主分类号", group_level=True)
    chains = load_chains(session)
    if not service.centre_serves(centre, ipc, chains):
        raise DomainError("IPC 主分类号", f"{ipc} 不在{centre.name}的预审技术领域"
                          f"（{'、'.join(service.chain_names(chains, centre.chains))}）内")
    if not data.abstract:
        raise DomainError("摘要", "不能为空")
    if documents is not None and not documents:
        raise DomainError("申请文件", "请至少上传一份申请文件（说明书、权利要求书等）")
    received = received_at or utcnow()
    green = service.is_key_enterprise(session, enterprise.id)
    examiner = pick_examiner(session, centre, ipc)
    case = Case(case_no=next_case_no(session, centre, received.year), centre_id=centre.id,
                enterprise_id=enterprise.id, filing_id=filing.id, title=data.title, patent_type=data.patent_type,
                ipc_main=ipc, chain_code=service.main_chain(ipc, chains), abstract=data.abstract,
                applicant=data.applicant or enterprise.name, status=CaseStatus.RECEIVED, green_channel=green,
                received_at=received, due_on=due_date(centre, received, green),
                examiner_id=examiner.id if examiner else None, created_by=actor.id)
    session.add(case)
    session.flush()
    service.audit_change(session, actor, f"{CASE.audit_prefix}.submit", CASE.entity_type, case.id,
                         f"受理预审案件 {case.case_no}“{case.title}”（{enterprise.name}，{centre.name}"
                         f"{'，绿色通道' if green else ''}；"
                         f"{'分配审查员 ' + examiner.display_name if examiner else '暂无对口审查员，进入中心待分配队列'}）",
                         {}, audit.snapshot(case, CASE.audited), ip_address)
    if documents:
        service.store_documents(session, case, documents, actor=actor, ip_address=ip_address)
    return case


# ---- the case actions -------------------------------------------------------------------------------
# Each prepares an action from the input (raising the input's errors) and gives its audit summary and the
# fields it sets; move_case performs it as one workflow step.

Prepared = tuple[str, dict[str, Any]]


def _decide(session: Session, case: Case, data: CaseStep, actor: Any, when: datetime) -> Prepared:
    outcome = data.decision
    if outcome is None:
        raise DomainError("预审结论", f"请选择：{'、'.join(label for _v, label in Decision.choices())}")
    if outcome == Decision.UNQUALIFIED and not data.reason:
        raise DomainError("理由", "不能为空")
    changes: dict[str, Any] = {"decision": outcome.value, "decision_reason": data.reason or None, "decided_at": when,
                               "decided_by": actor.id, "status": DECISION_STATES[outcome.value]}
    if outcome == Decision.UNQUALIFIED:
        changes["closed_on"] = when.date()
    return f"{case.case_no} {outcome.label}" + (f"：{data.reason}" if data.reason else ""), changes


def _assign(session: Session, case: Case, data: CaseStep, actor: Any, when: datetime) -> Prepared:
    examiner = _examiner_of_centre(session, case, data.examiner_id)
    if examiner.id == case.examiner_id:
        raise DomainError("审查员", f"本案已由{examiner.display_name}审查")
    summary = f"{case.case_no} 改派审查员：{examiner.display_name}" + (f"（{data.reason}）" if data.reason else "")
    return summary, {"examiner_id": examiner.id}


def _submit_cnipa(session: Session, case: Case, data: CaseStep, actor: Any, when: datetime) -> Prepared:
    number = _application_no(data.application_no)
    expected = type_from_application_no(number)
    if expected is not None and expected != case.patent_type:
        raise DomainError("申请号", f"{number} 是{expected.label}申请号，本案为{PatentType(case.patent_type).label}")
    taken = session.scalar(select(Case.case_no).where(Case.cnipa_application_no == number, Case.id != case.id))
    if taken:
        raise DomainError("申请号", f"{number} 已登记在预审案件 {taken}")
    submitted = data.day or when.date()
    if case.decided_at and submitted < case.decided_at.date():
        raise DomainError("提交日期", f"不能早于预审合格日期 {case.decided_at.date()}")
    return (f"{case.case_no} 已提交国家知识产权局，申请号 {number}",
            {"cnipa_application_no": number, "cnipa_submitted_on": submitted,
             "patent_id": _patent_id(session, number)})


def _grant(session: Session, case: Case, data: CaseStep, actor: Any, when: datetime) -> Prepared:
    granted = data.day or when.date()
    if case.cnipa_submitted_on and granted < case.cnipa_submitted_on:
        raise DomainError("授权日期", f"不能早于提交日期 {case.cnipa_submitted_on}")
    return (f"{case.case_no} 已授权（{granted}）",
            {"granted_on": granted, "patent_id": case.patent_id or _patent_id(session, case.cnipa_application_no)})


def _reject(session: Session, case: Case, data: CaseStep, actor: Any, when: datetime) -> Prepared:
    return (f"{case.case_no} 被国家知识产权局驳回",
            {"closed_on": data.day or when.date(), "closed_reason": data.reason or None})


def _withdraw(session: Session, case: Case, data: CaseStep, actor: Any, when: datetime) -> Prepared:
    if not data.reason:
        raise DomainError("撤回理由", "不能为空")
    return f"{case.case_no} 已撤回：{data.reason}", {"closed_on": when.date(), "closed_reason": data.reason}


ACTIONS: dict[str, Callable[[Session, Case, CaseStep, Any, datetime], Prepared]] = {
    "decide": _decide, "assign": _assign, "submit_cnipa": _submit_cnipa, "grant": _grant, "reject": _reject,
    "withdraw": _withdraw,
}


def move_case(session: Session, case_id: int, action: str, data: CaseStep, *, actor: Any,
              ip_address: str | None = None, at: datetime | None = None) -> Case:
    """Take one action on a case the user may see (documents are added by ``service.upload_documents``)."""
    if action not in ACTIONS:
        raise DomainError("操作", f"未知操作“{action}”")
    case = service.get_case(session, actor, case_id)
    # Who, the version the user saw and the state first, as the step checks them, so that a user who may not act
    # (or a stale page, or a case in the wrong state) is told so rather than about the input; the step needs the
    # summary the input gives.
    CASE.admit(session, case, action, actor=actor, policy=policy, expected_version=data.version)
    summary, changes = ACTIONS[action](session, case, data, actor, at or utcnow())
    with CASE.step(session, case, action, actor=actor, policy=policy, summary=summary, ip_address=ip_address,
                   expected_version=data.version):
        for name, value in changes.items():
            setattr(case, name, value)
    return case


def _examiner_of_centre(session: Session, case: Case, examiner_id: int | None) -> User:
    profile = session.get(Examiner, examiner_id) if examiner_id is not None else None
    if profile is None or not profile.active or not profile.user.is_active:
        raise DomainError("审查员", "请选择在岗的审查员")
    if profile.centre_id != case.centre_id:
        raise DomainError("审查员", f"{profile.user.display_name}不属于{case.centre.name}")
    return profile.user


def _application_no(raw: str | None) -> str:
    if not raw:
        raise DomainError("申请号", "请填写国家知识产权局受理的申请号")
    try:
        return normalise_application_no(raw)
    except ApplicationNumberError as exc:
        raise DomainError("申请号", str(exc)) from None


def _patent_id(session: Session, application_no: str | None) -> int | None:
    if not application_no:
        return None
    return session.scalar(select(Patent.id).where(Patent.application_no == application_no))


def link_patents(session: Session) -> int:
    """Link cases to the Patent records imported since they were registered (by application number)."""
    rows = session.execute(select(Case, Patent.id).join(Patent, Patent.application_no == Case.cnipa_application_no)
                           .where(Case.patent_id.is_(None))).all()
    for case, patent_id in rows:
        case.patent_id = patent_id
    return len(rows)
