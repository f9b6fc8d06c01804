from __future__ import annotations

from ipbureau.enums import LabelledEnum


class Subject(LabelledEnum):
    """The records an indicator counts."""

    PATENT = "patent"
    TRADEMARK = "trademark"
    MARKET = "market"  # 运营交易 (marketplace)
    PROTECTION = "protection"  # 保护 (pre-examination, disputes, enforcement, screening)
    NAVIGATION = "navigation"  # 专利导航
    SERVICE = "service"  # 企业培育与服务

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"patent": "专利", "trademark": "商标", "market": "运营交易", "protection": "知识产权保护",
                "navigation": "专利导航", "service": "企业培育与服务"}


class Measure(LabelledEnum):
    """Flow: events within the period (授权量、申请量). Stock: what holds at the period's end (拥有量)."""

    FLOW = "flow"
    STOCK = "stock"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"flow": "期间量", "stock": "期末存量"}


class YoyNote(LabelledEnum):
    """Why a year-on-year growth rate is absent."""

    ZERO_BASE = "zero base"  # the same period last year counted 0: growth is undefined
    NO_DATA = "no data"  # the dataset does not cover last year's period (or last year's value is not computable)

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"zero base": "基期为零，不计算增速", "no data": "无上年同期数据"}
