"""Enumerations shared by several domains."""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members carry a zh-CN label for the interface."""

    @property
    def label(self) -> str:
        return self._labels().get(self.value, self.value)

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {}

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class Dataset(LabelledEnum):
    """Where a record came from. Demo records never enter real-data reports."""

    REAL = "real"
    DEMO = "demo"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"real": "真实数据", "demo": "演示数据"}
