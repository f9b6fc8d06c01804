"""Import 专利费用减缴备案 records from a spreadsheet (CSV or XLSX) through ipbureau.imports.

One row per enterprise and year: 统一社会信用代码 (or 企业名称), 年度, 减缴金额（元）, 减缴专利件数,
备案日期 (optional). Transactional (a file with any bad cell writes nothing), idempotent (the
same file again changes nothing: rows are keyed by enterprise and year and compared field by
field), errors reported by row and column. District staff may import their district's only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ipbureau.enterprises.creditcode import normalise
from ipbureau.enterprises.models import Enterprise
from ipbureau.enterprises.services import service
from ipbureau.enterprises.services.models import FeeReduction
from ipbureau.enums import Dataset
from ipbureau.imports.columns import ColumnMap, FieldSet
from ipbureau.imports.errors import FileRejected, ImportFailed, RowProblem
from ipbureau.imports.runner import ImportResult, ImportSpec, run_import

FEE_FIELDS = FieldSet(
    aliases={
        "credit_code": ("统一社会信用代码", "信用代码", "credit_code"),
        "name": ("企业名称", "单位名称", "名称", "name"),
        "year": ("年度", "年份", "year"),
        "amount_yuan": ("减缴金额（元）", "减缴金额(元)", "减缴金额", "金额", "amount_yuan"),
        "patents_count": ("减缴专利件数", "专利件数", "件数", "patents_count"),
        "recorded_on": ("备案日期", "日期", "recorded_on"),
    },
    required=("year", "amount_yuan"),
    labels={"credit_code": "统一社会信用代码", "name": "企业名称", "year": "年度", "amount_yuan": "减缴金额（元）",
            "patents_count": "减缴专利件数", "recorded_on": "备案日期"},
)


class FeeImportFailed(Exception):
    def __init__(self, message: str, problems: list[RowProblem]) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems


@dataclass
class FeeRecord:
    row: int
    enterprise_id: int
    year: int
    recorded_on: date
    amount_yuan: Decimal
    patents_count: int


@dataclass
class _Context:
    by_code: dict[str, tuple[int, str | None]]
    by_name: dict[str, tuple[int, str | None]]
    district: str | None  # the importing district staff's district
    today: date


def _map_columns(headers: list[str], file_format: str) -> tuple[ColumnMap, list[str]]:
    mapping, missing = FEE_FIELDS.map(headers)
    if "credit_code" not in mapping.columns and "name" not in mapping.columns:
        missing.append("统一社会信用代码或企业名称")
    mapping.format_name = f"fee-reduction-{file_format}"
    return mapping, missing


def _parse_row(row_no: int, row: dict[str, Any], cmap: ColumnMap, ctx: _Context):
    errors: list[RowProblem] = []

    def err(name: str, message: str) -> None:
        errors.append(RowProblem(row_no, cmap.label(name), message))

    code = normalise(cmap.value(row, "credit_code"))
    name = str(cmap.value(row, "name") or "").strip()
    found = ctx.by_code.get(code) if code else None
    if found is None and name:
        found = ctx.by_name.get(name)
    if found is None:
        field_name = "credit_code" if code else "name"
        err(field_name, f"未找到企业“{code or name}”" if (code or name) else "请填写统一社会信用代码或企业名称")
    elif ctx.district and found[1] != ctx.district:
        err("credit_code" if code else "name", "不是本区企业，区局只能导入本区企业的记录")

    def parsed(name_: str, fn):
        try:
            return fn()
        except service.ServiceError as exc:
            err(name_, str(exc).split("：", 1)[-1])
            return None

    year = parsed("year", lambda: service.parse_year(cmap.value(row, "year"), ctx.today))
    amount = parsed("amount_yuan", lambda: service.parse_amount(cmap.value(row, "amount_yuan"), "减缴金额"))
    patents = parsed("patents_count", lambda: service.parse_count(cmap.value(row, "patents_count"), "件数",
                                                                  required=False))
    recorded = parsed("recorded_on", lambda: service.parse_day(cmap.value(row, "recorded_on"), "备案日期",
                                                               required=False, today=ctx.today))
    if year is not None and recorded is not None and recorded.year != year:
        err("recorded_on", f"应在 {year} 年内")
    if errors:
        return None, errors, []
    assert found is not None and year is not None and amount is not None
    return FeeRecord(row_no, found[0], year, recorded or service.default_recorded_on(year, ctx.today), amount,
                     patents or 0), [], []


class _Writer:
    def __init__(self, session: Session, batch_id: int, dataset: Dataset, source: str) -> None:
        self.session, self.batch_id = session, batch_id
        self.inserted = self.updated = self.unchanged = 0
        self.changed_ids: list[int] = []

    def write(self, pairs: list[tuple[FeeRecord, str]]) -> None:
        records = [r for r, _ in pairs]
        if not records:
            return
        keys = [(r.enterprise_id, r.year) for r in records]
        stored = {(f.enterprise_id, f.year): f for f in self.session.scalars(
            select(FeeReduction).where(tuple_(FeeReduction.enterprise_id, FeeReduction.year).in_(keys)))}
        for record in records:
            values = {"recorded_on": record.recorded_on, "amount_yuan": record.amount_yuan,
                      "patents_count": record.patents_count}
            current = stored.get((record.enterprise_id, record.year))
            if current is None:
                current = FeeReduction(enterprise_id=record.enterprise_id, year=record.year,
                                       import_batch_id=self.batch_id, **values)
                self.session.add(current)
                self.inserted += 1
            elif all(getattr(current, k) == v for k, v in values.items()):
                self.unchanged += 1
                continue
            else:
                for key, value in values.items():
                    setattr(current, key, value)
                current.import_batch_id = self.batch_id
                self.updated += 1
            self.session.flush()
            self.changed_ids.append(current.id)


def import_fee_reductions(session: Session, data: bytes, filename: str, *, actor: Any,
                          today: date | None = None) -> ImportResult:
    service.require_manager(actor)
    district = service.district_of_user(actor)

    def prepare(db: Session) -> _Context:
        rows = db.execute(select(Enterprise.id, Enterprise.credit_code, Enterprise.name, Enterprise.district_code)).all()
        return _Context({r[1]: (r[0], r[3]) for r in rows}, {r[2]: (r[0], r[3]) for r in rows}, district,
                        today or date.today())

    spec = ImportSpec[FeeRecord](
        kind="fee_reduction", noun="专利费用减缴", map_columns=_map_columns, prepare=prepare, parse_row=_parse_row,
        key=lambda r: f"{r.enterprise_id}:{r.year}", key_field="credit_code", make_writer=_Writer)
    try:
        return run_import(session, spec, data, filename, actor=actor)
    except FileRejected as exc:
        raise FeeImportFailed(str(exc), []) from exc
    except ImportFailed as exc:
        raise FeeImportFailed(str(exc), exc.problems) from exc
