"""Request and response shapes of the audit log's page and API (one query schema for both)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ipbureau.audit.models import AuditLogRead
from ipbureau.core.fields import Filters, Page, register_labels

PAGE_SIZE = 50


class AuditQuery(Filters):
    entity_type: str | None = Field(default=None, max_length=64, description="对象类型，如 user、import_batch")
    entity_id: str | None = Field(default=None, max_length=64, description="对象编号")
    page: Page = 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE


class AuditLogPage(BaseModel):
    total: int
    items: list[AuditLogRead]


register_labels({"entity_type": "对象类型", "entity_id": "对象编号"}, __name__)
