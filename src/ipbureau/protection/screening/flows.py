"""Screening runs (load applications → score → store flags and queue) and the review of the queue.

A run covers one dataset and a filing-date range. It replaces the flags of the applications in
that range and brings the queue up to date: queued applications not yet reviewed get their new
score, reviewed ones keep their decision, and pending ones that no longer reach the threshold
leave the queue. The same inputs therefore give the same flags and queue (idempotent). A run is
the work of a background job or the CLI (see ``jobs``, which enforces who may start one).

Review (``workflows``): pending → confirmed (认定非正常) | cleared (排除), each with a mandatory
reason; a confirmed application's handling (撤回 / 驳回 / 整改) is recorded once. Each step checks
who (the access policy, on the record) and the state, and is audited in the caller's transaction;
the request's unit of work (or the job's session) commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, insert, select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.core.errors import DomainError
from ipbureau.database.core import utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.navigation.chains import load_chains
from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc
from ipbureau.policy import policy
from ipbureau.protection.screening.enums import CaseStatus, Handling, RunState
from ipbureau.protection.screening.models import ScreeningCase, ScreeningFlag, ScreeningRun
from ipbureau.protection.screening.schemas import Decision, HandlingRecord
from ipbureau.protection.screening.scoring import Application, Parameters, screen, total_score
from ipbureau.protection.screening.workflows import HANDLING, HANDLING_ACTIONS, REVIEW

BEIJING = timezone(timedelta(hours=8))
MAX_REASON = 2000

ProgressCallback = Callable[[str, int, int], None]


def today_beijing() -> date:
    return datetime.now(BEIJING).date()


# ---- the run ------------------------------------------------------------------------------------

def check_range(filed_from: date | None, filed_to: date | None) -> None:
    if filed_from and filed_to and filed_to < filed_from:
        raise DomainError("申请日范围", "结束日期不能早于开始日期")


def _in_range(filed_from: date | None, filed_to: date | None) -> ColumnElement[bool] | None:
    conditions = []
    if filed_from:
        conditions.append(Patent.filing_date >= filed_from)
    if filed_to:
        conditions.append(Patent.filing_date <= filed_to)
    return and_(*conditions) if conditions else None


def load_applications(session: Session, dataset: str, filed_from: date | None, filed_to: date | None) -> list[Application]:
    """Every application of the dataset (history for bursts and fields); texts only for the range."""
    applicants: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for patent_id, name, enterprise_id in session.execute(
            select(PatentApplicant.patent_id, PatentApplicant.name, PatentApplicant.enterprise_id)
            .join(Patent, Patent.id == PatentApplicant.patent_id).where(Patent.dataset == dataset)
            .order_by(PatentApplicant.patent_id, PatentApplicant.position)):
        applicants[patent_id].append((name, enterprise_id))
    codes: dict[int, list[str]] = defaultdict(list)
    for patent_id, code in session.execute(
            select(PatentIpc.patent_id, PatentIpc.code).join(Patent, Patent.id == PatentIpc.patent_id)
            .where(Patent.dataset == dataset).order_by(PatentIpc.patent_id, PatentIpc.position)):
        codes[patent_id].append(code)
    by_code = {chain.code: chain for chain in load_chains(session)}
    chains = {}
    for enterprise_id, chain_code in session.execute(
            select(Enterprise.id, Enterprise.industry_chain).where(Enterprise.industry_chain.is_not(None))):
        if chain_code in by_code:
            chains[enterprise_id] = by_code[chain_code]
    in_range = _in_range(filed_from, filed_to)
    text_query = select(Patent.id, Patent.title, Patent.abstract, Patent.claims).where(Patent.dataset == dataset)
    if in_range is not None:
        text_query = text_query.where(in_range)
    texts = {row[0]: row[1:] for row in session.execute(text_query)}
    apps = []
    for patent_id, number, agency, filed, patent_type, ipc_main in session.execute(
            select(Patent.id, Patent.application_no, Patent.agency, Patent.filing_date, Patent.patent_type,
                   Patent.ipc_main).where(Patent.dataset == dataset).order_by(Patent.id)):
        names = applicants.get(patent_id, [])
        ipc = codes.get(patent_id) or ([ipc_main] if ipc_main else [])
        chain = chains.get(names[0][1]) if names and names[0][1] else None
        title, abstract, claims = texts.get(patent_id, ("", "", ""))
        apps.append(Application(
            key=patent_id, application_no=number, applicants=tuple(n for n, _ in names), agency=agency or None,
            ipc=tuple(ipc), title=title or "", abstract=abstract or "", claims=claims or "", filing_date=filed,
            patent_type=str(patent_type) if patent_type else None,
            chain_prefixes=chain.all_ipc_prefixes() if chain else (), chain_name=chain.name if chain else None,
            in_scope=patent_id in texts))
    return apps


def run_screening(session: Session, *, dataset: str = "real", filed_from: date | None = None,
                  filed_to: date | None = None, actor: Any | None = None, parameters: Parameters | None = None,
                  progress: ProgressCallback | None = None, run: ScreeningRun | None = None) -> ScreeningRun:
    """Screen the dataset's applications filed in the range (inclusive; None: open) and store the results."""
    check_range(filed_from, filed_to)
    params = parameters or Parameters()
    report = progress or (lambda stage, done, total: None)
    if run is None:
        run = ScreeningRun(dataset=dataset, filed_from=filed_from, filed_to=filed_to, state=RunState.RUNNING,
                           parameters=params.as_dict(), started_by=getattr(actor, "id", None))
        session.add(run)
        session.flush()
    report("读取申请", 0, 1)
    apps = load_applications(session, dataset, filed_from, filed_to)
    scoped = [a for a in apps if a.in_scope]
    report("读取申请", 1, 1)
    result = screen(apps, params, progress=report)
    report("保存结果", 0, 1)

    scope_ids = select(Patent.id).where(Patent.dataset == dataset)
    in_range = _in_range(filed_from, filed_to)
    if in_range is not None:
        scope_ids = scope_ids.where(in_range)
    session.execute(delete(ScreeningFlag).where(ScreeningFlag.patent_id.in_(scope_ids)))
    rows = [{"patent_id": key, "sign": flag.sign.value, "score": flag.score, "reason": flag.reason,
             "evidence": flag.evidence, "run_id": run.id}
            for key, flags in sorted(result.flags.items()) for flag in flags]
    for start in range(0, len(rows), 2000):
        session.execute(insert(ScreeningFlag), rows[start:start + 2000])

    queued = {key: result.flags[key] for key in result.queued()}
    existing = {case.patent_id: case for case in session.scalars(
        select(ScreeningCase).where(ScreeningCase.patent_id.in_(scope_ids)))}
    now = utcnow()
    new_cases = []
    for key, flags in sorted(queued.items()):
        signs = ",".join(sorted(f.sign.value for f in flags))
        case = existing.pop(key, None)
        if case is None:
            new_cases.append({"patent_id": key, "total_score": total_score(flags), "signs": signs,
                              "status": CaseStatus.PENDING.value, "run_id": run.id, "created_at": now,
                              "updated_at": now})
        elif case.total_score != total_score(flags) or case.signs != signs:
            case.total_score, case.signs, case.run_id = total_score(flags), signs, run.id
    for start in range(0, len(new_cases), 2000):
        session.execute(insert(ScreeningCase), new_cases[start:start + 2000])
    dropped = [case for case in existing.values() if case.status == CaseStatus.PENDING]
    for case in dropped:
        session.delete(case)

    run.applications = len(scoped)
    run.flagged = sum(1 for a in scoped if result.flags.get(a.key))
    run.queued = len(queued)
    run.state = RunState.SUCCEEDED
    run.finished_at = utcnow()
    run.message = (f"筛查申请 {run.applications:,} 件，存在异常情形 {run.flagged:,} 件，"
                   f"达到阈值进入审查队列 {run.queued:,} 件（新增 {len(new_cases):,} 件，移出 {len(dropped):,} 件）")
    audit.record(session, actor=actor, action="screening.run.complete", entity_type="screening_run",
                 entity_id=run.id, summary=run.message,
                 changes={"dataset": [None, dataset], "filed_from": [None, filed_from], "filed_to": [None, filed_to]})
    report("保存结果", 1, 1)
    return run


# ---- review ---------------------------------------------------------------------------------------

def _reason(value: Any, field_name: str) -> str:
    text = (str(value) if value is not None else "").strip()
    if not text:
        raise DomainError(field_name, "必须填写理由")
    if len(text) > MAX_REASON:
        raise DomainError(field_name, f"不能超过 {MAX_REASON} 个字符")
    return text


def decide(session: Session, case: ScreeningCase, actor: Any, decision: str, reason: Any, *,
           at: datetime | None = None, ip_address: str | None = None,
           expected_version: int | None = None) -> ScreeningCase:
    """Confirm (认定非正常) or clear (排除) a queued application, with the reviewer's reason."""
    if decision not in REVIEW.transitions:
        raise DomainError("审查结论", "请选择“认定非正常”或“排除”")
    with REVIEW.step(session, case, decision, actor=actor, policy=policy, ip_address=ip_address,
                     expected_version=expected_version) as step:
        # The reason is checked once who and the state are: reviewing twice is a 409 whatever the reason says.
        text = _reason(reason, "认定理由" if decision == "confirm" else "排除理由")
        verb = "认定为非正常专利申请" if decision == "confirm" else "排除（非异常）"
        step.summary = f"申请 {case.patent.application_no} {verb}：{text}"
        case.decision_reason = text
        case.decided_at = at or utcnow()
        case.decided_by = actor.id
        case.handling = Handling.PENDING if decision == "confirm" else None
    return case


def record_handling(session: Session, case: ScreeningCase, actor: Any, handling: str, note: Any = None, *,
                    handled_on: date | None = None, ip_address: str | None = None,
                    expected_version: int | None = None) -> ScreeningCase:
    """Record how a confirmed application was dealt with (撤回 / 驳回 / 整改); completes its handling."""
    action = HANDLING_ACTIONS.get(str(handling or ""))
    if action is None:
        raise DomainError("处理结果", "请选择“申请人主动撤回”“已驳回”或“已整改”")
    outcome = Handling(handling)
    with HANDLING.step(session, case, action, actor=actor, policy=policy, ip_address=ip_address,
                       summary=f"申请 {case.patent.application_no} 处理完成：{outcome.label}",
                       expected_version=expected_version):
        day = handled_on or today_beijing()
        decided = case.decided_at
        decided_day = (decided.astimezone(BEIJING).date() if decided.tzinfo else decided.date()) if decided else None
        if decided_day and day < decided_day:
            raise DomainError("处理完成日期", "不能早于认定日期")
        if day > today_beijing():
            raise DomainError("处理完成日期", "不能晚于今天")
        text = (str(note).strip() if note is not None else "") or None
        if text and len(text) > MAX_REASON:
            raise DomainError("处理说明", f"不能超过 {MAX_REASON} 个字符")
        case.handled_on, case.handling_note = day, text
    return case


def _case(session: Session, actor: Any, case_id: int) -> ScreeningCase:
    """The case if the user may see it (missing and hidden alike: NotFound, 404)."""
    return policy.get(session, actor, "screening.case", case_id)


def decide_case(session: Session, actor: Any, case_id: int, decision: Decision, *,
                ip_address: str | None = None) -> ScreeningCase:
    """``decide`` on the case with this id (the page and the API)."""
    return decide(session, _case(session, actor, case_id), actor, decision.decision, decision.reason,
                  ip_address=ip_address, expected_version=decision.version)


def record_case_handling(session: Session, actor: Any, case_id: int, record: HandlingRecord, *,
                         ip_address: str | None = None) -> ScreeningCase:
    """``record_handling`` on the case with this id (the page and the API)."""
    return record_handling(session, _case(session, actor, case_id), actor, record.handling, record.note,
                           handled_on=record.handled_on, ip_address=ip_address, expected_version=record.version)
