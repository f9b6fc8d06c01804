from __future__ import annotations

from ipbureau.enums import LabelledEnum


class DisputeKind(LabelledEnum):
    MEDIATION = "mediation"  # 纠纷调解 (人民调解委员会、行政调解)
    ADJUDICATION = "adjudication"  # 专利侵权纠纷行政裁决

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"mediation": "纠纷调解", "adjudication": "行政裁决"}


class IpType(LabelledEnum):
    PATENT = "patent"
    TRADEMARK = "trademark"
    GEOGRAPHICAL_INDICATION = "gi"
    OTHER = "other"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"patent": "专利", "trademark": "商标", "gi": "地理标志", "other": "其他"}


class HandlingOrg(LabelledEnum):
    """Who handles the case; a district bureau case names its district."""

    MEDIATION_COMMITTEE = "committee"
    CITY_BUREAU = "city"
    DISTRICT_BUREAU = "district"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"committee": "知识产权纠纷人民调解委员会", "city": "市知识产权局", "district": "区知识产权局"}


class PartySide(LabelledEnum):
    REQUESTER = "requester"
    RESPONDENT = "respondent"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"requester": "请求人", "respondent": "被请求人"}


class DisputeStatus(LabelledEnum):
    RECEIVED = "received"  # 已登记 (mediation: waiting for the first session; adjudication: acceptance pending)
    ACCEPTED = "accepted"  # 已立案 (adjudication)
    IN_PROGRESS = "in_progress"  # 调解中 / 审理中
    REJECTED = "rejected"  # 不予受理 (adjudication)
    CLOSED = "closed"  # 已结案

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"received": "已登记", "accepted": "已立案", "in_progress": "办理中", "rejected": "不予受理",
                "closed": "已结案"}


OPEN_STATUSES = (DisputeStatus.RECEIVED, DisputeStatus.ACCEPTED, DisputeStatus.IN_PROGRESS)


class MediationOutcome(LabelledEnum):
    AGREEMENT = "agreement"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"agreement": "达成调解协议", "failed": "调解不成", "withdrawn": "撤回申请"}


class AdjudicationDecision(LabelledEnum):
    INFRINGEMENT_FOUND = "infringement"
    NOT_FOUND = "no_infringement"
    SETTLED = "settled"
    WITHDRAWN = "withdrawn"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"infringement": "认定侵权成立", "no_infringement": "认定侵权不成立", "settled": "和解结案",
                "withdrawn": "请求人撤回请求"}


class DeadlineState(LabelledEnum):
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE = "done"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"ok": "期限内", "due_soon": "即将到期", "overdue": "已超期", "done": "已办结"}
