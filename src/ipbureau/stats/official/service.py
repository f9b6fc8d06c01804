"""Official statistics: load the packaged reference file, import a CSV/XLSX of the same columns, list, edit (with
an audit entry per change), and read them for the comparisons (``stats.official.comparison``).

Rows are never merged across definitions: a row is identified by region, period, indicator *as published*,
scope and source page, so re-loading or re-importing the same file changes nothing (idempotent) and a figure
published on two pages stays two rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from typing import Any

from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.core.errors import DomainError, TooLarge
from ipbureau.core.fields import problems_of
from ipbureau.database.core import paginate
from ipbureau.imports.readers import normalise_header, open_table
from ipbureau.policy import policy
from ipbureau.stats.official.models import OfficialStatistic
from ipbureau.stats.official.schemas import (
    PAGE_SIZE,
    ImportResult,
    OfficialStatisticIn,
    OfficialStatisticQuery,
)

RESOURCE = "stats.official"
ENTITY = "official_statistic"
PACKAGED_FILE = "data/official_ip_statistics.csv"
COLUMNS = ("region", "region_code", "year", "period", "indicator_zh", "scope", "value", "unit", "source_url", "note")
EDITED = ("region", "region_code", "year", "period", "indicator", "scope", "value", "unit", "source_url", "note")
MAX_IMPORT_ROWS = 20_000
SCHEMA_AREA = "ipbureau.stats.official"


class OfficialFileError(DomainError):
    """A file that cannot be imported; ``problems`` names each bad row and field. Nothing is imported."""


def _key(row: OfficialStatisticIn | OfficialStatistic) -> tuple[str, str, str, str, str]:
    return (row.region_code, row.period, row.indicator, row.scope, row.source_url)


# ---- reading a file ---------------------------------------------------------------------------------


def _recognise_header(headers: list[str]) -> int | None:
    """A header row names most of the columns (banner or title lines above it are skipped)."""
    known = sum(1 for h in headers if normalise_header(h) in COLUMNS)
    return known if known * 2 >= len(COLUMNS) else None


def parse_file(data: bytes, filename: str) -> list[OfficialStatisticIn]:
    """The rows of a CSV or XLSX file with the columns of official_ip_statistics.csv, each validated; all the
    problems at once (row numbers as in the spreadsheet). The file is read by the importers' reader
    (``imports.readers.open_table``): the same encodings, bounds, truncation and summary-line handling."""
    table = open_table(data, filename, recognise=_recognise_header)
    present = {normalise_header(h) for h in table.headers}
    missing = [c for c in COLUMNS if c not in present]
    if missing:
        raise OfficialFileError("文件", f"缺少列：{'、'.join(missing)}（列名应与 official_ip_statistics.csv 一致）")
    rows = []
    for row in table.rows:
        rows.append(row)
        if len(rows) > MAX_IMPORT_ROWS:
            raise TooLarge("文件", f"一次最多导入 {MAX_IMPORT_ROWS:,} 行")
    if not rows:
        raise OfficialFileError("文件", "文件中没有数据行")
    parsed: list[OfficialStatisticIn] = []
    problems: list[dict[str, str]] = []
    for number, row in rows:
        cleaned = {k: (str(v).strip() if v is not None else "") for k, v in row.items() if k in COLUMNS}
        if not cleaned.get("note"):
            cleaned["note"] = ""
        try:
            parsed.append(OfficialStatisticIn.model_validate(cleaned))
        except ValidationError as exc:
            for p in problems_of(list(exc.errors()), SCHEMA_AREA):
                problems.append({"field": f"第 {number} 行 {p['field']}".strip(), "loc": f"{number}.{p['loc']}",
                                 "message": p["message"]})
    if problems:
        error = OfficialFileError(problems[0]["field"], f"{len(problems)} 处问题，未导入任何数据："
                                  + "；".join(f"{p['field']}：{p['message']}" for p in problems[:20])
                                  + ("……" if len(problems) > 20 else ""))
        error.problems = problems
        raise error
    return parsed


# ---- writing ------------------------------------------------------------------------------------------


def _upsert(session: Session, rows: Iterable[OfficialStatisticIn], actor: Any | None, *,
            update_existing: bool = True) -> ImportResult:
    existing = {_key(r): r for r in session.scalars(select(OfficialStatistic))}
    added = updated = unchanged = 0
    seen: set[tuple[str, str, str, str, str]] = set()
    for row in rows:
        key = _key(row)
        if key in seen:  # the same key twice in one file: the later line wins, counted once
            continue
        seen.add(key)
        values = row.model_dump(by_alias=False)
        record = existing.get(key)
        if record is None:
            record = OfficialStatistic(**values, updated_by_id=getattr(actor, "id", None),
                                       updated_by_name=getattr(actor, "username", None))
            session.add(record)
            existing[key] = record
            added += 1
            continue
        if not update_existing:
            unchanged += 1
            continue
        before = audit.snapshot(record, EDITED)
        for name, value in values.items():
            setattr(record, name, value)
        if audit.snapshot(record, EDITED) == before:
            unchanged += 1
        else:
            record.updated_by_id, record.updated_by_name = getattr(actor, "id", None), getattr(actor, "username", None)
            updated += 1
    session.flush()
    return ImportResult(added=added, updated=updated, unchanged=unchanged)


def load_reference(session: Session) -> ImportResult:
    """The packaged official_ip_statistics.csv (source: see data/SOURCES.md), for ``ipbureau load-reference``.
    Idempotent: rows that are missing are added; rows already there stay as they are, so a figure staff have
    corrected is not overwritten by a re-load (as the districts' populations are not)."""
    data = resources.files("ipbureau.stats.official").joinpath(PACKAGED_FILE).read_bytes()
    result = _upsert(session, parse_file(data, "official_ip_statistics.csv"), None, update_existing=False)
    if result.added or result.updated:
        audit.record(session, actor=None, action="load", entity_type=ENTITY, entity_id=None,
                     summary=f"载入官方统计数据参考文件：新增 {result.added} 条，更新 {result.updated} 条")
    return result


def import_file(session: Session, user: Any, data: bytes, filename: str, *, ip_address: str | None = None
                ) -> ImportResult:
    """A staff import of a CSV/XLSX (all rows or none), with one audit entry for the batch."""
    policy.authorize(session, user, RESOURCE, "edit")
    result = _upsert(session, parse_file(data, filename), user)
    audit.record(session, actor=user, action="import", entity_type=ENTITY, entity_id=None, ip_address=ip_address,
                 summary=f"导入官方统计数据“{filename}”：新增 {result.added} 条，更新 {result.updated} 条，"
                         f"未变 {result.unchanged} 条")
    return result


def _check_unique(session: Session, row: OfficialStatisticIn, own_id: int | None) -> None:
    clash = session.scalar(select(OfficialStatistic.id).where(
        OfficialStatistic.region_code == row.region_code, OfficialStatistic.period == row.period,
        OfficialStatistic.indicator == row.indicator, OfficialStatistic.scope == row.scope,
        OfficialStatistic.source_url == row.source_url))
    if clash is not None and clash != own_id:
        raise DomainError("指标", f"同一来源已有该地区、统计期、指标和口径的数字（编号 {clash}），请修改那一条")


def create(session: Session, user: Any, row: OfficialStatisticIn, *, ip_address: str | None = None
           ) -> OfficialStatistic:
    policy.authorize(session, user, RESOURCE, "edit")
    _check_unique(session, row, None)
    record = OfficialStatistic(**row.model_dump(by_alias=False), updated_by_id=user.id,
                               updated_by_name=user.username)
    session.add(record)
    session.flush()
    audit.record(session, actor=user, action="create", entity_type=ENTITY, entity_id=record.id, ip_address=ip_address,
                 summary=f"新增官方统计数据：{record.region}{record.period}{record.indicator}（{record.scope}）",
                 changes=audit.diff({}, audit.snapshot(record, EDITED)))
    return record


def update(session: Session, user: Any, statistic_id: int, row: OfficialStatisticIn, *,
           ip_address: str | None = None) -> OfficialStatistic:
    record = policy.get(session, user, RESOURCE, statistic_id)
    policy.authorize(session, user, RESOURCE, "edit", record)
    _check_unique(session, row, record.id)
    before = audit.snapshot(record, EDITED)
    for name, value in row.model_dump(by_alias=False).items():
        setattr(record, name, value)
    changes = audit.diff(before, audit.snapshot(record, EDITED))
    if changes:
        record.updated_by_id, record.updated_by_name = user.id, user.username
        session.flush()
        audit.record(session, actor=user, action="update", entity_type=ENTITY, entity_id=record.id,
                     ip_address=ip_address, changes=changes,
                     summary=f"修改官方统计数据：{record.region}{record.period}{record.indicator}（{record.scope}）")
    return record


# ---- reading -------------------------------------------------------------------------------------------


def get(session: Session, user: Any, statistic_id: int) -> OfficialStatistic:
    return policy.get(session, user, RESOURCE, statistic_id)


def list_statistics(session: Session, user: Any, query: OfficialStatisticQuery) -> tuple[list[OfficialStatistic], int]:
    policy.authorize(session, user, RESOURCE, "view")
    found = policy.scoped(select(OfficialStatistic), user, RESOURCE)
    if query.region_code:
        found = found.where(OfficialStatistic.region_code == query.region_code)
    if query.year:
        found = found.where(OfficialStatistic.year == query.year)
    if query.indicator:
        found = found.where(OfficialStatistic.indicator == query.indicator)
    if query.scope:
        found = found.where(OfficialStatistic.scope == query.scope)
    if query.q:
        found = found.where(or_(OfficialStatistic.indicator.contains(query.q), OfficialStatistic.note.contains(query.q)))
    # Tianjin first (the bureau's own figures), then the country, then the provinces by code.
    return paginate(session, found, (OfficialStatistic.region_code != "12"), OfficialStatistic.region_code,
                    OfficialStatistic.indicator, OfficialStatistic.period, OfficialStatistic.id,
                    offset=query.offset, limit=PAGE_SIZE)


def filter_choices(session: Session) -> dict[str, list[Any]]:
    """The distinct regions, years, indicators and scopes present, for the page's filter lists."""
    regions = session.execute(select(OfficialStatistic.region_code, OfficialStatistic.region).distinct()
                              .order_by(OfficialStatistic.region_code)).all()
    return {
        "regions": list(dict((code, name) for code, name in regions).items()),
        "years": list(session.scalars(select(OfficialStatistic.year).distinct().order_by(OfficialStatistic.year.desc()))),
        "indicators": list(session.scalars(select(OfficialStatistic.indicator).distinct()
                                           .order_by(OfficialStatistic.indicator))),
        "scopes": list(session.scalars(select(OfficialStatistic.scope).distinct().order_by(OfficialStatistic.scope))),
    }


def rows_for(session: Session, *, region_code: str | None = None, indicators: Iterable[str] | None = None,
             year: int | None = None) -> list[OfficialStatistic]:
    """Rows for the comparisons (no policy: the callers have authorised the user for the page they build)."""
    found = select(OfficialStatistic)
    if region_code is not None:
        found = found.where(OfficialStatistic.region_code == region_code)
    if indicators is not None:
        found = found.where(OfficialStatistic.indicator.in_(list(indicators)))
    if year is not None:
        found = found.where(OfficialStatistic.year == year)
    return list(session.scalars(found.order_by(OfficialStatistic.indicator, OfficialStatistic.period,
                                               OfficialStatistic.id)))
