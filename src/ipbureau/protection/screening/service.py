"""Reading the review queue: filters within the user's scope (the access policy), the pages' content, evidence
side by side, Excel export."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from ipbureau.core.workflow import Transition
from ipbureau.database.core import paginate
from ipbureau.documents.spreadsheet import table
from ipbureau.jobs.service import JobStatus
from ipbureau.patents.models import Patent
from ipbureau.policy import policy
from ipbureau.protection.screening import jobs
from ipbureau.protection.screening.enums import CaseStatus, Handling, Sign
from ipbureau.protection.screening.models import ScreeningCase, ScreeningFlag, ScreeningRun
from ipbureau.protection.screening.schemas import CaseDetail, CaseList, CaseRead, QueueFilters
from ipbureau.protection.screening.workflows import HANDLING, REVIEW
from ipbureau.reference.models import District

MIN_SHARED_CHARS = 4  # shorter common runs (的、所述) are not worth highlighting
PAGE_SIZE = 50
WITH_PATENT = selectinload(ScreeningCase.patent).selectinload(Patent.applicants)


def visible_cases(user: Any, filters: QueueFilters | None = None, *, action: str = "view") -> Select:
    """The cases the user may see (or export), as filtered."""
    filters = filters or QueueFilters()
    query = policy.scoped(select(ScreeningCase).join(Patent, Patent.id == ScreeningCase.patent_id), user,
                          "screening.case", action)
    if filters.min_score is not None:
        query = query.where(ScreeningCase.total_score >= filters.min_score)
    if filters.sign:
        query = query.where(ScreeningCase.signs.like(f"%{filters.sign.value}%"))
    if filters.district:
        query = query.where(Patent.district_code == filters.district)
    if filters.agency:
        query = query.where(Patent.agency.like(f"%{filters.agency}%"))
    if filters.status:
        query = query.where(ScreeningCase.status == filters.status.value)
    return query.options(WITH_PATENT)


def list_cases(session: Session, user: Any, filters: QueueFilters | None = None, *, offset: int = 0,
               limit: int = PAGE_SIZE) -> tuple[list[ScreeningCase], int]:
    return paginate(session, visible_cases(user, filters), ScreeningCase.total_score.desc(), ScreeningCase.id,
                    offset=offset, limit=limit)


def case_list(session: Session, user: Any, filters: QueueFilters, *, offset: int = 0,
              limit: int = PAGE_SIZE) -> CaseList:
    cases, total = list_cases(session, user, filters, offset=offset, limit=limit)
    return CaseList(total=total, offset=offset, items=[CaseRead.of(c) for c in cases])


def get_case(session: Session, user: Any, case_id: int) -> ScreeningCase:
    """The case if the user may see it (missing and hidden alike: NotFound, 404)."""
    return policy.get(session, user, "screening.case", case_id, options=[WITH_PATENT])


def case_detail(session: Session, user: Any, case_id: int) -> CaseDetail:
    case = get_case(session, user, case_id)
    return CaseDetail.with_flags(case, flags_of(session, case.patent_id))


def flags_of(session: Session, patent_id: int) -> list[ScreeningFlag]:
    return list(session.scalars(select(ScreeningFlag).where(ScreeningFlag.patent_id == patent_id)
                                .order_by(ScreeningFlag.score.desc(), ScreeningFlag.sign)))


def latest_runs(session: Session, user: Any, limit: int = 5) -> list[ScreeningRun]:
    return list(session.scalars(policy.scoped(select(ScreeningRun), user, "screening.run")
                                .order_by(ScreeningRun.id.desc()).limit(limit)))


def status_counts(session: Session, user: Any) -> dict[str, int]:
    counts = {s.value: 0 for s in CaseStatus}
    query = policy.scoped(select(ScreeningCase.status, func.count()), user, "screening.case")
    for status, count in session.execute(query.group_by(ScreeningCase.status)):
        counts[status] = count
    return counts


# ---- the pages ------------------------------------------------------------------------------------------

@dataclass
class QueuePage:
    cases: list[ScreeningCase]
    total: int
    counts: dict[str, int]
    districts: list[tuple[str, str]]
    district_locked: bool  # the user sees one district's applications only: no district filter
    can_run: bool
    runs: list[ScreeningRun]
    job: JobStatus | None  # the run just started (any worker's)


def queue_page(session: Session, user: Any, filters: QueueFilters, *, offset: int = 0,
               job_id: str | None = None) -> QueuePage:
    cases, total = list_cases(session, user, filters, offset=offset)
    can_run = policy.allows(user, "screening.run", "run")
    districts = session.execute(select(District.code, District.name).where(District.code.like("12%"))
                                .order_by(District.code)).all()
    return QueuePage(cases=cases, total=total, counts=status_counts(session, user),
                     districts=[tuple(row) for row in districts],
                     district_locked=policy.clause(user, "screening.case") is not None, can_run=can_run,
                     runs=latest_runs(session, user) if can_run else [],
                     job=jobs.job_status(session, job_id) if job_id and can_run else None)


@dataclass
class CasePage:
    case: ScreeningCase
    flags: list[ScreeningFlag]
    pairs: list[PairView]
    district: District | None
    decisions: list[Transition]  # 认定非正常 / 排除, when the user may review it now
    outcomes: list[Transition]  # 撤回 / 驳回 / 整改, when the user may record its handling now

    @property
    def patent(self) -> Patent:
        return self.case.patent


def case_page(session: Session, user: Any, case_id: int) -> CasePage:
    case = get_case(session, user, case_id)
    flags = flags_of(session, case.patent_id)
    district = session.get(District, case.patent.district_code) if case.patent.district_code else None
    return CasePage(case=case, flags=flags, pairs=duplicate_pairs(session, case.patent, flags), district=district,
                    decisions=REVIEW.available(session, user, case, policy),
                    outcomes=HANDLING.available(session, user, case, policy))


# ---- evidence side by side --------------------------------------------------------------------------

def highlight(left: str, right: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Both texts cut into (segment, shared) runs: the runs of at least MIN_SHARED_CHARS both contain."""
    left, right = left or "", right or ""
    matcher = SequenceMatcher(None, left, right, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= MIN_SHARED_CHARS]

    def cut(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
        out, position = [], 0
        for start, size in spans:
            if start > position:
                out.append((text[position:start], False))
            out.append((text[start:start + size], True))
            position = start + size
        if position < len(text):
            out.append((text[position:], False))
        return out

    return cut(left, [(b.a, b.size) for b in blocks]), cut(right, [(b.b, b.size) for b in blocks])


@dataclass
class PairView:
    partner: Patent
    similarity: float
    fields: list[tuple[str, list[tuple[str, bool]], list[tuple[str, bool]]]]


def duplicate_pairs(session: Session, patent: Patent, flags: list[ScreeningFlag], limit: int = 3) -> list[PairView]:
    flag = next((f for f in flags if f.sign == Sign.NEAR_DUPLICATE), None)
    if flag is None:
        return []
    views = []
    for partner_info in flag.evidence.get("partners", [])[:limit]:
        partner = session.get(Patent, partner_info["key"])
        if partner is None:
            continue
        fields = []
        for label, attribute in (("名称", "title"), ("摘要", "abstract"), ("权利要求", "claims")):
            left, right = highlight(getattr(patent, attribute) or "", getattr(partner, attribute) or "")
            fields.append((label, left, right))
        views.append(PairView(partner=partner, similarity=partner_info["similarity"], fields=fields))
    return views


# ---- Excel --------------------------------------------------------------------------------------------

EXPORT_HEADERS = ("申请号", "专利名称", "申请人", "代理机构", "区", "申请日", "总分", "异常情形", "审查状态",
                  "审查理由", "审查日期", "处理结果", "处理完成日期", "异常情形说明")


def export_workbook(session: Session, user: Any, filters: QueueFilters | None = None) -> bytes:
    """The queue (as filtered, within the user's scope) as an Excel workbook, one row per application."""
    districts = dict(session.execute(select(District.code, District.name)).all())
    cases = session.scalars(visible_cases(user, filters, action="export")
                            .order_by(ScreeningCase.total_score.desc(), ScreeningCase.id))

    def row(case: ScreeningCase) -> list[Any]:
        patent = case.patent
        reasons = "\n".join(f"【{Sign(f.sign).label}】{f.reason}" for f in flags_of(session, patent.id))
        return [patent.application_no, patent.title, "；".join(patent.applicant_names), patent.agency or "",
                districts.get(patent.district_code or "", patent.district_code or ""), patent.filing_date,
                case.total_score, "、".join(Sign(s).label for s in case.signs.split(",") if s),
                CaseStatus(case.status).label, case.decision_reason or "",
                case.decided_at.date() if case.decided_at else None,
                Handling(case.handling).label if case.handling else "", case.handled_on, reasons]

    return table("非正常专利申请筛查", EXPORT_HEADERS, (row(case) for case in cases),
                 widths=[20, 36, 30, 30, 10, 12, 8, 30, 12, 30, 12, 14, 14, 80])
