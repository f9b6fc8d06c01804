"""Enterprise import: a register of enterprises, universities and institutes (CSV or XLSX).

Keyed by unified social credit code. After writing, patent applicants and trademark
applicants with exactly the enterprise's name are linked to it.
"""

from __future__ import annotations

from ipbureau.core.errors import DomainError
from ipbureau.core.errors import TransitionError as CoreTransitionError

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.database.core import utcnow
from ipbureau.enterprises.creditcode import validate_credit_code
from ipbureau.enterprises.enums import AssessmentLevel, AssessmentStatus, EntityKind
from ipbureau.enterprises.models import AdvantageAssessment, Enterprise
from ipbureau.enums import Dataset
from ipbureau.imports.cells import district_from_cell
from ipbureau.imports.columns import ColumnMap, FieldSet
from ipbureau.imports.errors import RowProblem
from ipbureau.imports.readers import parse_count, parse_date, split_names, text_or_none
from ipbureau.imports.runner import (
    ImportResult,
    ImportSpec,
    content_hash,
    record_content,
    run_import,
)
from ipbureau.navigation.chains import load_chains
from ipbureau.patents.models import PatentApplicant
from ipbureau.reference.address import district_names, resolve_address
from ipbureau.trademarks.models import Trademark

ENTERPRISE_FIELDS = FieldSet(
    aliases={
        "credit_code": ("统一社会信用代码", "信用代码", "credit_code"),
        "name": ("企业名称", "单位名称", "名称", "name"),
        "kind": ("主体类型", "单位类型", "类型", "kind"),
        "district": ("所属区", "区", "district"),
        "address": ("地址", "注册地址", "住所", "address"),
        "industry_chain": ("产业链", "所属产业链", "industry_chain"),
        "tags": ("称号", "资质", "标签", "tags"),
        "established_on": ("成立日期", "established_on"),
        "employees": ("从业人数", "员工人数", "employees"),
        "contact_person": ("联系人", "contact_person"),
        "contact_phone": ("联系电话", "电话", "contact_phone"),
    },
    required=("credit_code", "name"),
    labels={"credit_code": "统一社会信用代码", "name": "企业名称", "kind": "类型", "district": "所属区",
            "address": "地址", "industry_chain": "产业链", "tags": "称号", "established_on": "成立日期",
            "employees": "从业人数", "contact_person": "联系人", "contact_phone": "联系电话"},
)

KIND_WORDS = {label: value for value, label in EntityKind.choices()} | {v.value: v.value for v in EntityKind} | {
    "高校": "university", "大学": "university", "院所": "institute", "科研机构": "institute", "机构": "agency"}


@dataclass
class EnterpriseRecord:
    row: int
    credit_code: str
    name: str
    kind: str
    district_code: str | None
    address: str | None
    industry_chain: str | None
    tags: list[str]
    established_on: date | None
    employees: int | None
    contact_person: str | None
    contact_phone: str | None


@dataclass
class _Context:
    districts_by_name: dict[str, str]
    chains: dict[str, str]  # code or name -> code
    names_in_use: dict[str, str]  # name -> credit code, already stored


def _prepare(session: Session) -> _Context:
    chains: dict[str, str] = {}
    for chain in load_chains():
        chains[chain.code] = chain.code
        chains[chain.name] = chain.code
    names = dict(session.execute(select(Enterprise.name, Enterprise.credit_code)).all())
    return _Context({name: code for code, name in district_names().items()}, chains, names)


def parse_row(row_no: int, row: dict[str, Any], cmap: ColumnMap, ctx: _Context):
    errors: list[RowProblem] = []

    def err(name: str, message: str) -> None:
        errors.append(RowProblem(row_no, cmap.label(name), message))

    credit_code = ""
    try:
        credit_code = validate_credit_code(cmap.value(row, "credit_code"))
    except ValueError as exc:
        err("credit_code", str(exc))
    name = text_or_none(cmap.value(row, "name"))
    if name is None:
        err("name", "企业名称不能为空")
    elif credit_code and ctx.names_in_use.get(name, credit_code) != credit_code:
        err("name", f"名称“{name}”已登记在信用代码 {ctx.names_in_use[name]} 名下")
    kind_text = text_or_none(cmap.value(row, "kind"))
    kind = KIND_WORDS.get(kind_text or "企业")
    if kind is None:
        err("kind", f"未知的类型“{kind_text}”（应为 企业、高等院校、科研院所、服务机构 或 其他）")
    chain_text = text_or_none(cmap.value(row, "industry_chain"))
    chain = ctx.chains.get(chain_text) if chain_text else None
    if chain_text and chain is None:
        err("industry_chain", f"未知的产业链“{chain_text}”（应为十二条重点产业链之一，如 集成电路）")
    address = text_or_none(cmap.value(row, "address"))
    district, district_error = district_from_cell(cmap.value(row, "district"), ctx.districts_by_name)
    if district_error:
        err("district", district_error)
    district = district or resolve_address(address).district_code
    established = employees = None
    try:
        established = parse_date(cmap.value(row, "established_on"))
    except ValueError as exc:
        err("established_on", str(exc) if "日期" in str(exc) else "日期不存在")
    try:
        employees = parse_count(cmap.value(row, "employees"))
    except ValueError as exc:
        err("employees", str(exc))
    if errors:
        return None, errors, []
    assert name is not None and kind is not None
    return EnterpriseRecord(
        row=row_no, credit_code=credit_code, name=name, kind=kind, district_code=district, address=address,
        industry_chain=chain, tags=split_names(cmap.value(row, "tags")), established_on=established,
        employees=employees, contact_person=text_or_none(cmap.value(row, "contact_person")),
        contact_phone=text_or_none(cmap.value(row, "contact_phone")),
    ), [], []


class _Writer:
    def __init__(self, session: Session, batch_id: int, dataset: Dataset, source: str) -> None:
        self.session = session
        self.dataset = dataset
        self.inserted = self.updated = self.unchanged = 0
        self.changed_ids: list[int] = []

    def write(self, pairs: list[tuple[EnterpriseRecord, str]]) -> None:
        # Compared field by field with the stored row (staff may have edited it), so the row hash is not used.
        records = [record for record, _ in pairs]
        if not records:
            return
        stored = {e.credit_code: e for e in self.session.scalars(
            select(Enterprise).where(Enterprise.credit_code.in_([r.credit_code for r in records])))}
        now = utcnow()
        new_rows = []
        for record in records:
            values = record_content(record) | {"dataset": self.dataset.value}
            current = stored.get(record.credit_code)
            if current is None:
                new_rows.append(values | {"created_at": now, "updated_at": now})
                continue
            before = {k: getattr(current, k) for k in values}
            if content_hash(before) == content_hash(values):
                self.unchanged += 1
                continue
            for key, value in values.items():
                setattr(current, key, value)
            self.changed_ids.append(current.id)
            self.updated += 1
        if new_rows:
            # executemany then select: see patents.flows._Writer for why not INSERT … RETURNING.
            self.session.execute(insert(Enterprise.__table__), new_rows)
            ids = self.session.scalars(select(Enterprise.id).where(
                Enterprise.credit_code.in_([r["credit_code"] for r in new_rows]))).all()
            self.changed_ids += list(ids)
            self.inserted += len(new_rows)
        self.session.flush()
        names = {r.name: None for r in records}
        by_name = dict(self.session.execute(select(Enterprise.name, Enterprise.id).where(Enterprise.name.in_(names))).all())
        for name, enterprise_id in by_name.items():
            self.session.execute(update(PatentApplicant).where(PatentApplicant.name == name,
                                                               PatentApplicant.enterprise_id.is_(None))
                                 .values(enterprise_id=enterprise_id))
            self.session.execute(update(Trademark).where(Trademark.applicant_name == name, Trademark.enterprise_id.is_(None))
                                 .values(enterprise_id=enterprise_id))


def _map_columns(headers: list[str], file_format: str) -> tuple[ColumnMap, list[str]]:
    mapping, missing = ENTERPRISE_FIELDS.map(headers)
    mapping.format_name = f"enterprise-{file_format}"
    return mapping, missing


ENTERPRISE_IMPORT = ImportSpec[EnterpriseRecord](
    kind="enterprise", noun="企业", map_columns=_map_columns, prepare=_prepare, parse_row=parse_row,
    key=lambda r: r.credit_code, key_field="credit_code", make_writer=_Writer,
)


def import_enterprises(session: Session, data: bytes, filename: str, *, actor: Any | None = None,
                       dataset: Dataset = Dataset.REAL, progress=None) -> ImportResult:
    return run_import(session, ENTERPRISE_IMPORT, data, filename, actor=actor, dataset=dataset, progress=progress)


# ---- 优势/示范企业认定: 申报 → 评审 → 认定 / 不予认定 ------------------------------------------------


class AssessmentError(DomainError):
    """Bad input for an assessment; the message names the field (zh-CN)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}：{message}")
        self.field = field_name


class AssessmentTransitionError(AssessmentError, CoreTransitionError):
    """An action the assessment's current status does not allow."""


# action -> (statuses it may start from, status it leads to, audit verb, summary word)
ASSESSMENT_ACTIONS = {
    "review": ((AssessmentStatus.APPLIED,), AssessmentStatus.REVIEWING, "review", "进入评审"),
    "confirm": ((AssessmentStatus.REVIEWING,), AssessmentStatus.CONFIRMED, "confirm", "认定"),
    "reject": ((AssessmentStatus.REVIEWING,), AssessmentStatus.REJECTED, "reject", "不予认定"),
}
ASSESSMENT_FIELDS = ("enterprise_id", "year", "level", "status", "applied_on", "score", "decided_on", "note")


def _assessment_state(assessment: AdvantageAssessment) -> dict[str, Any]:
    return {name: getattr(assessment, name) for name in ASSESSMENT_FIELDS}


def _check_assessor(actor: Any, enterprise: Enterprise | None = None, *, decide: bool = False) -> None:
    from ipbureau.auth.enums import Role
    from ipbureau.auth.permissions import PermissionDenied

    role = Role(actor.role)
    if role in (Role.ADMIN, Role.BUREAU_STAFF):
        return
    if decide:
        raise PermissionDenied("评审与认定由市局工作人员办理")
    if role == Role.DISTRICT_STAFF and enterprise is not None and actor.district_code == enterprise.district_code:
        return
    if role == Role.ENTERPRISE and enterprise is not None and actor.enterprise_id == enterprise.id:
        return
    raise PermissionDenied("只能为本企业（区局：本区企业）申报")


def apply_assessment(session: Session, *, enterprise_id: Any, year: Any, level: Any, actor: Any,
                     note: str | None = None, today: date | None = None) -> AdvantageAssessment:
    """申报: an enterprise (itself, its district or the city bureau) applies for a level in a year."""
    today = today or date.today()
    try:
        enterprise = session.get(Enterprise, int(enterprise_id))
    except (TypeError, ValueError):
        enterprise = None
    if enterprise is None:
        raise AssessmentError("企业", f"编号为 {enterprise_id} 的企业不存在")
    _check_assessor(actor, enterprise)
    try:
        year_number = int(str(year).strip())
    except (TypeError, ValueError):
        raise AssessmentError("年度", f"“{year}”不是年份") from None
    if not 2000 <= year_number <= today.year + 1:
        raise AssessmentError("年度", f"应在 2000 至 {today.year + 1} 之间")
    if str(level) not in {lv.value for lv in AssessmentLevel}:
        raise AssessmentError("认定类别", f"未知的类别“{level}”（优势企业或示范企业）")
    exists = session.scalar(select(AdvantageAssessment).where(
        AdvantageAssessment.enterprise_id == enterprise.id, AdvantageAssessment.year == year_number,
        AdvantageAssessment.level == str(level)))
    if exists is not None:
        raise AssessmentError("年度", f"{enterprise.name} 已申报 {year_number} 年{AssessmentLevel(str(level)).label}")
    assessment = AdvantageAssessment(enterprise_id=enterprise.id, year=year_number, level=str(level),
                                     status=AssessmentStatus.APPLIED.value, applied_on=today,
                                     note=(note or "").strip() or None, created_by=getattr(actor, "id", None))
    session.add(assessment)
    session.flush()
    audit.record(session, actor=actor, action="enterprises.assessment.apply", entity_type="enterprise_assessment",
                 entity_id=assessment.id,
                 summary=f"{enterprise.name} 申报 {year_number} 年{AssessmentLevel(str(level)).label}",
                 changes=audit.diff({}, _assessment_state(assessment)))
    return assessment


def move_assessment(session: Session, assessment: AdvantageAssessment, action: str, *, actor: Any,
                    note: str | None = None, decided_on: Any = None, today: date | None = None) -> AdvantageAssessment:
    """评审 (freezes the score and its breakdown), then 认定 or 不予认定 (with the decision date)."""
    from ipbureau.enterprises.assessment import score_of

    today = today or date.today()
    if action not in ASSESSMENT_ACTIONS:
        raise AssessmentError("操作", f"未知的操作“{action}”")
    _check_assessor(actor, decide=True)
    sources, target, verb, word = ASSESSMENT_ACTIONS[action]
    if AssessmentStatus(assessment.status) not in sources:
        raise AssessmentTransitionError(
            "状态", f"“{AssessmentStatus(assessment.status).label}”的申报不能{word}")
    before = _assessment_state(assessment)
    if action == "review":
        score = score_of(session, assessment.enterprise_id, as_of=today)
        assessment.score = score.total if score else 0.0
        assessment.breakdown = score.breakdown() if score else None
    else:
        day = today
        if decided_on not in (None, ""):
            try:
                day = parse_date(decided_on) or today
            except ValueError:
                raise AssessmentError("认定日期", f"日期“{decided_on}”无法识别（如 2023-05-01）") from None
        if day > today:
            raise AssessmentError("认定日期", "不能晚于今天")
        if day < assessment.applied_on:
            raise AssessmentError("认定日期", "不能早于申报日期")
        assessment.decided_on = day
        assessment.decided_by = getattr(actor, "id", None)
        if action == "reject" and not (note or "").strip():
            raise AssessmentError("评审意见", "不予认定时请填写理由")
    if note and note.strip():
        assessment.note = note.strip()
    assessment.status = target.value
    session.flush()
    audit.record(session, actor=actor, action=f"enterprises.assessment.{verb}", entity_type="enterprise_assessment",
                 entity_id=assessment.id,
                 summary=f"{assessment.enterprise.name} {assessment.year} 年{AssessmentLevel(assessment.level).label}：{word}",
                 changes=audit.diff(before, _assessment_state(assessment)))
    return assessment


def list_assessments(session: Session, *, year: int | None = None, status: str | None = None,
                     district_code: str | None = None, enterprise_id: int | None = None) -> list[AdvantageAssessment]:
    query = select(AdvantageAssessment).join(Enterprise, Enterprise.id == AdvantageAssessment.enterprise_id)
    if year:
        query = query.where(AdvantageAssessment.year == year)
    if status:
        query = query.where(AdvantageAssessment.status == status)
    if district_code:
        query = query.where(Enterprise.district_code == district_code)
    if enterprise_id:
        query = query.where(AdvantageAssessment.enterprise_id == enterprise_id)
    return list(session.scalars(query.order_by(AdvantageAssessment.year.desc(), AdvantageAssessment.id.desc())))
