"""Response shapes of patent records."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from ipbureau.core.fields import register_labels
from ipbureau.enums import Dataset
from ipbureau.patents.enums import LegalStatus, PatentType


class PatentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    application_no: str
    publication_no: str | None
    grant_no: str | None
    patent_type: PatentType
    title: str
    abstract: str | None
    claims: str | None
    ipc_main: str | None
    ipc_list: list[str]
    applicant_names: list[str]
    inventors: list[str]
    applicant_address: str | None
    province_code: str | None
    district_code: str | None
    filing_date: date | None
    publication_date: date | None
    grant_date: date | None
    lapse_date: date | None
    legal_status: LegalStatus
    legal_status_raw: str | None
    citation_count: int
    family_size: int | None
    agency: str | None
    dataset: Dataset
    source: str | None


register_labels({"patent_id": "专利编号"}, __name__)
