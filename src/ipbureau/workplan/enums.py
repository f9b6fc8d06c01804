from __future__ import annotations

from ipbureau.enums import LabelledEnum


class Comparison(LabelledEnum):
    """How the plan words a target. Both are met when the value is at least the target value."""

    AT_LEAST = "at_least"  # 不少于…、…以上
    REACH = "reach"  # 达到… or a plain figure (培育…100家)

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"at_least": "不少于", "reach": "达到"}


class Aggregation(LabelledEnum):
    """How manual progress entries of a target add up to its current value."""

    # Each entry states the running total to its date; the latest entry is the progress.
    CUMULATIVE = "cumulative"
    # Each entry reports what was done since the previous one; the progress is their sum.
    INCREMENT = "increment"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"cumulative": "累计值（取最新一次填报）", "increment": "增量（各次填报相加）"}


class TargetStatus(LabelledEnum):
    DONE = "done"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    NO_DATA = "no_data"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"done": "已完成", "on_track": "进行中", "at_risk": "滞后/有风险", "overdue": "已逾期", "no_data": "无数据"}


class ValueSource(LabelledEnum):
    """Where a target's current value comes from."""

    INDICATOR = "indicator"  # computed live by ipbureau.stats
    MANUAL = "manual"  # the progress entries staff made

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"indicator": "统计指标（实时）", "manual": "人工填报"}


# Units the plan uses; uploads may use others (shown as written).
KNOWN_UNITS = ("件", "家", "场次", "个", "项", "人次", "%")
