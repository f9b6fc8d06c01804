"""States and signs of the abnormal-application screening (非正常专利申请筛查)."""

from __future__ import annotations

from ipbureau.enums import LabelledEnum


class Sign(LabelledEnum):
    """The signs of 《关于规范申请专利行为的规定》(2023) that the screening can see in bibliographic data."""

    BURST = "burst"  # (a) 短期内集中大量申请
    NEAR_DUPLICATE = "near_duplicate"  # (b) 内容明显相同或实质相同
    TEMPLATE_CLAIMS = "template_claims"  # (c) 权利要求模板化拼凑
    FIELD_MISMATCH = "field_mismatch"  # (d) 与申请人研发领域明显不符
    AGENCY_PATTERN = "agency_pattern"  # (e) 代理机构代理的申请集中出现上述情形

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "burst": "短期集中申请",
            "near_duplicate": "内容高度相似",
            "template_claims": "权利要求模板化",
            "field_mismatch": "与申请人技术领域不符",
            "agency_pattern": "代理机构异常集中",
        }


class CaseStatus(LabelledEnum):
    """A queued application's review: pending → confirmed (认定非正常) | cleared (排除)."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    CLEARED = "cleared"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"pending": "待审查", "confirmed": "认定非正常", "cleared": "已排除"}


class Handling(LabelledEnum):
    """What became of a confirmed application; anything but PENDING completes the handling."""

    PENDING = "pending"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    CORRECTED = "corrected"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"pending": "处理中", "withdrawn": "申请人主动撤回", "rejected": "已驳回", "corrected": "已整改"}


class RunState(LabelledEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"running": "运行中", "succeeded": "已完成", "failed": "失败"}
