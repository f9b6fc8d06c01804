from __future__ import annotations

from ipbureau.enums import LabelledEnum


class PatentType(LabelledEnum):
    INVENTION = "invention"
    UTILITY_MODEL = "utility_model"
    DESIGN = "design"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}


class LegalStatus(LabelledEnum):
    """Normalised legal status; the export's own wording is kept beside it."""

    PENDING = "pending"  # 审中 (公开、实质审查)
    VALID = "valid"  # 有权 (授权且维持有效)
    INVALID = "invalid"  # 无权 (届满、未缴年费终止、放弃、被宣告无效)
    REJECTED = "rejected"  # 驳回
    WITHDRAWN = "withdrawn"  # 撤回 (含视为撤回)
    UNKNOWN = "unknown"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "pending": "审中",
            "valid": "有权",
            "invalid": "无权",
            "rejected": "驳回",
            "withdrawn": "撤回",
            "unknown": "未知",
        }
