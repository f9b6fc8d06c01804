"""Import 专利费用减缴备案 records from a spreadsheet (CSV or XLSX) through ipbureau.imports.

One row per enterprise and year: 统一社会信用代码 (or 企业名称), 年度, 减缴金额（元）, 减缴专利件数,
备案日期 (optional). Transactional (a file with any bad cell writes nothing), idempotent (the
same file again changes nothing: rows are keyed by enterprise and year and compared field by
field), errors reported by row and column. A row is checked with the same schema and rule as the form and
the API (``schemas.FeeFigures``, ``service.fee_period``); its enterprise must be one the importing user may
record services for (district staff: their district's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from ipbureau.core.errors import DomainError
from ipbureau.core.forms import FormInvalid, form_data, validate
from ipbureau.enterprises.creditcode import normalise
from ipbureau.enterprises.models import Enterprise
from ipbureau.enterprises.services.models import FeeReduction
from ipbureau.enterprises.services.schemas import FeeFigures
from ipbureau.enterprises.services.service import fee_period
from ipbureau.enums import Dataset
from ipbureau.imports.columns import ColumnMap, FieldSet
from ipbureau.imports.errors import FileRejected, ImportFailed, RowProblem
from ipbureau.imports.readers import parse_date
from ipbureau.imports.runner import ImportResult, ImportSpec, run_import
from ipbureau.policy import policy

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
# The columns of the fields that service.fee_period names in its errors.
RULE_COLUMNS = {"年度": "year", "备案日期": "recorded_on"}


class FeeImportFailed(DomainError):
    """The file or some rows could not be imported; nothing was written. ``problems`` lists them by row."""

    def __init__(self, message: str, problems: list[RowProblem]) -> None:
        super().__init__("文件", message)
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
    by_code: dict[str, int]
    by_name: dict[str, int]
    allowed: set[int]  # the enterprises the importing user may record services for
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
    column = "credit_code" if code else "name"
    found = ctx.by_code.get(code) if code else None
    if found is None and name:
        found = ctx.by_name.get(name)
    if found is None:
        err(column, f"未找到企业“{code or name}”" if (code or name) else "请填写统一社会信用代码或企业名称")
    elif found not in ctx.allowed:
        err(column, "不是本区企业，区局只能导入本区企业的记录")

    cells = {key: cmap.value(row, key) for key in ("year", "amount_yuan", "patents_count")}
    try:
        cells["recorded_on"] = parse_date(cmap.value(row, "recorded_on"))
    except ValueError as exc:
        err("recorded_on", str(exc))
    figures = None
    try:
        figures = validate(FeeFigures, form_data(FeeFigures, cells))
        recorded_on = fee_period(figures.year, figures.recorded_on, ctx.today)
    except FormInvalid as exc:
        for problem in exc.problems:
            err(problem["loc"], problem["message"])
    except DomainError as exc:
        err(RULE_COLUMNS[exc.field], exc.message)
    if errors:
        return None, errors, []
    assert found is not None and figures is not None
    return FeeRecord(row_no, found, figures.year, recorded_on, figures.amount_yuan, figures.patents_count), [], []


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


def import_fee_reductions(session: Session, user: Any, data: bytes, filename: str, *,
                          today: date | None = None) -> ImportResult:
    policy.require(user, "services.fee", "record")
    allowed = set(session.scalars(policy.scoped(select(Enterprise.id), user, "services.enterprise", "record")))

    def prepare(db: Session) -> _Context:
        rows = db.execute(select(Enterprise.id, Enterprise.credit_code, Enterprise.name)).all()
        return _Context({code: id_ for id_, code, _name in rows}, {name: id_ for id_, _code, name in rows}, allowed,
                        today or date.today())

    spec = ImportSpec[FeeRecord](
        kind="fee_reduction", noun="专利费用减缴", map_columns=_map_columns, prepare=prepare, parse_row=_parse_row,
        key=lambda r: f"{r.enterprise_id}:{r.year}", key_field="credit_code", make_writer=_Writer)
    try:
        return run_import(session, spec, data, filename, actor=user)
    except FileRejected as exc:
        raise FeeImportFailed(exc.message, []) from exc
    except ImportFailed as exc:
        raise FeeImportFailed(str(exc), exc.problems) from exc
