"""Response shapes of the reference data: districts and IPC codes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


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
