"""Patent import: rows of a CNIPA, CNIPR/incoPat or generic export become patents.

The transactional, idempotent workflow is ``imports.runner.run_import``; this
module says how a patent row is read and checked, and how patents are written
(bulk inserts with RETURNING, in-place updates of changed rows). After the
commit, the changed patents are (re)indexed for search.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from ipbureau.database.core import utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.enums import Dataset
from ipbureau.imports.cells import district_from_cell
from ipbureau.imports.columns import ColumnMap
from ipbureau.imports.errors import FileRejected, RowProblem
from ipbureau.imports.readers import Source, parse_count, parse_date, split_names, text_or_none
from ipbureau.imports.runner import ImportResult, ImportSpec, record_content, run_import
from ipbureau.patents.enums import LegalStatus
from ipbureau.patents.formats import PatentRecord, application_no_cell, map_columns
from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc
from ipbureau.patents.numbers import (
    ApplicationNumberError,
    normalise_application_no,
    type_from_application_no,
)
from ipbureau.patents.service import (
    IpcCheck,
    IpcValidator,
    is_grant_publication,
    normalise_legal_status,
    patent_type_from_text,
    type_from_publication_kind,
)
from ipbureau.reference.address import district_names
from ipbureau.reference.attribution import UNATTRIBUTED_WARNING, attribute, manual_districts
from ipbureau.reference.ipc import split_ipc_list
from ipbureau.search.service import index_patents

__all__ = ["ImportResult", "import_patents", "parse_row"]
ProgressCallback = Callable[[int, int], None]
IPC_CHECKS_KEPT = 100_000
PATENTS = Patent.__table__
APPLICANTS = PatentApplicant.__table__
IPCS = PatentIpc.__table__


@dataclass
class _RowContext:
    ipc: IpcValidator
    districts_by_name: dict[str, str]
    today: date
    # Application number -> district staff assigned by hand (reference.attribution): kept by a re-import.
    manual_districts: dict[str, str] = field(default_factory=dict)
    # Raw IPC cell part -> its check: exports repeat a few thousand codes (bounded, so memory stays flat).
    ipc_checks: dict[str, IpcCheck] = field(default_factory=dict)

    def check_ipc(self, raw: str) -> IpcCheck:
        check = self.ipc_checks.get(raw)
        if check is None:
            check = self.ipc.check(raw)
            if len(self.ipc_checks) < IPC_CHECKS_KEPT:
                self.ipc_checks[raw] = check
        return check


def parse_row(row_no: int, row: dict[str, Any], cmap: ColumnMap, ctx: _RowContext) -> tuple[PatentRecord | None, list[RowProblem], list[RowProblem]]:
    errors: list[RowProblem] = []
    warnings: list[RowProblem] = []

    def err(name: str, message: str) -> None:
        errors.append(RowProblem(row_no, cmap.label(name), message))

    def warn(name: str, message: str) -> None:
        warnings.append(RowProblem(row_no, cmap.label(name), message))

    application_no = ""
    raw_application_no = application_no_cell(cmap.value(row, "application_no"), cmap.format_name)
    try:
        application_no = normalise_application_no(raw_application_no)
    except ApplicationNumberError as exc:
        if text_or_none(raw_application_no) is None:
            err("application_no", "申请号不能为空")
        else:
            err("application_no", str(exc))

    title = text_or_none(cmap.value(row, "title"))
    if title is None:
        err("title", "名称不能为空")
    elif len(title) > 500:
        err("title", f"名称过长（{len(title)} 字，最多 500 字）")

    dates: dict[str, date | None] = {}
    for name in ("filing_date", "publication_date", "grant_date", "lapse_date"):
        try:
            dates[name] = parse_date(cmap.value(row, name))
        except ValueError as exc:
            dates[name] = None
            err(name, str(exc) if "日期" in str(exc) else f"日期不存在：“{cmap.value(row, name)}”")
    for name, value in dates.items():
        if value and value > ctx.today:
            err(name, f"日期 {value.isoformat()} 晚于今天")
    if dates["filing_date"] and dates["grant_date"] and dates["grant_date"] < dates["filing_date"]:
        err("grant_date", f"授权公告日 {dates['grant_date']} 早于申请日 {dates['filing_date']}")

    counts: dict[str, int | None] = {}
    for name in ("citation_count", "family_size", "transfer_count", "license_count", "pledge_count"):
        try:
            counts[name] = parse_count(cmap.value(row, name))
        except ValueError as exc:
            counts[name] = None
            err(name, str(exc))

    ipc_codes: list[str] = []
    for raw in split_ipc_list(cmap.value(row, "ipc")):
        check = ctx.check_ipc(raw)
        if check.error:
            err("ipc", check.error)
        elif check.code:
            if check.warning:
                warn("ipc", check.warning)
            if check.code not in ipc_codes:
                ipc_codes.append(check.code)
    ipc_main = None
    main_raw = text_or_none(cmap.value(row, "ipc_main"))
    if main_raw:
        check = ctx.check_ipc(main_raw)
        if check.error:
            err("ipc_main", check.error)
        else:
            ipc_main = check.code
            if check.code and check.code not in ipc_codes:
                ipc_codes.insert(0, check.code)
    elif ipc_codes:
        ipc_main = ipc_codes[0]

    publication_no = text_or_none(cmap.value(row, "publication_no"))
    publication_no = publication_no.upper().replace(" ", "") if publication_no else None
    patent_type = patent_type_from_text(text_or_none(cmap.value(row, "patent_type")))
    type_by_number = type_from_application_no(application_no) if application_no else None
    if patent_type is None:
        patent_type = type_by_number or type_from_publication_kind(publication_no)
    elif type_by_number and type_by_number != patent_type:
        warn("patent_type", f"专利类型“{patent_type.label}”与申请号的类型位（{type_by_number.label}）不一致")
    if patent_type is None and application_no:
        err("patent_type", "无法确定专利类型（专利类型列为空，申请号与公开号也无法判断）")

    legal_raw = text_or_none(cmap.value(row, "legal_status"))
    legal_status = normalise_legal_status(legal_raw)
    if legal_raw and legal_status == LegalStatus.UNKNOWN:
        warn("legal_status", f"无法识别的法律状态“{legal_raw}”，记为未知")
    grant_date = dates["grant_date"]
    if grant_date is None and is_grant_publication(publication_no):
        # Utility models and designs are granted on publication; a B document is a grant.
        grant_date = dates["publication_date"]

    address = text_or_none(cmap.value(row, "address"))
    column_district, district_error = district_from_cell(cmap.value(row, "district"), ctx.districts_by_name)
    if district_error:
        err("district", district_error)
    place = attribute(address, column_district=column_district,
                      manual=ctx.manual_districts.get(application_no or ""))
    if place.unattributed_in_tianjin:
        warn("district", UNATTRIBUTED_WARNING)

    if errors:
        return None, errors, warnings
    assert title is not None and patent_type is not None
    record = PatentRecord(
        row=row_no,
        application_no=application_no,
        publication_no=publication_no,
        grant_no=text_or_none(cmap.value(row, "grant_no")),
        patent_type=patent_type.value,
        title=title,
        abstract=text_or_none(cmap.value(row, "abstract")),
        claims=text_or_none(cmap.value(row, "claims")),
        ipc_main=ipc_main,
        ipc_codes=ipc_codes,
        applicants=split_names(cmap.value(row, "applicants")),
        inventors=split_names(cmap.value(row, "inventors")),
        applicant_address=address,
        postcode=place.postcode,
        province_code=place.province_code,
        city_code=place.city_code,
        district_code=place.district_code,
        district_rule=place.district_rule,
        filing_date=dates["filing_date"],
        publication_date=dates["publication_date"],
        grant_date=grant_date,
        lapse_date=dates["lapse_date"],
        legal_status=legal_status.value,
        legal_status_raw=legal_raw,
        citation_count=counts["citation_count"] or 0,
        family_size=counts["family_size"],
        transfer_count=counts["transfer_count"] or 0,
        license_count=counts["license_count"] or 0,
        pledge_count=counts["pledge_count"] or 0,
        agency=text_or_none(cmap.value(row, "agency")),
        agent=text_or_none(cmap.value(row, "agent")),
    )
    return record, errors, warnings


class _Writer:
    """Writes validated chunks: inserts new application numbers, updates changed ones."""

    def __init__(self, session: Session, batch_id: int, dataset: Dataset, source: str) -> None:
        self.session = session
        self.batch_id = batch_id
        self.dataset = dataset
        self.source = source
        self.enterprise_ids = dict(session.execute(select(Enterprise.name, Enterprise.id)).all())
        self.inserted = 0
        self.updated = 0
        self.unchanged = 0
        self.changed_ids: list[int] = []

    def _columns(self, record: PatentRecord, digest: str) -> dict[str, Any]:
        data = record_content(record)
        data.pop("ipc_codes")
        data.pop("applicants")
        data.update(dataset=self.dataset.value, source=self.source, import_batch_id=self.batch_id, record_hash=digest)
        return data

    def _children(self, patent_id: int, record: PatentRecord) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        applicants = [
            {"patent_id": patent_id, "position": i, "name": name, "enterprise_id": self.enterprise_ids.get(name)}
            for i, name in enumerate(record.applicants)
        ]
        ipcs = [{"patent_id": patent_id, "position": i, "code": code, "subclass": code[:4]} for i, code in enumerate(record.ipc_codes)]
        return applicants, ipcs

    def write(self, records: list[tuple[PatentRecord, str]]) -> None:
        if not records:
            return
        numbers = [r.application_no for r, _ in records]
        existing = {
            number: (pid, digest)
            for pid, number, digest in self.session.execute(
                select(Patent.id, Patent.application_no, Patent.record_hash).where(Patent.application_no.in_(numbers))
            )
        }
        new_rows: list[tuple[PatentRecord, str]] = []
        changed: list[tuple[int, PatentRecord, str]] = []
        for record, digest in records:
            found = existing.get(record.application_no)
            if found is None:
                new_rows.append((record, digest))
            elif found[1] == digest:
                self.unchanged += 1
            else:
                changed.append((found[0], record, digest))

        applicant_rows: list[dict[str, Any]] = []
        ipc_rows: list[dict[str, Any]] = []
        if new_rows:
            now = utcnow()
            values = [dict(self._columns(r, d), created_at=now, updated_at=now) for r, d in new_rows]
            # A plain executemany, then one query for the new ids: bulk INSERT … RETURNING
            # degrades to one statement per row on SQLite (measured 6x slower).
            self.session.execute(insert(PATENTS), values)
            ids = dict(self.session.execute(select(Patent.application_no, Patent.id).where(
                Patent.application_no.in_([r.application_no for r, _ in new_rows]))).all())
            for record, _ in new_rows:
                pid = ids[record.application_no]
                self.changed_ids.append(pid)
                a, i = self._children(pid, record)
                applicant_rows += a
                ipc_rows += i
            self.inserted += len(new_rows)
        if changed:
            changed_ids = [pid for pid, _, _ in changed]
            self.session.execute(delete(PatentApplicant).where(PatentApplicant.patent_id.in_(changed_ids)))
            self.session.execute(delete(PatentIpc).where(PatentIpc.patent_id.in_(changed_ids)))
            now = utcnow()
            # Core executemany (the ORM's bulk update costs more per row): the key is bound as "_id".
            values = [dict(self._columns(r, d), _id=pid, updated_at=now) for pid, r, d in changed]
            statement = update(PATENTS).where(PATENTS.c.id == bindparam("_id"))
            self.session.execute(statement, values)
            for pid, record, _ in changed:
                self.changed_ids.append(pid)
                a, i = self._children(pid, record)
                applicant_rows += a
                ipc_rows += i
            self.updated += len(changed)
        # Core inserts of the child rows: the ORM's bulk insert checks each row's keys against the mapper first.
        if applicant_rows:
            self.session.execute(insert(APPLICANTS), applicant_rows)
        if ipc_rows:
            self.session.execute(insert(IPCS), ipc_rows)


def _prepare(session: Session) -> _RowContext:
    ipc = IpcValidator(session)
    if not ipc.loaded:
        raise FileRejected("IPC 分类表尚未加载：请先运行 ipbureau load-reference")
    return _RowContext(ipc=ipc, districts_by_name={name: code for code, name in district_names().items()},
                       today=date.today(), manual_districts=manual_districts(session, "patent"))


PATENT_IMPORT = ImportSpec[PatentRecord](
    kind="patent",
    noun="专利",
    map_columns=map_columns,
    prepare=_prepare,
    parse_row=parse_row,
    key=lambda record: record.application_no,
    key_field="application_no",
    make_writer=_Writer,
)


def import_patents(
    session: Session,
    data: Source,
    filename: str,
    *,
    actor: Any | None = None,
    dataset: Dataset = Dataset.REAL,
    progress: ProgressCallback | None = None,
    index: bool = True,
) -> ImportResult:
    """Import one patent export file (bytes, or a path on disk, read as a stream), all or nothing, then index
    what changed.

    Raises FileRejected (file unreadable) or ImportFailed (rows with errors; nothing written).
    """
    result = run_import(session, PATENT_IMPORT, data, filename, actor=actor, dataset=dataset, progress=progress)
    if index and result.changed_ids:
        index_patents(session, result.changed_ids)
    return result
