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
