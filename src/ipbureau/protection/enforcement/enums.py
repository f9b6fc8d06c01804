from __future__ import annotations

from ipbureau.enums import LabelledEnum


class CaseCategory(LabelledEnum):
    """The seed's categories: 商标、地理标志和奥林匹克标志专用权保护, 假冒专利."""

    TRADEMARK = "trademark"
    PATENT_COUNTERFEITING = "patent_counterfeiting"
    GEOGRAPHICAL_INDICATION = "gi"
    OLYMPIC_SYMBOL = "olympic"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"trademark": "商标侵权", "patent_counterfeiting": "假冒专利", "gi": "地理标志",
                "olympic": "奥林匹克标志", "other": "其他"}


class CaseStatus(LabelledEnum):
    OPEN = "open"
    CLOSED = "closed"
    TRANSFERRED = "transferred"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"open": "办理中", "closed": "已结案", "transferred": "已移送司法机关"}
