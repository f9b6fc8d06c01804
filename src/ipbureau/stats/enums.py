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


class Period(LabelledEnum):
    """The part of a year a figure covers: the year, a half, a quarter or a month."""

    YEAR = "year"
    H1 = "H1"
    H2 = "H2"
    Q1 = "Q1"
    Q2 = "Q2"
    Q3 = "Q3"
    Q4 = "Q4"
    M01 = "M01"
    M02 = "M02"
    M03 = "M03"
    M04 = "M04"
    M05 = "M05"
    M06 = "M06"
    M07 = "M07"
    M08 = "M08"
    M09 = "M09"
    M10 = "M10"
    M11 = "M11"
    M12 = "M12"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"year": "全年", "H1": "上半年", "H2": "下半年", **{f"Q{q}": f"第{q}季度" for q in range(1, 5)},
                **{f"M{m:02d}": f"{m}月" for m in range(1, 13)}}

    @property
    def months(self) -> tuple[int, int]:
        """The first and last month of the period."""
        if self is Period.YEAR:
            return 1, 12
        kind, number = self.value[0], int(self.value[1:])
        if kind == "H":
            return 6 * number - 5, 6 * number
        if kind == "Q":
            return 3 * number - 2, 3 * number
        return number, number
