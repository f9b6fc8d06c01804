from __future__ import annotations

from ipbureau.enums import LabelledEnum


class FilingStatus(LabelledEnum):
    """An enterprise's filing (备案) with a protection centre: only filed enterprises may submit cases."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"pending": "待审核", "approved": "已备案", "rejected": "未通过"}


class CaseStatus(LabelledEnum):
    """A pre-examination case from receipt to CNIPA's outcome.

    received → qualified | unqualified (the assigned examiner's decision);
    qualified → submitted (to CNIPA, with its application number) → granted | rejected;
    received, qualified and submitted cases may be withdrawn.
    """

    RECEIVED = "received"
    QUALIFIED = "qualified"
    UNQUALIFIED = "unqualified"
    SUBMITTED = "submitted"
    GRANTED = "granted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"received": "已受理待预审", "qualified": "预审合格", "unqualified": "预审不合格",
                "submitted": "已提交国家知识产权局", "granted": "已授权", "rejected": "已驳回", "withdrawn": "已撤回"}


# The examiner still has to decide: these count as the examiner's open cases (workload).
OPEN_STATUSES = (CaseStatus.RECEIVED,)
# Nothing further happens to these.
FINAL_STATUSES = (CaseStatus.UNQUALIFIED, CaseStatus.GRANTED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN)


class Decision(LabelledEnum):
    QUALIFIED = "qualified"
    UNQUALIFIED = "unqualified"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"qualified": "预审合格", "unqualified": "预审不合格"}
