"""Request and response shapes of the reference data: districts, IPC codes and district attribution."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ipbureau.core.fields import Id, ShortText


class DistrictRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    population: int | None = None


class IpcCodeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    level: str
    parent_code: str | None
    title_zh: str | None
    title_en: str | None
    current: bool


class IpcEntryRead(BaseModel):
    """One IPC code with its ancestors (section first, the code last) and its children."""

    model_config = ConfigDict(from_attributes=True)
    path: list[IpcCodeRead]
    children: list[IpcCodeRead]


class DistrictAssign(BaseModel):
    """A district assigned by hand to a record that no rule could attribute (API body and the staff page's form)."""

    kind: Literal["patent", "enterprise"]
    record_id: Id
    district_code: ShortText


class DistrictAssignmentRead(BaseModel):
    kind: str
    record_id: int
    district_code: str
    district_rule: str


class UnattributedRecordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: str
    id: int
    key: str  # application number or credit code
    name: str  # title or enterprise name
    address: str | None


class UnattributedRead(BaseModel):
    """Counts of the records without a district (Tianjin patents, enterprises) and one page of one kind."""

    model_config = ConfigDict(from_attributes=True)
    counts: dict[str, int]
    records: list[UnattributedRecordRead]
