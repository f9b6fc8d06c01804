from __future__ import annotations

from ipbureau.enums import LabelledEnum


class ListingKind(LabelledEnum):
    """What the holder offers; deals inherit it."""

    TRANSFER = "transfer"
    LICENCE = "licence"
    PLEDGE = "pledge"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"transfer": "转让", "licence": "许可", "pledge": "质押融资"}


class LicenceType(LabelledEnum):
    """Contract licence types (专利实施许可合同); OPEN is a licence obtained under an open-licence declaration."""

    EXCLUSIVE = "exclusive"
    SOLE = "sole"
    ORDINARY = "ordinary"
    OPEN = "open"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"exclusive": "独占许可", "sole": "排他许可", "ordinary": "普通许可", "open": "开放许可"}


# Licence types a holder may offer in a listing or agree in a deal (OPEN comes only from a declaration).
CONTRACT_LICENCE_TYPES = (LicenceType.EXCLUSIVE, LicenceType.SOLE, LicenceType.ORDINARY)
# An active licence of these types blocks an open-licence declaration (专利法第五十一条).
BLOCKING_LICENCE_TYPES = (LicenceType.EXCLUSIVE, LicenceType.SOLE)


class ListingStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"draft": "草稿", "submitted": "待审核", "published": "已发布", "rejected": "已驳回",
                "withdrawn": "已下架", "closed": "已成交"}


class OpenLicenceStatus(LabelledEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"published": "已公告", "withdrawn": "已撤回"}


class FeeBasis(LabelledEnum):
    """How an open-licence fee standard is stated."""

    LUMP_SUM = "lump_sum"  # amount in yuan, once
    PER_YEAR = "per_year"  # amount in yuan per year
    SALES_PERCENT = "sales_percent"  # amount is a percentage of sales

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"lump_sum": "一次性支付（元）", "per_year": "按年支付（元/年）", "sales_percent": "按销售额提成（%）"}


class DealStatus(LabelledEnum):
    INTENTION = "intention"
    NEGOTIATION = "negotiation"
    CONTRACT = "contract"
    FILING = "filing"
    DONE = "done"
    CANCELLED = "cancelled"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"intention": "意向", "negotiation": "洽谈", "contract": "签约", "filing": "备案", "done": "完成",
                "cancelled": "已取消"}


class DemandStatus(LabelledEnum):
    """A technology need (技术需求): open while the enterprise looks for patents, then closed."""

    OPEN = "open"
    CLOSED = "closed"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"open": "征集中", "closed": "已关闭"}


class PushKind(LabelledEnum):
    """Which way a match list was pushed."""

    DEMAND = "demand"  # a demand's matching patents, to the demanding enterprise
    PATENT = "patent"  # a listed patent, to an enterprise that may need it

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"demand": "需求匹配推送", "patent": "专利推荐推送"}


class LicenceStatus(LabelledEnum):
    """A licence record (许可登记) has no stored state: it is filed once, from a completed deal or an accepted
    open licence, and never changes; ``Licence.filing_status`` is derived from its being stored."""

    FILED = "filed"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"filed": "已登记"}


class PledgeStatus(LabelledEnum):
    """A pledge registration (质押登记) has no stored state either: ``Pledge.registration_status``."""

    REGISTERED = "registered"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"registered": "已登记"}
