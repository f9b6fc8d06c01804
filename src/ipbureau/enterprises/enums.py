from __future__ import annotations

from ipbureau.enums import LabelledEnum


class EntityKind(LabelledEnum):
    ENTERPRISE = "enterprise"
    UNIVERSITY = "university"
    INSTITUTE = "institute"
    AGENCY = "agency"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "enterprise": "企业",
            "university": "高等院校",
            "institute": "科研院所",
            "agency": "服务机构",
            "other": "其他",
        }


# Designations the bureau cultivates and counts; free tags beyond these are allowed.
KNOWN_TAGS = (
    "专精特新",
    "小巨人",
    "高新技术企业",
    "科技型中小企业",
    "国家知识产权优势企业",
    "国家知识产权示范企业",
    "高质量专利创造试点",
    "老字号",
)


class AssessmentLevel(LabelledEnum):
    """The two recognitions the bureau cultivates (2023年工作要点（七）: 择优培育知识产权优势企业100家)."""

    ADVANTAGE = "advantage"
    DEMONSTRATION = "demonstration"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"advantage": "知识产权优势企业", "demonstration": "知识产权示范企业"}


class AssessmentStatus(LabelledEnum):
    """申报 → 评审 → 认定 / 不予认定."""

    APPLIED = "applied"
    REVIEWING = "reviewing"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"applied": "已申报", "reviewing": "评审中", "confirmed": "已认定", "rejected": "不予认定"}
