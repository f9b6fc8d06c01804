"""The import workflow shared by patents, enterprises and trademarks.

One database transaction per file. Rows are parsed and checked in chunks; once
any row has an error nothing more is written, and the transaction is rolled
back at the end, so a file either lands whole or leaves the database as it was.
Records are keyed (application number, credit code, …) and carry a hash of
their normalised content, so importing the same file again changes nothing.
A failed attempt is still recorded as an ImportBatch, so the history shows it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.database.core import utcnow
from ipbureau.enums import Dataset
from ipbureau.imports.columns import ColumnMap
from ipbureau.imports.errors import FileRejected, ImportFailed, RowProblem
from ipbureau.imports.models import ImportBatch
from ipbureau.imports.readers import Bounds, Source, open_table

CHUNK_ROWS = 2000
MAX_PROBLEMS = 200
ProgressCallback = Callable[[int, int], None]
R = TypeVar("R")


class RecordWriter(Protocol[R]):
    inserted: int
    updated: int
    unchanged: int
    changed_ids: list[int]

    # Each record comes with the hash of its content, computed once by the runner.
    def write(self, records: list[tuple[R, str]]) -> None: ...


@dataclass
class ImportSpec(Generic[R]):
    kind: str  # patent | enterprise | trademark
    noun: str  # 专利, for messages
    # headers, file format -> column map, missing required labels
    map_columns: Callable[[list[str], str], tuple[ColumnMap, list[str]]]
    # Called once per import, before any row: raises FileRejected when the import cannot run.
    prepare: Callable[[Session], Any]
    # row number, row, column map, prepared context -> record or None, errors, warnings
    parse_row: Callable[[int, dict[str, Any], ColumnMap, Any], tuple[R | None, list[RowProblem], list[RowProblem]]]
    key: Callable[[R], str]
    key_field: str
    make_writer: Callable[[Session, int, Dataset, str], RecordWriter[R]]


@dataclass
class ImportResult:
    batch_id: int
    format: str
    total_rows: int
    inserted: int
    updated: int
    unchanged: int
    duplicates_in_file: int
    warnings: list[RowProblem] = field(default_factory=list)
    changed_ids: list[int] = field(default_factory=list)


_LOW_64 = (1 << 64) - 1


def _short_hash(key: str) -> int:
    """64 bits of a record key's SHA-256: two different keys of one file share it with odds of about n²/2⁶⁵."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def content_hash(content: dict[str, Any]) -> str:
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record_content(record: Any) -> dict[str, Any]:
    """A record dataclass's stored fields: all but its row number."""
    data = dict(record.__dict__)
    data.pop("row", None)
    return data


def _save_failed_batch(session: Session, **fields: Any) -> int:
    batch = ImportBatch(status="failed", finished_at=utcnow(), **fields)
    session.add(batch)
    session.commit()
    return batch.id


def file_sha256(source: Source) -> str:
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    digest = hashlib.sha256()
    with open(source, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def recogniser(spec: ImportSpec[Any]) -> Callable[[list[str]], int | None]:
    """How much a row looks like this kind's header: None when it names no known column."""
    def recognise(headers: list[str]) -> int | None:
        mapping, missing = spec.map_columns(headers, "csv")
        if not mapping.columns:
            return None
        # A row naming every required column wins; else the one naming most (its missing columns are reported).
        return len(mapping.columns) - 1000 * len(missing)
    return recognise


def run_import(session: Session, spec: ImportSpec[R], data: Source, filename: str, *, actor: Any | None = None,
               dataset: Dataset = Dataset.REAL, progress: ProgressCallback | None = None,
               bounds: Bounds | None = None) -> ImportResult:
    """Import one file (bytes, or a path on disk, which is streamed). Commits on success; on any error rolls
    back and raises.

    Raises FileRejected when the file as a whole cannot be read, ImportFailed when
    rows have errors (every problem found, up to MAX_PROBLEMS, with row and column).
    """
    digest = file_sha256(data)
    common = {"kind": spec.kind, "filename": filename[:255], "file_sha256": digest, "dataset": dataset.value,
              "created_by": getattr(actor, "id", None)}
    try:
        table = open_table(data, filename, recognise=recogniser(spec), bounds=bounds)
        cmap, missing = spec.map_columns(table.headers, table.format)
        if missing:
            shown = "、".join(h for h in table.headers if h)[:200]
            raise FileRejected(f"缺少必需的列：{'、'.join(missing)}（表头为：{shown}）{cmap.hint}")
        context = spec.prepare(session)
    except FileRejected as exc:
        session.rollback()
        _save_failed_batch(session, detected_format="unknown", errors=[{"row": 0, "field": "文件", "message": str(exc)}],
                           **common)
        raise

    batch = ImportBatch(status="running", detected_format=cmap.format_name, **common)
    session.add(batch)
    session.flush()
    writer = spec.make_writer(session, batch.id, dataset, f"{cmap.format_name}:{filename}"[:255])

    errors: list[RowProblem] = []
    warnings: list[RowProblem] = []
    # Key -> first row and content of each record so far, to tell duplicates in the file. Kept compact (two
    # 64-bit ints a row, about 100 bytes with the dict) because it is the one thing that grows with the file.
    seen: dict[int, int] = {}
    duplicates = 0
    total = 0
    chunk: list[tuple[R, str]] = []
    try:
        for row_no, row in table.rows:
            total += 1
            record, row_errors, row_warnings = spec.parse_row(row_no, row, cmap, context)
            errors += row_errors
            if len(warnings) < MAX_PROBLEMS:
                warnings += row_warnings
            if record is not None:
                key = spec.key(record)
                row_digest = content_hash(record_content(record))
                key_hash, content = _short_hash(key), int(row_digest[:16], 16)
                first = seen.get(key_hash)
                if first is None:
                    seen[key_hash] = row_no << 64 | content
                elif first & _LOW_64 == content:
                    duplicates += 1
                    warnings.append(RowProblem(row_no, cmap.label(spec.key_field),
                                               f"与第 {first >> 64} 行完全相同，已跳过"))
                    record = None
                else:
                    errors.append(RowProblem(row_no, cmap.label(spec.key_field),
                                             f"{key} 与第 {first >> 64} 行重复，但内容不同"))
                    record = None
            if record is not None and not errors:
                chunk.append((record, row_digest))
            if len(chunk) >= CHUNK_ROWS:
                writer.write(chunk)
                chunk = []
            if len(errors) >= MAX_PROBLEMS:
                break
            if progress and total % 500 == 0:
                progress(total, table.total_rows)
    except FileRejected as exc:
        # The file as a whole is unusable (cut off, beyond the bounds, misaligned): whatever was written of it
        # goes, and the attempt is recorded with that one reason.
        session.rollback()
        _save_failed_batch(session, detected_format=cmap.format_name, total_rows=total,
                           errors=[{"row": 0, "field": "文件", "message": str(exc)}], **common)
        raise
    # What the reader skipped (banner lines, summary lines, other sheets) comes first in the report.
    warnings[:0] = table.notes

    if errors:
        session.rollback()
        batch_id = _save_failed_batch(session, detected_format=cmap.format_name, total_rows=total,
                                      errors=[e.as_dict() for e in errors],
                                      warnings=[w.as_dict() for w in warnings[:MAX_PROBLEMS]], **common)
        raise ImportFailed(errors, batch_id=batch_id, truncated=len(errors) >= MAX_PROBLEMS)
    if total == 0:
        session.rollback()
        _save_failed_batch(session, detected_format=cmap.format_name,
                           errors=[{"row": 0, "field": "文件", "message": "文件中没有数据行"}], **common)
        raise FileRejected("文件中没有数据行")

    writer.write(chunk)
    batch.status = "succeeded"
    batch.total_rows = total
    batch.inserted = writer.inserted
    batch.updated = writer.updated
    batch.unchanged = writer.unchanged
    batch.duplicates_in_file = duplicates
    batch.warnings = [w.as_dict() for w in warnings[:MAX_PROBLEMS]]
    batch.finished_at = utcnow()
    audit.record(
        session, actor=actor, action=f"{spec.kind}.import", entity_type="import_batch", entity_id=batch.id,
        summary=f"导入{spec.noun}文件 {filename}：新增 {writer.inserted}，更新 {writer.updated}，未变 {writer.unchanged}",
        changes={"inserted": writer.inserted, "updated": writer.updated, "unchanged": writer.unchanged},
    )
    session.commit()
    if progress:
        progress(total, total)
    return ImportResult(batch_id=batch.id, format=cmap.format_name, total_rows=total, inserted=writer.inserted,
                        updated=writer.updated, unchanged=writer.unchanged, duplicates_in_file=duplicates,
                        warnings=warnings, changed_ids=writer.changed_ids)
