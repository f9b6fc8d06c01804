"""Enterprise import: a register of enterprises, universities and institutes (CSV or XLSX).

Keyed by unified social credit code. After writing, patent applicants and trademark
applicants with exactly the enterprise's name are linked to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ipbureau.database.core import utcnow
from ipbureau.enterprises.creditcode import validate_credit_code
from ipbureau.enterprises.enums import EntityKind
from ipbureau.enterprises.models import Enterprise
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
from ipbureau.reference.address import district_names
from ipbureau.reference.attribution import UNATTRIBUTED_WARNING, attribute, manual_districts
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
    # The rule that attributed the district (ipbureau.reference.attribution), stored on the enterprise.
    district_rule: str | None = None


@dataclass
class _Context:
    districts_by_name: dict[str, str]
    chains: dict[str, str]  # code or name -> code
    names_in_use: dict[str, str]  # name -> credit code, already stored
    # Credit code -> district staff assigned by hand: kept by a re-import.
    manual_districts: dict[str, str] = field(default_factory=dict)


def _prepare(session: Session) -> _Context:
    chains: dict[str, str] = {}
    for chain in load_chains(session):
        chains[chain.code] = chain.code
        chains[chain.name] = chain.code
    names = dict(session.execute(select(Enterprise.name, Enterprise.credit_code)).all())
    return _Context({name: code for code, name in district_names().items()}, chains, names,
                    manual_districts(session, "enterprise"))


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
    column_district, district_error = district_from_cell(cmap.value(row, "district"), ctx.districts_by_name)
    if district_error:
        err("district", district_error)
    place = attribute(address, column_district=column_district, credit_code=credit_code,
                      manual=ctx.manual_districts.get(credit_code))
    warnings = [RowProblem(row_no, cmap.label(name), message) for name, message in (
        ("address", place.warning), ("district", UNATTRIBUTED_WARNING if place.district_code is None else None))
        if message]
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
        return None, errors, warnings
    assert name is not None and kind is not None
    return EnterpriseRecord(
        row=row_no, credit_code=credit_code, name=name, kind=kind, district_code=place.district_code,
        district_rule=place.district_rule, address=address,
        industry_chain=chain, tags=split_names(cmap.value(row, "tags")), established_on=established,
        employees=employees, contact_person=text_or_none(cmap.value(row, "contact_person")),
        contact_phone=text_or_none(cmap.value(row, "contact_phone")),
    ), [], warnings


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
