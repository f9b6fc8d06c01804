"""Plain functions over a session: read patents, normalise legal status, validate IPC codes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ipbureau.enums import Dataset
from ipbureau.patents.enums import LegalStatus, PatentType
from ipbureau.patents.models import Patent
from ipbureau.policy import policy
from ipbureau.reference.ipc import IpcFormatError, normalise_ipc
from ipbureau.reference.models import IpcCode
from ipbureau.reference.service import district_map, ipc_titles
from ipbureau.search.usage import count_use

# A record is always shown with its applicants and IPC codes.
_WITH_CHILDREN = (selectinload(Patent.applicants), selectinload(Patent.ipc_codes))

# Wording of legal status in CNIPA, CNIPR and incoPat exports, most specific first.
_LEGAL_STATUS_RULES: tuple[tuple[re.Pattern[str], LegalStatus], ...] = (
    (re.compile(r"驳回|rejected", re.I), LegalStatus.REJECTED),
    (re.compile(r"撤回|withdrawn", re.I), LegalStatus.WITHDRAWN),
    (re.compile(r"^无权|失效|届满|未缴年费|终止|放弃|无效|lapsed|expired|invalid", re.I), LegalStatus.INVALID),
    (re.compile(r"^审中|实质审查|公开|pending|examination", re.I), LegalStatus.PENDING),
    (re.compile(r"^有权|授权|有效|维持|valid|granted|active", re.I), LegalStatus.VALID),
)


def normalise_legal_status(raw: str | None) -> LegalStatus:
    if not raw or not str(raw).strip():
        return LegalStatus.UNKNOWN
    text = str(raw).strip()
    for pattern, status in _LEGAL_STATUS_RULES:
        if pattern.search(text):
            return status
    return LegalStatus.UNKNOWN


_TYPE_WORDS: tuple[tuple[str, PatentType], ...] = (
    ("实用新型", PatentType.UTILITY_MODEL),
    ("外观", PatentType.DESIGN),
    ("发明", PatentType.INVENTION),
    ("utility", PatentType.UTILITY_MODEL),
    ("design", PatentType.DESIGN),
    ("invention", PatentType.INVENTION),
)


def patent_type_from_text(raw: str | None) -> PatentType | None:
    if not raw:
        return None
    text = str(raw).strip().lower()
    for word, patent_type in _TYPE_WORDS:
        if word in text:
            return patent_type
    return None


def type_from_publication_kind(publication_no: str | None) -> PatentType | None:
    if not publication_no:
        return None
    kind = publication_no.strip().upper()[-1:]
    return {"A": PatentType.INVENTION, "B": PatentType.INVENTION, "U": PatentType.UTILITY_MODEL,
            "Y": PatentType.UTILITY_MODEL, "S": PatentType.DESIGN}.get(kind)


def is_grant_publication(publication_no: str | None) -> bool:
    """B (invention grant), U/Y (utility model) and S (design) publications announce a grant."""
    return bool(publication_no) and publication_no.strip().upper()[-1:] in {"B", "U", "Y", "S"}


@dataclass
class IpcCheck:
    code: str | None
    error: str | None = None
    warning: str | None = None


class IpcValidator:
    """Validates codes against the loaded scheme, kept in memory for the length of an import."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(IpcCode.code, IpcCode.current)).all()
        self.codes = {code: current for code, current in rows}
        self.subclasses = {code for code in self.codes if len(code) == 4}

    @property
    def loaded(self) -> bool:
        return bool(self.codes)

    def check(self, raw: str) -> IpcCheck:
        try:
            code = normalise_ipc(raw)
        except IpcFormatError:
            return IpcCheck(None, error=f"不是有效的 IPC 分类号：“{raw}”")
        if code in self.codes:
            if not self.codes[code]:
                return IpcCheck(code, warning=f"分类号 {code} 不在现行中文版 IPC 中，仅见于 2020 版（可能已改分）")
            return IpcCheck(code)
        if code[:4] not in self.subclasses:
            return IpcCheck(None, error=f"IPC 中不存在小类 {code[:4]}（分类号“{raw}”）")
        return IpcCheck(code, warning=f"分类号 {code} 不在已加载的 IPC 版本中（小类 {code[:4]} 存在）")


def view(session: Session, user: Any, patent_id: int) -> Patent:
    """One patent as the user may see it (NotFound otherwise); counts one record view."""
    patent = policy.get(session, user, "patent", patent_id, options=_WITH_CHILDREN)
    count_use(user, "view", query_text=patent.application_no, result_count=1)
    return patent


@dataclass(frozen=True)
class PatentDetail:
    """A patent with what its page shows beside it: the titles of its IPC codes and its district's name."""

    patent: Patent
    ipc_titles: dict[str, IpcCode]
    district_name: str | None


def detail(session: Session, user: Any, patent_id: int) -> PatentDetail:
    patent = view(session, user, patent_id)
    return PatentDetail(patent, ipc_titles(session, patent.ipc_list),
                        district_map(session).get(patent.district_code or ""))


def get_by_application_no(session: Session, application_no: str) -> Patent | None:
    return session.scalar(select(Patent).where(Patent.application_no == application_no).options(*_WITH_CHILDREN))


def get_many(session: Session, patent_ids: list[int]) -> list[Patent]:
    """Patents by id, in the order given (search results keep their ranking)."""
    if not patent_ids:
        return []
    rows = session.scalars(select(Patent).where(Patent.id.in_(patent_ids)).options(*_WITH_CHILDREN)).all()
    by_id = {p.id: p for p in rows}
    return [by_id[i] for i in patent_ids if i in by_id]


def count_by_type(session: Session, dataset: Dataset | None = None) -> dict[str, int]:
    query = select(Patent.patent_type, func.count()).group_by(Patent.patent_type)
    if dataset:
        query = query.where(Patent.dataset == dataset)
    return {str(t): n for t, n in session.execute(query)}


def dataset_present(session: Session, dataset: Dataset) -> bool:
    return session.scalar(select(Patent.id).where(Patent.dataset == dataset).limit(1)) is not None
