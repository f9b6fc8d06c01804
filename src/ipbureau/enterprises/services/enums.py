from __future__ import annotations

from ipbureau.enums import LabelledEnum


class TrainingMode(LabelledEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    MIXED = "mixed"

    @classmethod
    def _labels(cls) -> dict[str, str]:
        return {"online": "线上", "offline": "线下", "mixed": "线上线下结合"}
