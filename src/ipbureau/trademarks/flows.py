"""Trademark import (CSV or XLSX in the layout of trademark-office exports), keyed by registration number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ipbureau.database.core import utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.enums import Dataset
from ipbureau.imports.cells import district_from_cell
from ipbureau.imports.columns import ColumnMap, FieldSet
from ipbureau.imports.errors import RowProblem
from ipbureau.imports.readers import parse_date, text_or_none
from ipbureau.imports.runner import ImportResult, ImportSpec, record_content, run_import
from ipbureau.reference.address import district_names, resolve_address
from ipbureau.trademarks.enums import TrademarkStatus
from ipbureau.trademarks.models import Trademark
from ipbureau.trademarks.nice import CLASS_COUNT, EDITION, headings

TRADEMARK_FIELDS = FieldSet(
    aliases={
        "application_no": ("注册号", "申请号", "注册/申请号", "申请/注册号", "application_no"),
        "mark_name": ("商标名称", "商标", "mark_name"),
        "nice_classes": ("国际分类", "类别", "尼斯分类", "nice_classes"),
        "applicant_name": ("申请人名称", "申请人", "注册人", "applicant_name"),
        "applicant_address": ("申请人地址", "地址", "applicant_address"),
        "district": ("所属区", "区", "district"),
        "filing_date": ("申请日期", "申请日", "filing_date"),
        "registration_date": ("注册日期", "注册公告日期", "registration_date"),
        "expiry_date": ("专用权期限截止日", "到期日期", "expiry_date"),
        "status": ("商标状态", "状态", "status"),
        "is_geographical_indication": ("地理标志", "is_geographical_indication"),
    },
    required=("application_no", "mark_name", "nice_classes", "applicant_name", "filing_date"),
    labels={"application_no": "注册号", "mark_name": "商标名称", "nice_classes": "国际分类",
            "applicant_name": "申请人名称", "applicant_address": "申请人地址", "district": "所属区",
            "filing_date": "申请日期", "registration_date": "注册日期", "expiry_date": "专用权期限截止日",
            "status": "商标状态", "is_geographical_indication": "地理标志"},
)

STATUS_RULES: tuple[tuple[re.Pattern[str], TrademarkStatus], ...] = (
    (re.compile(r"驳回|不予注册|rejected", re.I), TrademarkStatus.REJECTED),
    (re.compile(r"无效|撤销|注销|invalid", re.I), TrademarkStatus.INVALIDATED),
    (re.compile(r"期满|过期|失效|expired", re.I), TrademarkStatus.EXPIRED),
    (re.compile(r"申请中|审查|初审|公告期|受理|applied|pending", re.I), TrademarkStatus.APPLIED),
    (re.compile(r"注册|有效|registered|valid", re.I), TrademarkStatus.REGISTERED),
)
NUMBER_RE = re.compile(r"^G?\d{1,10}$")


@dataclass
class TrademarkRecord:
    row: int
    application_no: str
    mark_name: str
    nice_classes: list[int]
    primary_class: int
    applicant_name: str
    applicant_address: str | None
    province_code: str | None
    district_code: str | None
    filing_date: date
    registration_date: date | None
    expiry_date: date | None
    status: str
    is_geographical_indication: bool


def _status(raw: str | None, registration_date: date | None) -> TrademarkStatus | None:
    if not raw:
        return TrademarkStatus.REGISTERED if registration_date else TrademarkStatus.APPLIED
    for pattern, status in STATUS_RULES:
        if pattern.search(raw):
            return status
    return None


@dataclass(frozen=True)
class _Known:
    """What rows are checked against, read once per import: district names and the loaded Nice classes."""

    districts_by_name: dict[str, str]
    nice_classes: frozenset[int]  # empty when the classification is not loaded: the 1–45 range is checked


def _prepare(session: Session) -> _Known:
    return _Known({name: code for code, name in district_names().items()}, frozenset(headings(session)))


def parse_row(row_no: int, row: dict[str, Any], cmap: ColumnMap, known: _Known):
    errors: list[RowProblem] = []
    warnings: list[RowProblem] = []

    def err(name: str, message: str) -> None:
        errors.append(RowProblem(row_no, cmap.label(name), message))

    number = re.sub(r"\s", "", str(cmap.value(row, "application_no") or "")).upper()
    if number.endswith(".0"):  # a number that went through a float in Excel
        number = number[:-2]
    if not NUMBER_RE.match(number):
        err("application_no", f"注册号应为数字（国际注册可带 G 前缀），实为“{cmap.value(row, 'application_no')}”")
    mark = text_or_none(cmap.value(row, "mark_name"))
    if mark is None:
        err("mark_name", "商标名称不能为空")
    classes: list[int] = []
    for part in re.split(r"[;；,，、\s]+", str(cmap.value(row, "nice_classes") or "").strip()):
        if not part:
            continue
        part = part.removesuffix(".0")
        if not part.isdigit() or not 1 <= int(part) <= CLASS_COUNT:
            err("nice_classes", f"尼斯分类应为 1–{CLASS_COUNT} 的整数，实为“{part}”")
        elif known.nice_classes and int(part) not in known.nice_classes:
            err("nice_classes", f"第 {int(part)} 类不在已载入的尼斯分类（{EDITION}）中")
        elif int(part) not in classes:
            classes.append(int(part))
    if not classes and not any(p.field == cmap.label("nice_classes") for p in errors):
        err("nice_classes", "国际分类不能为空")
    applicant = text_or_none(cmap.value(row, "applicant_name"))
    if applicant is None:
        err("applicant_name", "申请人名称不能为空")
    dates: dict[str, date | None] = {}
    for name in ("filing_date", "registration_date", "expiry_date"):
        try:
            dates[name] = parse_date(cmap.value(row, name))
        except ValueError as exc:
            dates[name] = None
            err(name, str(exc) if "日期" in str(exc) else "日期不存在")
    if dates["filing_date"] is None and not any(p.field == cmap.label("filing_date") for p in errors):
        err("filing_date", "申请日期不能为空")
    if dates["filing_date"] and dates["registration_date"] and dates["registration_date"] < dates["filing_date"]:
        err("registration_date", "注册日期早于申请日期")
    status_raw = text_or_none(cmap.value(row, "status"))
    status = _status(status_raw, dates["registration_date"])
    if status is None:
        err("status", f"无法识别的商标状态“{status_raw}”")
    address = text_or_none(cmap.value(row, "applicant_address"))
    resolved = resolve_address(address)
    district, district_error = district_from_cell(cmap.value(row, "district"), known.districts_by_name)
    if district_error:
        err("district", district_error)
    gi = str(cmap.value(row, "is_geographical_indication") or "").strip() in ("是", "1", "true", "True", "Y")
    if errors:
        return None, errors, warnings
    assert mark and applicant and status and dates["filing_date"]
    district = district or resolved.district_code
    return TrademarkRecord(
        row=row_no, application_no=number, mark_name=mark, nice_classes=classes, primary_class=classes[0],
        applicant_name=applicant, applicant_address=address, province_code="12" if district else resolved.province_code,
        district_code=district, filing_date=dates["filing_date"], registration_date=dates["registration_date"],
        expiry_date=dates["expiry_date"], status=status.value, is_geographical_indication=gi,
    ), errors, warnings


class _Writer:
    def __init__(self, session: Session, batch_id: int, dataset: Dataset, source: str) -> None:
        self.session = session
        self.dataset = dataset
        self.source = source
        self.enterprise_ids = dict(session.execute(select(Enterprise.name, Enterprise.id)).all())
        self.inserted = self.updated = self.unchanged = 0
        self.changed_ids: list[int] = []

    def write(self, records: list[tuple[TrademarkRecord, str]]) -> None:
        if not records:
            return
        stored = {t.application_no: t for t in self.session.scalars(
            select(Trademark).where(Trademark.application_no.in_([r.application_no for r, _ in records])))}
        now = utcnow()
        new_rows = []
        for record, digest in records:
            values = record_content(record)
            values |= {"dataset": self.dataset.value, "source": self.source, "record_hash": digest,
                       "enterprise_id": self.enterprise_ids.get(record.applicant_name)}
            current = stored.get(record.application_no)
            if current is None:
                new_rows.append(values | {"created_at": now, "updated_at": now})
            elif current.record_hash == digest:
                self.unchanged += 1
            else:
                for key, value in values.items():
                    setattr(current, key, value)
                self.changed_ids.append(current.id)
                self.updated += 1
        if new_rows:
            # executemany then select: see patents.flows._Writer for why not INSERT … RETURNING.
            self.session.execute(insert(Trademark.__table__), new_rows)
            self.changed_ids += list(self.session.scalars(select(Trademark.id).where(
                Trademark.application_no.in_([r["application_no"] for r in new_rows]))))
            self.inserted += len(new_rows)
        self.session.flush()


def _map_columns(headers: list[str], file_format: str) -> tuple[ColumnMap, list[str]]:
    mapping, missing = TRADEMARK_FIELDS.map(headers)
    mapping.format_name = f"trademark-{file_format}"
    return mapping, missing


TRADEMARK_IMPORT = ImportSpec[TrademarkRecord](
    kind="trademark", noun="商标", map_columns=_map_columns,
    prepare=_prepare,
    parse_row=parse_row, key=lambda r: r.application_no, key_field="application_no", make_writer=_Writer,
)


def import_trademarks(session: Session, data: bytes, filename: str, *, actor: Any | None = None,
                      dataset: Dataset = Dataset.REAL, progress=None) -> ImportResult:
    return run_import(session, TRADEMARK_IMPORT, data, filename, actor=actor, dataset=dataset, progress=progress)
