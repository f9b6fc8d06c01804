"""Response shapes of the notice API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, computed_field

from ipbureau.core.fields import register_labels


class NoticeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    body: str
    link: str | None
    created_at: datetime
    read_at: datetime | None

    @computed_field
    def read(self) -> bool:
        return self.read_at is not None


class NoticeList(BaseModel):
    unread: int
    items: list[NoticeRead]


register_labels({"notice_id": "通知"}, __name__)
