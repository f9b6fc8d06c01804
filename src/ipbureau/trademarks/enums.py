from __future__ import annotations

from ipbureau.enums import LabelledEnum


class TrademarkStatus(LabelledEnum):
    APPLIED = "applied"  # 申请中
    REGISTERED = "registered"  # 已注册 (有效)
    REJECTED = "rejected"  # 驳回
    INVALIDATED = "invalidated"  # 无效/撤销
    EXPIRED = "expired"  # 期满未续展

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {
            "applied": "申请中",
            "registered": "已注册",
            "rejected": "驳回",
            "invalidated": "无效/撤销",
            "expired": "期满未续展",
        }
