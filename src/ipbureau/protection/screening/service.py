"""Reading the review queue: filters, visibility, evidence side by side, Excel export."""

from __future__ import annotations

import io
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from ipbureau.auth.permissions import district_scope
from ipbureau.database.core import paginate
from ipbureau.patents.models import Patent
from ipbureau.protection.screening.enums import CaseStatus, Handling, Sign
from ipbureau.protection.screening.models import ScreeningCase, ScreeningFlag, ScreeningRun

MIN_SHARED_CHARS = 4  # shorter common runs (的、所述) are not worth highlighting


@dataclass
class CaseFilters:
    min_score: float | None = None
    sign: str | None = None
    district: str | None = None
    agency: str | None = None
    status: str | None = None
    dataset: str | None = None


def visible_cases(user: Any, filters: CaseFilters | None = None) -> Select:
    filters = filters or CaseFilters()
    query = select(ScreeningCase).join(Patent, Patent.id == ScreeningCase.patent_id)
    scope = district_scope(user)
    if scope is not None:
        query = query.where(Patent.district_code == scope)
    if filters.min_score is not None:
        query = query.where(ScreeningCase.total_score >= filters.min_score)
    if filters.sign:
        query = query.where(ScreeningCase.signs.like(f"%{filters.sign}%"))
    if filters.district:
        query = query.where(Patent.district_code == filters.district)
    if filters.agency:
        query = query.where(Patent.agency.like(f"%{filters.agency}%"))
    if filters.status:
        query = query.where(ScreeningCase.status == filters.status)
    if filters.dataset:
        query = query.where(Patent.dataset == filters.dataset)
    return query.options(selectinload(ScreeningCase.patent).selectinload(Patent.applicants))


def list_cases(session: Session, user: Any, filters: CaseFilters | None = None, *, offset: int = 0,
               limit: int = 50) -> tuple[list[ScreeningCase], int]:
    return paginate(session, visible_cases(user, filters), ScreeningCase.total_score.desc(), ScreeningCase.id,
                    offset=offset, limit=limit)


def flags_of(session: Session, patent_id: int) -> list[ScreeningFlag]:
    return list(session.scalars(select(ScreeningFlag).where(ScreeningFlag.patent_id == patent_id)
                                .order_by(ScreeningFlag.score.desc(), ScreeningFlag.sign)))


def latest_runs(session: Session, limit: int = 5) -> list[ScreeningRun]:
    return list(session.scalars(select(ScreeningRun).order_by(ScreeningRun.id.desc()).limit(limit)))


def status_counts(session: Session, user: Any) -> dict[str, int]:
    counts = {s.value: 0 for s in CaseStatus}
    query = select(ScreeningCase.status, func.count()).join(Patent, Patent.id == ScreeningCase.patent_id)
    scope = district_scope(user)
    if scope is not None:
        query = query.where(Patent.district_code == scope)
    for status, count in session.execute(query.group_by(ScreeningCase.status)):
        counts[status] = count
    return counts


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


def export_workbook(session: Session, user: Any, filters: CaseFilters | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ipbureau.reference.models import District

    districts = dict(session.execute(select(District.code, District.name)).all())
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "非正常专利申请筛查"
    sheet.append(EXPORT_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    cases = session.scalars(visible_cases(user, filters).order_by(ScreeningCase.total_score.desc(), ScreeningCase.id))
    for case in cases:
        patent = case.patent
        reasons = "\n".join(f"【{Sign(f.sign).label}】{f.reason}" for f in flags_of(session, patent.id))
        sheet.append([
            patent.application_no, _safe(patent.title), _safe("；".join(patent.applicant_names)),
            _safe(patent.agency or ""), districts.get(patent.district_code or "", patent.district_code or ""),
            patent.filing_date, case.total_score,
            "、".join(Sign(s).label for s in case.signs.split(",") if s), CaseStatus(case.status).label,
            _safe(case.decision_reason or ""), case.decided_at.date() if case.decided_at else None,
            Handling(case.handling).label if case.handling else "", case.handled_on, _safe(reasons),
        ])
    for column, width in zip("ABCDEFGHIJKLMN", (20, 36, 30, 30, 10, 12, 8, 30, 12, 30, 12, 14, 14, 80)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe(text: str) -> str:
    """Cells that would start a formula are quoted (a text from an application must not run in Excel)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
