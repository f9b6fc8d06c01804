"""Request and response shapes of the enterprise directory, and the pieces every schema of the area shares
(a page of results, page numbers, filters in which a blank field means "no condition")."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ipbureau.core.fields import MAX_OFFSET, ShortText, register_labels
from ipbureau.enterprises.enums import EntityKind
from ipbureau.enums import Dataset

PAGE_SIZE = 50
PageNumber = Annotated[int, Field(ge=1, le=MAX_OFFSET // PAGE_SIZE, description="页码（从 1 起）")]
DistrictCode = Annotated[str, Field(max_length=6, pattern=r"^[0-9]{6}$", description="行政区划码，如 120116")]

T = TypeVar("T")


def offset_of(page: int) -> int:
    return (page - 1) * PAGE_SIZE


def pages_for(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


class Read(BaseModel):
    """A response read from a record's attributes."""

    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """One page of a list and the size of the whole list."""

    total: int
    items: list[T]


class Filters(BaseModel):
    """Filters of a list page or API: every field optional, a blank field means "no condition" (an HTML form
    sends every field, the empty ones as "")."""

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()
                    if not (isinstance(v, str) and not v.strip())}
        return data

    def conditions(self) -> dict[str, str]:
        """The filters that are set, as query parameters (for links that keep them, e.g. an export)."""
        return {k: str(getattr(v, "value", v)) for k, v in self if v is not None}


class EnterpriseFilters(Filters):
    q: ShortText | None = Field(default=None, description="名称包含，或统一社会信用代码")
    district_code: DistrictCode | None = None
    tag: ShortText | None = Field(default=None, description="称号，如 专精特新")
    kind: EntityKind | None = None
    dataset: Dataset | None = None


class EnterpriseRead(Read):
    """What anyone signed in may see of an enterprise."""

    id: int
    credit_code: str
    name: str
    kind: EntityKind
    district_code: str | None
    industry_chain: str | None
    tags: list[str]
    dataset: Dataset


class EnterpriseDetail(EnterpriseRead):
    """The public fields plus the non-public ones (policy: ``enterprise.view_private``). Every field is required,
    so that a public record never passes for a detailed one."""

    address: str | None
    established_on: date | None
    employees: int | None
    contact_person: str | None
    contact_phone: str | None


register_labels({"tag": "称号", "kind": "类型", "dataset": "数据", "enterprise_id": "企业", "enterprise": "企业",
                 # path and query parameters of the area's routes
                 "assessment_id": "申报编号", "visit_id": "走访记录编号", "training_id": "培训编号",
                 "record_id": "记录编号", "edit": "编号"}, __name__)
