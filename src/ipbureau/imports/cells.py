"""Cell checks shared by the record importers."""

from __future__ import annotations

from typing import Any

from ipbureau.imports.readers import text_or_none


def district_from_cell(value: Any, districts_by_name: dict[str, str]) -> tuple[str | None, str | None]:
    """An explicit district cell: a Tianjin district name (with or without 区/天津市) or code.

    Returns (code, None), (None, None) for an empty cell, or (None, error message).
    """
    text = text_or_none(value)
    if text is None:
        return None, None
    if text in districts_by_name.values():
        return text, None
    for name, code in districts_by_name.items():
        if text in (name, name.removesuffix("区"), f"天津市{name}"):
            return code, None
    return None, f"未知的区“{text}”：应为天津市 16 个区之一（如 滨海新区 或 120116）"
