"""Request and response shapes of the screening: the queue's filters, the review's forms (the API's bodies and
the page forms are parsed into the same models), runs and jobs, and what the API answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, field_validator

from ipbureau.core.fields import Day, Filters, LongText, Score, ShortText, register_labels
from ipbureau.core.forms import VersionSeen
from ipbureau.enums import Dataset
from ipbureau.protection.screening.enums import CaseStatus, Handling, Sign
from ipbureau.protection.screening.models import ScreeningCase, ScreeningFlag

register_labels({
    "sign": "异常情形", "agency": "代理机构", "decision": "审查结论", "reason": "理由", "handling": "处理结果",
    "note": "处理说明", "handled_on": "处理完成日期", "filed_from": "申请日起", "filed_to": "申请日止",
    "dataset": "数据类别", "case_id": "审查案件编号", "job": "筛查任务",
}, __name__)


# ---- the queue's filters (query string) -----------------------------------------------------------

class QueueFilters(Filters):
    """Filters of the review queue (the API and the Excel export: every status unless one is asked for)."""

    min_score: Score | None = None
    sign: Sign | None = None
    district: ShortText | None = None
    agency: ShortText | None = None
    status: CaseStatus | None = None

    @field_validator("district", "agency")
    @classmethod
    def _trimmed(cls, value: str | None) -> str | None:
        return (value or "").strip() or None

    def query(self) -> dict[str, str]:
        """The filters that are set, for links (export, JSON) that keep them."""
        return {k: str(v) for k, v in self.model_dump(mode="json").items() if v is not None}


ALL_STATUSES = "all"  # the queue page's 全部 choice of status


class QueuePageFilters(QueueFilters):
    """The queue page opens on the applications still to review; its 全部 choice sends ``status=all``."""

    status: CaseStatus | None = CaseStatus.PENDING

    @field_validator("status", mode="before")
    @classmethod
    def _all_statuses(cls, value: Any) -> Any:
        return None if value == ALL_STATUSES else value


# ---- the review -------------------------------------------------------------------------------------

class Decision(VersionSeen):
    """认定非正常 (``confirm``) or 排除 (``clear``), with the reviewer's reason (checked by the review, whose
    messages name the reason after the decision)."""

    decision: ShortText = ""
    reason: LongText = ""


class HandlingRecord(VersionSeen):
    """How a confirmed application was dealt with: withdrawn, rejected or corrected, on a day (default today)."""

    handling: ShortText = ""
    note: LongText | None = None
    handled_on: Day | None = None


class RunCreate(BaseModel):
    """A screening of one dataset's applications filed in a range (inclusive; open ends when left out)."""

    dataset: Dataset = Dataset.REAL
    filed_from: Day | None = None
    filed_to: Day | None = None


# ---- answers ------------------------------------------------------------------------------------------

class FlagRead(BaseModel):
    sign: Sign
    sign_label: str
    score: float
    reason: str
    evidence: dict[str, Any]

    @classmethod
    def of(cls, flag: ScreeningFlag) -> FlagRead:
        return cls(sign=flag.sign, sign_label=Sign(flag.sign).label, score=flag.score, reason=flag.reason,
                   evidence=flag.evidence)


class CaseRead(BaseModel):
    id: int
    patent_id: int
    application_no: str
    title: str
    applicants: list[str]
    agency: str | None
    district_code: str | None
    filing_date: date | None
    total_score: float
    signs: list[Sign]
    status: CaseStatus
    status_label: str
    decision_reason: str | None
    decided_at: datetime | None
    handling: Handling | None
    handling_label: str | None
    handled_on: date | None
    version: int  # send it back with a decision: a decision on a case changed meanwhile is refused (409)

    @classmethod
    def fields_of(cls, case: ScreeningCase) -> dict[str, Any]:
        patent = case.patent
        return {
            "id": case.id, "patent_id": patent.id, "application_no": patent.application_no, "title": patent.title,
            "applicants": patent.applicant_names, "agency": patent.agency, "district_code": patent.district_code,
            "filing_date": patent.filing_date, "total_score": case.total_score,
            "signs": [s for s in case.signs.split(",") if s], "status": case.status,
            "status_label": CaseStatus(case.status).label, "decision_reason": case.decision_reason,
            "decided_at": case.decided_at, "handling": case.handling,
            "handling_label": Handling(case.handling).label if case.handling else None, "handled_on": case.handled_on,
            "version": case.version,
        }

    @classmethod
    def of(cls, case: ScreeningCase) -> CaseRead:
        return cls(**cls.fields_of(case))


class CaseDetail(CaseRead):
    """A case with the signs its application shows (reason and evidence of each)."""

    flags: list[FlagRead]

    @classmethod
    def with_flags(cls, case: ScreeningCase, flags: list[ScreeningFlag]) -> CaseDetail:
        return cls(**cls.fields_of(case), flags=[FlagRead.of(f) for f in flags])


class CaseList(BaseModel):
    total: int
    offset: int
    items: list[CaseRead]


class JobRead(BaseModel):
    """A screening running in the background (the page polls it)."""

    id: str
    state: str  # queued | running | succeeded | failed
    stage: str
    done: int
    total: int
    message: str
    run_id: int | None
