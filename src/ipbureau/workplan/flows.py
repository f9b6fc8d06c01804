"""Work plan files in and out: load a plan (YAML, or XLSX/CSV) and export progress to Excel.

Loading is keyed by year + point number + target description, so loading the same file
again changes nothing, and a corrected file updates in place (progress entries stay with
their targets). The whole file is checked before anything is written; every problem names
the item it is in. Fields staff maintain (责任部门, 指标代码) are overwritten only by a file
that gives a value, never cleared by an empty one. Points or targets missing from a file
are left alone: they may carry progress entries.

An upload (``upload_plan``) runs in the request's unit of work, which commits it or rolls it back;
``load_plan_file`` is the CLI's job, in the CLI's transaction (``session_scope``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.core.errors import DomainError, NotFound
from ipbureau.documents.spreadsheet import Styled, table
from ipbureau.imports.errors import FileRejected
from ipbureau.imports.readers import normalise_header, open_table, parse_date
from ipbureau.policy import policy
from ipbureau.stats.catalogue import BY_CODE
from ipbureau.workplan.enums import Aggregation, Comparison, TargetStatus
from ipbureau.workplan.models import WorkPlan, WorkPoint, WorkTarget
from ipbureau.workplan.service import PlanProgress, chinese_numeral, plan_overview, point_label

DEFAULT_PLAN_FILE: Traversable = resources.files("ipbureau.workplan").joinpath("data/plan_2023.yaml")
MAX_PROBLEMS = 50


class PlanFileError(DomainError):
    """A plan file that cannot be loaded; ``problems`` name the items (zh-CN)."""

    def __init__(self, problems: list[str]) -> None:
        shown = "；".join(problems[:10]) + (f"；等共 {len(problems)} 处" if len(problems) > 10 else "")
        super().__init__(f"工作要点文件有误，未载入任何内容：{shown}")
        self.problems = problems  # type: ignore[assignment]  (one sentence per item of the file)


@dataclass
class TargetSpec:
    description: str
    target_value: float
    unit: str
    comparison: Comparison = Comparison.REACH
    aggregation: Aggregation = Aggregation.CUMULATIVE
    deadline: date | None = None
    indicator_code: str | None = None
    source_phrase: str | None = None


@dataclass
class PointSpec:
    number: int
    title: str
    text: str
    heading: str | None = None
    responsible_department: str | None = None
    targets: list[TargetSpec] = field(default_factory=list)

    @property
    def label(self) -> str:
        return point_label(self.number)


@dataclass
class PlanSpec:
    year: int
    title: str
    points: list[PointSpec]
    source_document: str | None = None
    source_url: str | None = None
    issued_on: date | None = None


@dataclass
class LoadResult:
    year: int
    points_created: list[int] = field(default_factory=list)
    points_updated: list[int] = field(default_factory=list)
    targets_created: list[str] = field(default_factory=list)
    targets_updated: list[str] = field(default_factory=list)
    plan_created: bool = False
    plan_updated: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.plan_created or self.plan_updated or self.points_created or self.points_updated
                     or self.targets_created or self.targets_updated)

    def summary(self) -> str:
        if not self.changed:
            return f"{self.year}年工作要点与文件一致，未作任何修改"
        return (f"{self.year}年工作要点：新增要点 {len(self.points_created)} 项、更新 {len(self.points_updated)} 项；"
                f"新增目标 {len(self.targets_created)} 个、更新 {len(self.targets_updated)} 个")


# ---- checking values ---------------------------------------------------------------------------

def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = (_text(value) or "").replace(",", "").replace("，", "")
    try:
        return float(text)
    except ValueError:
        return None


def _enum(enum_class: type, value: Any, default: Any) -> Any:
    """An enum member from its value or its zh label (不少于 / 达到 …); None if unknown."""
    text = _text(value)
    if text is None:
        return default
    for member in enum_class:
        if text in (member.value, member.label) or member.label.startswith(text):
            return member
    return None


def _check_target(raw: dict[str, Any], *, where: str, year: int, text: str, problems: list[str]) -> TargetSpec | None:
    description = _text(raw.get("description"))
    where = f"{where}目标“{description}”" if description else f"{where}的一个目标"
    before = len(problems)
    if description is None:
        problems.append(f"{where}：缺少目标描述（description / 指标）")
    value = _number(raw.get("target_value"))
    if value is None or value <= 0:
        problems.append(f"{where}：目标值“{raw.get('target_value')}”应为大于 0 的数字")
    unit = _text(raw.get("unit"))
    if unit is None:
        problems.append(f"{where}：缺少单位（件、家、场次、个、项……）")
    comparison = _enum(Comparison, raw.get("comparison"), Comparison.REACH)
    if comparison is None:
        problems.append(f"{where}：比较方式“{raw.get('comparison')}”应为 at_least（不少于）或 reach（达到）")
    aggregation = _enum(Aggregation, raw.get("aggregation"), Aggregation.CUMULATIVE)
    if aggregation is None:
        problems.append(f"{where}：统计方式“{raw.get('aggregation')}”应为 cumulative（累计值）或 increment（增量）")
    try:
        deadline = parse_date(raw.get("deadline")) or date(year, 12, 31)
    except ValueError:
        problems.append(f"{where}：截止日期“{raw.get('deadline')}”无法识别（应为 2023-12-31 这样的日期）")
        deadline = None
    phrase = _text(raw.get("source_phrase"))
    if phrase and phrase not in text:
        problems.append(f"{where}：原文摘句“{phrase}”不在该要点的内容中")
    indicator_code = _text(raw.get("indicator_code"))
    if indicator_code and indicator_code not in BY_CODE:
        problems.append(f"{where}：指标代码“{indicator_code}”不在统计指标目录中")
    if len(problems) > before:
        return None
    return TargetSpec(description, value, unit, comparison, aggregation, deadline, indicator_code, phrase)


def _check_point(number: Any, raw: dict[str, Any], *, index: int, year: int, problems: list[str]) -> PointSpec | None:
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 99:
        problems.append(f"第 {index} 个要点：序号“{number}”应为 1 到 99 的整数")
        return None
    title = _text(raw.get("title"))
    where = f"要点{point_label(number)}" + (f"“{title}”" if title else "")
    before = len(problems)
    label = _text(raw.get("label"))
    if label and _number_from_label(label) != number:
        problems.append(f"{where}：标签“{label}”与序号 {number} 不一致")
    if title is None:
        problems.append(f"{where}：缺少标题")
    text = raw.get("text")
    text = "" if text is None else str(text).strip()
    targets = []
    seen: set[str] = set()
    for target_raw in raw.get("targets") or []:
        if not isinstance(target_raw, dict):
            problems.append(f"{where}：目标应写成“字段: 值”的形式，而不是“{target_raw}”")
            continue
        target = _check_target(target_raw, where=where, year=year, text=text, problems=problems)
        if target is None:
            continue
        if target.description in seen:
            problems.append(f"{where}目标“{target.description}”：同一要点中重复出现")
            continue
        seen.add(target.description)
        targets.append(target)
    if len(problems) > before:
        return None
    return PointSpec(number, title, text, _text(raw.get("heading")), _text(raw.get("responsible_department")), targets)


def _number_from_label(label: str) -> int | None:
    """（十四） / (十四) / 十四 / 14 -> 14."""
    text = unicodedata.normalize("NFKC", label).strip().strip("()").strip()
    if text.isdigit():
        return int(text)
    for number in range(1, 100):
        if chinese_numeral(number) == text:
            return number
    return None


# ---- YAML ---------------------------------------------------------------------------------------

PLAN_KEYS = {"year", "title", "source_document", "source_url", "issued_on", "points"}
POINT_KEYS = {"number", "label", "heading", "title", "text", "responsible_department", "targets"}
TARGET_KEYS = {"description", "target_value", "unit", "comparison", "aggregation", "deadline", "indicator_code",
               "source_phrase"}


def parse_yaml_plan(data: bytes) -> PlanSpec:
    try:
        document = yaml.safe_load(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PlanFileError(["文件不是 UTF-8 编码的 YAML"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise PlanFileError([f"YAML 格式错误{where}：{getattr(exc, 'problem', None) or exc}"]) from None
    if not isinstance(document, dict):
        raise PlanFileError(["文件内容应为一个计划（year、title、points 等字段）"])
    problems: list[str] = []
    problems += [f"计划：未知字段“{k}”" for k in document if k not in PLAN_KEYS]
    year = document.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1990 <= year <= 2100:
        raise PlanFileError(problems + [f"计划：年度“{year}”应为四位数的年份"])
    title = _text(document.get("title"))
    if title is None:
        problems.append("计划：缺少标题（title）")
    try:
        issued_on = parse_date(document.get("issued_on"))
    except ValueError:
        problems.append(f"计划：印发日期“{document.get('issued_on')}”无法识别")
        issued_on = None
    raw_points = document.get("points")
    if not isinstance(raw_points, list) or not raw_points:
        raise PlanFileError(problems + ["计划：没有任何工作要点（points）"])
    points: list[PointSpec] = []
    numbers: set[int] = set()
    for index, raw in enumerate(raw_points, start=1):
        if not isinstance(raw, dict):
            problems.append(f"第 {index} 个要点：应写成“字段: 值”的形式")
            continue
        name = f"要点{point_label(raw['number'])}" if isinstance(raw.get("number"), int) and 1 <= raw["number"] <= 99 \
            else f"第 {index} 个要点"
        problems += [f"{name}：未知字段“{k}”" for k in raw if k not in POINT_KEYS]
        for target_raw in raw.get("targets") or []:
            if isinstance(target_raw, dict):
                problems += [f"{name}目标“{target_raw.get('description')}”：未知字段“{k}”"
                             for k in target_raw if k not in TARGET_KEYS]
        point = _check_point(raw.get("number"), raw, index=index, year=year, problems=problems)
        if point is None:
            continue
        if point.number in numbers:
            problems.append(f"要点{point.label}：序号重复")
            continue
        numbers.add(point.number)
        points.append(point)
    if problems:
        raise PlanFileError(problems[:MAX_PROBLEMS])
    return PlanSpec(year, title, points, _text(document.get("source_document")), _text(document.get("source_url")),
                    issued_on)


# ---- XLSX / CSV: one row per target (a point without targets: one row with 指标 empty) -----------

TABLE_COLUMNS = {
    "number": ("序号",),
    "title": ("标题", "要点"),
    "text": ("内容", "全文"),
    "department": ("责任部门", "牵头部门"),
    "description": ("指标", "目标"),
    "target_value": ("目标值",),
    "unit": ("单位",),
    "deadline": ("截止日期", "完成时限"),
    # optional
    "heading": ("篇目", "分类"),
    "comparison": ("比较", "比较方式"),
    "aggregation": ("统计方式",),
    "indicator_code": ("指标代码",),
    "year": ("年度", "年份"),
}
REQUIRED_COLUMNS = ("number", "title", "text", "description", "target_value", "unit")


def parse_table_plan(data: bytes, filename: str, *, year: int | None = None, title: str | None = None) -> PlanSpec:
    try:
        table = open_table(data, filename)
    except FileRejected as exc:
        raise PlanFileError([str(exc)]) from None
    present = {normalise_header(h) for h in table.headers}
    columns = {name: next((normalise_header(a) for a in aliases if normalise_header(a) in present), None)
               for name, aliases in TABLE_COLUMNS.items()}
    missing = [TABLE_COLUMNS[name][0] for name in REQUIRED_COLUMNS if columns[name] is None]
    if missing:
        raise PlanFileError([f"缺少列：{'、'.join(missing)}（应有 序号、标题、内容、责任部门、指标、目标值、单位、截止日期）"])
    problems: list[str] = []
    grouped: dict[int, dict[str, Any]] = {}
    years: set[int] = set()
    try:
        rows = list(table.rows)
    except FileRejected as exc:
        raise PlanFileError([str(exc)]) from None

    def cell(row: dict[str, Any], name: str) -> Any:
        return row.get(columns[name]) if columns[name] else None

    for line, row in rows:
        raw_number = cell(row, "number")
        number = int(raw_number) if isinstance(raw_number, (int, float)) and float(raw_number).is_integer() \
            else _number_from_label(str(raw_number or ""))
        if number is None or not 1 <= number <= 99:
            problems.append(f"第 {line} 行：序号“{raw_number or ''}”应为 1 到 99 的整数或（十四）这样的编号")
            continue
        if _text(cell(row, "year")):
            row_year = _number(cell(row, "year"))
            if row_year is None or not row_year.is_integer():
                problems.append(f"第 {line} 行：年度“{cell(row, 'year')}”不是年份")
            else:
                years.add(int(row_year))
        point = grouped.setdefault(number, {"number": number, "targets": [], "line": line})
        for key, name in (("title", "title"), ("text", "text"), ("heading", "heading"),
                          ("responsible_department", "department")):
            value = _text(cell(row, name))
            if value is None:
                continue
            if point.get(key) not in (None, value):
                problems.append(f"第 {line} 行（要点{point_label(number)}）：{TABLE_COLUMNS[name][0]}与第 {point['line']} 行不同")
            point[key] = value
        if _text(cell(row, "description")) or _text(cell(row, "target_value")):
            point["targets"].append({"description": cell(row, "description"), "target_value": cell(row, "target_value"),
                                     "unit": cell(row, "unit"), "deadline": cell(row, "deadline"),
                                     "comparison": cell(row, "comparison"), "aggregation": cell(row, "aggregation"),
                                     "indicator_code": cell(row, "indicator_code"), "_line": line})
    if year is None:
        if len(years) != 1:
            problems.append("请指定计划年度（上传时选择，或在文件中加“年度”列）" if not years
                            else f"文件中的年度不一致：{sorted(years)}")
        else:
            year = years.pop()
    if problems or year is None:
        raise PlanFileError(problems[:MAX_PROBLEMS])
    if not grouped:
        raise PlanFileError(["文件中没有任何工作要点"])
    points = []
    for number in sorted(grouped):
        raw = grouped[number]
        for target in raw["targets"]:
            target.pop("_line")
        point = _check_point(number, raw, index=number, year=year, problems=problems)
        if point is not None:
            points.append(point)
    if problems:
        raise PlanFileError(problems[:MAX_PROBLEMS])
    return PlanSpec(year, title or f"{year}年工作要点", points)


def read_plan_file(data: bytes, filename: str, *, year: int | None = None) -> PlanSpec:
    suffix = Path(filename).suffix.lower()
    if suffix in (".yaml", ".yml"):
        spec = parse_yaml_plan(data)
        if year is not None and spec.year != year:
            raise PlanFileError([f"文件中的年度 {spec.year} 与所选年度 {year} 不一致"])
        return spec
    if suffix in (".xlsx", ".csv"):
        return parse_table_plan(data, filename, year=year)
    raise PlanFileError([f"不支持的文件类型“{suffix or filename}”：请上传 YAML、XLSX 或 CSV 文件"])


# ---- writing ------------------------------------------------------------------------------------

def _update(obj: Any, values: dict[str, Any], *, keep_when_none: tuple[str, ...] = ()) -> dict[str, list[Any]]:
    """Set the attributes that differ (only those: an unchanged row keeps its updated_at); return the audit
    diff {field: [old, new]}."""
    wanted = {name: value for name, value in values.items() if not (value is None and name in keep_when_none)}
    before = audit.snapshot(obj, tuple(wanted))
    for name, value in wanted.items():
        if before[name] != value:
            setattr(obj, name, value)
    return audit.diff(before, audit.snapshot(obj, tuple(wanted)))


def apply_plan(session: Session, spec: PlanSpec, *, actor: Any = None, source_name: str = "",
               ip_address: str | None = None) -> LoadResult:
    """Write a checked plan into the session (the caller's transaction commits or rolls back all of it)."""
    result = LoadResult(spec.year)
    changes: dict[str, Any] = {}
    plan = session.scalar(select(WorkPlan).where(WorkPlan.year == spec.year))
    plan_values = {"title": spec.title, "source_document": spec.source_document, "source_url": spec.source_url,
                   "issued_on": spec.issued_on}
    if plan is None:
        plan = WorkPlan(year=spec.year, **plan_values)
        session.add(plan)
        session.flush()
        result.plan_created = True
    else:
        # A tabular file carries no source details: keep those a YAML file gave.
        plan_changes = _update(plan, plan_values, keep_when_none=("source_document", "source_url", "issued_on"))
        if plan_changes:
            result.plan_updated = True
            changes["plan"] = plan_changes
    points = {p.number: p for p in session.scalars(select(WorkPoint).where(WorkPoint.plan_id == plan.id))}
    for point_spec in spec.points:
        values = {"label": point_spec.label, "heading": point_spec.heading, "title": point_spec.title,
                  "text": point_spec.text, "responsible_department": point_spec.responsible_department}
        point = points.get(point_spec.number)
        if point is None:
            point = WorkPoint(plan_id=plan.id, number=point_spec.number, **values)
            session.add(point)
            session.flush()
            result.points_created.append(point_spec.number)
        else:
            point_changes = _update(point, values, keep_when_none=("heading", "responsible_department"))
            if point_changes:
                result.points_updated.append(point_spec.number)
                changes[f"point {point_spec.number}"] = point_changes
        targets = {t.description: t for t in session.scalars(select(WorkTarget).where(WorkTarget.point_id == point.id))}
        for position, target_spec in enumerate(point_spec.targets, start=1):
            values = {"position": position, "target_value": target_spec.target_value, "unit": target_spec.unit,
                      "comparison": target_spec.comparison.value, "aggregation": target_spec.aggregation.value,
                      "deadline": target_spec.deadline, "indicator_code": target_spec.indicator_code,
                      "source_phrase": target_spec.source_phrase}
            name = f"{point_spec.label}{target_spec.description}"
            target = targets.get(target_spec.description)
            if target is None:
                session.add(WorkTarget(point_id=point.id, description=target_spec.description, **values))
                result.targets_created.append(name)
            else:
                target_changes = _update(target, values, keep_when_none=("indicator_code", "source_phrase"))
                if target_changes:
                    result.targets_updated.append(name)
                    changes[f"target {name}"] = target_changes
    if result.changed:
        changes.update({"points_created": result.points_created, "targets_created": result.targets_created})
        audit.record(session, actor=actor, action="workplan.load", entity_type="work_plan", entity_id=plan.id,
                     summary=f"载入工作要点文件 {source_name}：{result.summary()}"[:500], changes=changes,
                     ip_address=ip_address)
    session.flush()
    return result


def load_plan_file(session: Session, path: str | Path | Traversable | None = None, actor: Any = None, *,
                   year: int | None = None) -> LoadResult:
    """The CLI's job (``ipbureau load-plan``): load a plan file (default: the packaged 2023 plan) — checked
    whole, then written in the caller's transaction (the CLI's ``session_scope``), or nothing at all; request
    code uploads with ``upload_plan``."""
    source = DEFAULT_PLAN_FILE if path is None else (path if isinstance(path, Traversable) else Path(path))
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise PlanFileError([f"无法读取文件 {source}：{exc.strerror or exc}"]) from None
    return load_plan_bytes(session, data, source.name, actor=actor, year=year)


def load_plan_bytes(session: Session, data: bytes, filename: str, *, actor: Any = None, year: int | None = None,
                    ip_address: str | None = None) -> LoadResult:
    spec = read_plan_file(data, filename, year=year)
    return apply_plan(session, spec, actor=actor, source_name=filename, ip_address=ip_address)


def upload_plan(session: Session, user: Any, data: bytes, filename: str, *, year: int | None = None,
                ip_address: str | None = None) -> LoadResult:
    """A plan file uploaded by staff: the same loading as the CLI's, within the request's transaction."""
    policy.authorize(session, user, "workplan", "load")
    return load_plan_bytes(session, data, filename, actor=user, year=year, ip_address=ip_address)


# ---- Excel export ----------------------------------------------------------------------------------

EXPORT_HEADERS = ("序号", "标题", "指标", "目标值", "单位", "当前值", "完成率", "状态", "截止日期", "责任部门", "最近更新")
STATUS_FILLS = {
    TargetStatus.DONE: "C6EFCE",
    TargetStatus.ON_TRACK: "DDEBF7",
    TargetStatus.AT_RISK: "FFD699",
    TargetStatus.OVERDUE: "FFC7CE",
    TargetStatus.NO_DATA: "EDEDED",
}
def export_workbook(progress: PlanProgress) -> bytes:
    """One row per target (points without a target: one row, target columns empty)."""
    def rows() -> Iterator[list[Any]]:
        for _heading, points in progress.sections:
            for point_progress in points:
                point = point_progress.point
                if not point_progress.targets:
                    yield [point.label, point.title, None, None, None, None, None, None, None,
                           point.responsible_department, None]
                    continue
                for item in point_progress.targets:
                    target = item.target
                    yield [point.label, point.title, target.description, target.target_value, target.unit, item.value,
                           item.ratio, Styled(item.status.label, fill=f"#{STATUS_FILLS[item.status]}"),
                           target.deadline, point.responsible_department, item.updated_on]

    return table(f"{progress.plan.year}年工作要点", EXPORT_HEADERS, rows(),
                 widths=(8, 30, 36, 10, 7, 10, 9, 12, 12, 16, 12),
                 column_formats={6: "0.0%", 8: "yyyy-mm-dd", 10: "yyyy-mm-dd"}, wrap_columns=(0, 1, 2))


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    media_type: str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_plan(session: Session, user: Any, year: int | None, today: date) -> ExportFile:
    """The progress of a year's plan (default: as the plan page) as an Excel workbook."""
    overview = plan_overview(session, user, year, today)
    if overview.progress is None:
        raise NotFound("已载入的工作要点")
    return ExportFile(f"workplan-{overview.progress.plan.year}.xlsx", export_workbook(overview.progress))


__all__ = [
    "DEFAULT_PLAN_FILE",
    "LoadResult",
    "PlanFileError",
    "apply_plan",
    "export_plan",
    "export_workbook",
    "load_plan_bytes",
    "load_plan_file",
    "read_plan_file",
    "upload_plan",
]
