"""Request and response shapes of data imports: the options of an upload (one schema for the page's form and
the API), the outcome of an import, the problems of a rejected one, a running job and the import records."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ipbureau.core.fields import register_labels
from ipbureau.enums import Dataset
from ipbureau.imports.kinds import ImportKind


class ImportOptions(BaseModel):
    kind: ImportKind = ImportKind.PATENT
    dataset: Dataset = Dataset.REAL


class RowProblemRead(BaseModel):
    """A problem in one cell: the row as Excel numbers it (0: the file as a whole), the column as the file
    names it."""

    model_config = ConfigDict(from_attributes=True)
    row: int
    field: str
    message: str


class ImportOutcome(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    batch_id: int
    format: str
    total_rows: int
    inserted: int
    updated: int
    unchanged: int
    duplicates_in_file: int
    warnings: list[RowProblemRead]


class ImportRejection(BaseModel):
    """A file with errors in its rows: nothing was written; every problem found (up to a cap)."""

    detail: str
    batch_id: int | None
    problems: list[RowProblemRead]


class ImportJobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    filename: str
    state: Literal["queued", "running", "succeeded", "failed"]
    done: int
    total: int
    message: str
    batch_id: int | None
    problems: list[RowProblemRead]


class ImportBatchRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    filename: str
    detected_format: str
    status: str
    total_rows: int
    inserted: int
    updated: int
    unchanged: int
    duplicates_in_file: int
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    created_at: datetime


class ImportBatchList(BaseModel):
    total: int
    items: list[ImportBatchRead]


register_labels({"kind": "数据种类", "dataset": "数据类别", "batch_id": "导入记录编号", "job_id": "导入任务编号",
                 "file": "文件"}, __name__)
