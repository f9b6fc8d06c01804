"""Case workflows: submission by a filed enterprise, examiner assignment by IPC field, the qualification decision
and tracking through CNIPA (submitted → granted / rejected), withdrawal.

States (enums.CaseStatus):
    received ─decide→ qualified ─submit_cnipa→ submitted ─grant→ granted
        │          └→ unqualified                      └─reject→ rejected
        └─ withdraw (from received, qualified or submitted) → withdrawn
Anything else raises TransitionError (HTTP 409). Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import PermissionDenied
from ipbureau.database.core import utcnow
from ipbureau.imports.readers import parse_date
from ipbureau.patents.enums import PatentType
from ipbureau.patents.models import Patent
from ipbureau.patents.numbers import ApplicationNumberError, normalise_application_no, type_from_application_no
from ipbureau.navigation.chains import load_chains, prefix_matches
from ipbureau.protection.preexam import service
from ipbureau.protection.preexam.enums import CaseStatus, Decision
from ipbureau.protection.preexam.models import Case, Centre, Examiner
from ipbureau.protection.preexam.service import PreexamError, TransitionError

CASE_FIELDS = ("status", "examiner_id", "green_channel", "due_on", "decision", "decision_reason", "cnipa_application_no",
               "cnipa_submitted_on", "granted_on", "patent_id", "closed_on", "closed_reason", "title", "ipc_main")
ACTION_LABELS = {"decide": "作出预审结论", "assign": "分配审查员", "submit_cnipa": "登记提交国家知识产权局",
                 "grant": "登记授权", "reject": "登记驳回", "withdraw": "撤回"}
# The state each action starts from.
ACTION_FROM = {
    "decide": (CaseStatus.RECEIVED,),
    "assign": (CaseStatus.RECEIVED,),
    "submit_cnipa": (CaseStatus.QUALIFIED,),
    "grant": (CaseStatus.SUBMITTED,),
    "reject": (CaseStatus.SUBMITTED,),
    "withdraw": (CaseStatus.RECEIVED, CaseStatus.QUALIFIED, CaseStatus.SUBMITTED),
}


def _state(case: Case) -> dict[str, Any]:
    return {name: getattr(case, name) for name in CASE_FIELDS}


def _day(value: Any, field_name: str, *, default: date | None = None) -> date:
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None:
            return default
        raise PreexamError(field_name, "请填写日期")
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise PreexamError(field_name, f"日期“{value}”无法识别（如 2023-05-01）")
    return day


def _enum(enum_class: Any, value: Any, field_name: str) -> Any:
    try:
        return enum_class(str(value))
    except ValueError:
        allowed = "、".join(label for _v, label in enum_class.choices())
        raise PreexamError(field_name, f"“{value}”无效，可选：{allowed}") from None


# ---- submission ----------------------------------------------------------------------------------

@dataclass
class CaseInput:
    """What the enterprise fills in, as typed (checked by submit_case)."""

    centre_id: Any
    title: Any
    patent_type: Any
    ipc_main: Any
    abstract: Any = None
    applicant: Any = None


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


def submit_case(session: Session, data: CaseInput, *, actor: Any, enterprise_id: Any = None,
                ip_address: str | None = None, received_at: datetime | None = None) -> Case:
    enterprise = service.acting_enterprise(session, actor, enterprise_id)
    centre = service.get_centre(session, data.centre_id)
    filing = service.approved_filing(session, centre, enterprise)
    if filing is None:
        raise PreexamError("备案", f"{enterprise.name}尚未在{centre.name}备案（或备案未获批准），不能提交预审案件")
    title = service.text(data.title, "发明名称", required=True)
    patent_type = _enum(PatentType, data.patent_type or "", "专利类型")
    ipc = service.check_ipc(session, data.ipc_main, "IPC 主分类号", group_level=True)
    chains = load_chains()
    if not service.centre_serves(centre, ipc, chains):
        raise PreexamError("IPC 主分类号", f"{ipc} 不在{centre.name}的预审技术领域"
                           f"（{'、'.join(service.chain_names(centre.chains))}）内")
    abstract = service.text(data.abstract, "摘要", required=True, limit=service.MAX_TEXT)
    applicant = service.text(data.applicant, "申请人") or enterprise.name
    received = received_at or utcnow()
    green = service.is_key_enterprise(session, enterprise.id)
    case = Case(case_no=next_case_no(session, centre, received.year), centre_id=centre.id,
                enterprise_id=enterprise.id, filing_id=filing.id, title=title, patent_type=patent_type, ipc_main=ipc,
                chain_code=service.main_chain(ipc, chains), abstract=abstract, applicant=applicant,
                status=CaseStatus.RECEIVED, green_channel=green, received_at=received,
                due_on=due_date(centre, received, green), created_by=actor.id)
    examiner = pick_examiner(session, centre, ipc)
    case.examiner_id = examiner.id if examiner else None
    session.add(case)
    session.flush()
    service._audit(session, actor, "case.submit", "preexam_case", case.id,
                   f"受理预审案件 {case.case_no}“{title}”（{enterprise.name}，{centre.name}"
                   f"{'，绿色通道' if green else ''}；"
                   f"{'分配审查员 ' + examiner.display_name if examiner else '暂无对口审查员，进入中心待分配队列'}）",
                   {}, _state(case), ip_address)
    return case


# ---- transitions ----------------------------------------------------------------------------------

def _check_from(case: Case, action: str) -> None:
    if case.status not in ACTION_FROM[action]:
        raise TransitionError("案件状态", f"{CaseStatus(case.status).label}的案件不能{ACTION_LABELS[action]}")


def _may_track(session: Session, actor: Any, case: Case) -> bool:
    """Who records CNIPA's steps and withdrawals: the enterprise, bureau staff, the assigned examiner."""
    role = service.role_of(actor)
    return (service.is_manager(actor) or (role == Role.ENTERPRISE and actor.enterprise_id == case.enterprise_id)
            or (role == Role.EXAMINER and case.examiner_id == actor.id))


def available_actions(session: Session, actor: Any, case: Case) -> list[str]:
    """The actions the user may take on the case now (for the page's buttons)."""
    actions = []
    role = service.role_of(actor)
    if case.status == CaseStatus.RECEIVED:
        if role == Role.EXAMINER and case.examiner_id == actor.id:
            actions.append("decide")
        if service.is_manager(actor):
            actions.append("assign")
    if _may_track(session, actor, case):
        if case.status == CaseStatus.QUALIFIED:
            actions.append("submit_cnipa")
        if case.status == CaseStatus.SUBMITTED:
            actions += ["grant", "reject"]
        if case.status in ACTION_FROM["withdraw"] and (role == Role.ENTERPRISE or service.is_manager(actor)):
            actions.append("withdraw")
    return actions


def move_case(session: Session, case: Case, action: str, *, actor: Any, decision: Any = None, reason: Any = None,
              examiner_id: Any = None, application_no: Any = None, day: Any = None,
              ip_address: str | None = None, at: datetime | None = None) -> Case:
    if action not in ACTION_LABELS:
        raise PreexamError("操作", f"未知操作“{action}”")
    role = service.role_of(actor)
    if action == "decide":
        if case.examiner_id != actor.id or role != Role.EXAMINER:
            raise PermissionDenied("只有分配到本案的审查员可以作出预审结论")
    elif action == "assign":
        if not service.is_manager(actor):
            raise PermissionDenied("只有市局工作人员可以分配或改派审查员")
    elif action == "withdraw":
        if not (service.is_manager(actor) or (role == Role.ENTERPRISE and actor.enterprise_id == case.enterprise_id)):
            raise PermissionDenied("只有申请企业或市局工作人员可以撤回案件")
    elif not _may_track(session, actor, case):
        raise PermissionDenied("只有申请企业、分配的审查员或市局工作人员可以登记国家知识产权局的审查进展")
    _check_from(case, action)
    before = _state(case)
    today = (at or utcnow()).date()
    if action == "decide":
        outcome = _enum(Decision, decision or "", "预审结论")
        why = service.text(reason, "理由", required=outcome == Decision.UNQUALIFIED, limit=service.MAX_TEXT)
        case.decision, case.decision_reason = outcome, why
        case.decided_at, case.decided_by = at or utcnow(), actor.id
        case.status = CaseStatus.QUALIFIED if outcome == Decision.QUALIFIED else CaseStatus.UNQUALIFIED
        if outcome == Decision.UNQUALIFIED:
            case.closed_on = today
        summary = f"{case.case_no} {outcome.label}" + (f"：{why}" if why else "")
    elif action == "assign":
        examiner = _examiner_of_centre(session, case, examiner_id)
        if examiner.id == case.examiner_id:
            raise PreexamError("审查员", f"本案已由{examiner.display_name}审查")
        case.examiner_id = examiner.id
        summary = f"{case.case_no} 改派审查员：{examiner.display_name}" + (f"（{reason}）" if reason else "")
    elif action == "submit_cnipa":
        number = _application_no(application_no)
        expected = type_from_application_no(number)
        if expected is not None and expected != case.patent_type:
            raise PreexamError("申请号", f"{number} 是{expected.label}申请号，本案为{PatentType(case.patent_type).label}")
        taken = session.scalar(select(Case.case_no).where(Case.cnipa_application_no == number, Case.id != case.id))
        if taken:
            raise PreexamError("申请号", f"{number} 已登记在预审案件 {taken}")
        submitted = _day(day, "提交日期", default=today)
        if case.decided_at and submitted < case.decided_at.date():
            raise PreexamError("提交日期", f"不能早于预审合格日期 {case.decided_at.date()}")
        case.cnipa_application_no, case.cnipa_submitted_on = number, submitted
        case.status = CaseStatus.SUBMITTED
        case.patent_id = _patent_id(session, number)
        summary = f"{case.case_no} 已提交国家知识产权局，申请号 {number}"
    elif action == "grant":
        granted = _day(day, "授权日期", default=today)
        if case.cnipa_submitted_on and granted < case.cnipa_submitted_on:
            raise PreexamError("授权日期", f"不能早于提交日期 {case.cnipa_submitted_on}")
        case.granted_on, case.status = granted, CaseStatus.GRANTED
        case.patent_id = case.patent_id or _patent_id(session, case.cnipa_application_no)
        summary = f"{case.case_no} 已授权（{granted}）"
    elif action == "reject":
        case.closed_on = _day(day, "驳回日期", default=today)
        case.closed_reason = service.text(reason, "驳回理由", limit=service.MAX_TEXT)
        case.status = CaseStatus.REJECTED
        summary = f"{case.case_no} 被国家知识产权局驳回"
    else:  # withdraw
        case.closed_on = today
        case.closed_reason = service.text(reason, "撤回理由", required=True, limit=service.MAX_TEXT)
        case.status = CaseStatus.WITHDRAWN
        summary = f"{case.case_no} 已撤回：{case.closed_reason}"
    session.flush()
    service._audit(session, actor, f"case.{action}", "preexam_case", case.id, summary, before, _state(case),
                   ip_address)
    return case


def _examiner_of_centre(session: Session, case: Case, examiner_id: Any) -> User:
    try:
        profile = session.get(Examiner, int(examiner_id))
    except (TypeError, ValueError):
        profile = None
    if profile is None or not profile.active or not profile.user.is_active:
        raise PreexamError("审查员", "请选择在岗的审查员")
    if profile.centre_id != case.centre_id:
        raise PreexamError("审查员", f"{profile.user.display_name}不属于{case.centre.name}")
    return profile.user


def _application_no(raw: Any) -> str:
    if raw is None or not str(raw).strip():
        raise PreexamError("申请号", "请填写国家知识产权局受理的申请号")
    try:
        return normalise_application_no(raw)
    except ApplicationNumberError as exc:
        raise PreexamError("申请号", str(exc)) from None


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
