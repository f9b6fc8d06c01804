"""Shared bounded field types for schemas and query parameters, and Chinese validation messages.

Every number that reaches the database or a computation is bounded here once: an id above 2^63, a year of -1,
a page offset of 10^30 or a score of 1e309 is a 422 naming the field, never a 500. Use them in Pydantic
schemas and in FastAPI parameters alike (``year: Year | None = None``).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator

# SQL BIGINT (both databases): the largest id a record can have.
MAX_ID = 2**63 - 1
# The first year of Chinese patent law (1985) and a generous bound for plans and deadlines.
MIN_YEAR, MAX_YEAR = 1985, 2100
# A money amount in 元 (or 万元): twelve digits before the point is beyond any deal the bureau records.
MAX_MONEY = Decimal("999999999999.99")
MAX_OFFSET = 1_000_000
MAX_PAGE_SIZE = 500


def _day_in_range(value: date) -> date:
    if not (date(1900, 1, 1) <= value <= date(2100, 12, 31)):
        raise ValueError("日期应在 1900-01-01 至 2100-12-31 之间")
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID, strict=False)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Month = Annotated[int, Field(ge=1, le=12)]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]
Page = Annotated[int, Field(ge=1, le=MAX_OFFSET)]  # a 1-based page number
Count = Annotated[int, Field(ge=0, le=10**9)]
Money = Annotated[Decimal, Field(ge=0, le=MAX_MONEY, max_digits=16, decimal_places=2, allow_inf_nan=False)]
Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]
Ratio = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Day = Annotated[date, AfterValidator(_day_in_range)]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=5000)]


class Filters(BaseModel):
    """Base of query-filter schemas: a blank form field means "no filter" (``?district=`` is absent, not an
    invalid district)."""

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        return data


# ---- Chinese messages -------------------------------------------------------------------------------

# Field names as users know them, shared by every area; each area adds its own with register_labels().
FIELD_LABELS: dict[str, str] = {
    "id": "编号", "year": "年份", "month": "月份", "offset": "起始位置", "limit": "每页条数", "page": "页码",
    "start": "开始日期", "end": "结束日期", "date_from": "开始日期", "date_to": "结束日期", "q": "检索词",
    "district": "区", "district_code": "区", "amount": "金额", "price": "价格", "score": "分数",
    "min_score": "最低分", "status": "状态", "keyword": "关键词", "period": "时段", "chain": "产业链",
}
# area (package, e.g. "ipbureau.market") -> its own labels; the same field name may read differently per area
_AREA_LABELS: dict[str, dict[str, str]] = {}


def area_of(module: str) -> str:
    """The area a module belongs to: its package (``ipbureau.market.schemas`` → ``ipbureau.market``)."""
    return module.rsplit(".", 1)[0] if module.count(".") > 1 else module


def register_labels(labels: dict[str, str], module: str) -> None:
    """Name an area's fields in messages (``price`` → 挂牌价格). Call as ``register_labels({...}, __name__)``: the
    labels apply to errors of that area's schemas and routes, so two areas may label the same name differently."""
    _AREA_LABELS.setdefault(area_of(module), {}).update(labels)


def label_for(name: str, area: str | None = None) -> str | None:
    if area is not None:
        own = _AREA_LABELS.get(area, {}).get(name)
        if own:
            return own
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    return next((labels[name] for labels in _AREA_LABELS.values() if name in labels), None)


def _expected(ctx: dict[str, Any]) -> str:
    """pydantic's "'real' or 'demo'" as “real”、“demo”."""
    raw = str(ctx.get("expected", ""))
    items = re.findall(r"'([^']*)'", raw) or [raw]
    return "、".join(f"“{item}”" for item in items)


# pydantic-core error type -> zh-CN message (ctx values are formatted in)
_MESSAGES: dict[str, str] = {
    "missing": "必须填写",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "finite_number": "应为有限的数值",
    "decimal_max_digits": "数字位数过多（最多 {max_digits} 位）",
    "decimal_max_places": "小数位数过多（最多 {decimal_places} 位）",
    "decimal_whole_digits": "整数部分位数过多",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "应小于 {lt}",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "string_type": "应为文本",
    "string_pattern_mismatch": "格式不正确",
    "date_parsing": "应为日期（如 2023-05-01）",
    "date_from_datetime_parsing": "应为日期（如 2023-05-01）",
    "date_from_datetime_inexact": "应为日期（如 2023-05-01）",
    "date_type": "应为日期（如 2023-05-01）",
    "datetime_parsing": "应为日期时间（如 2023-05-01T08:00）",
    "datetime_from_date_parsing": "应为日期时间（如 2023-05-01T08:00）",
    "datetime_type": "应为日期时间（如 2023-05-01T08:00）",
    "bool_parsing": "应为是或否（true/false）",
    "bool_type": "应为是或否（true/false）",
    "enum": "无效，可选：{expected}",
    "literal_error": "无效，可选：{expected}",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "model_type": "格式不正确",
    "model_attributes_type": "格式不正确",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "too_long": "条目过多（最多 {max_length} 项）",
    "too_short": "条目过少（至少 {min_length} 项）",
    "extra_forbidden": "不是可接受的字段",
    "uuid_parsing": "格式不正确",
    "url_parsing": "不是有效的网址",
}


def field_name(loc: tuple[Any, ...], area: str | None = None) -> str:
    """The user-facing name of an error location (``("query", "year")`` → ``年份``), in the area's words."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header", "cookie")]
    if not parts:
        return "请求"
    last = next((p for p in reversed(parts) if not p.isdigit()), parts[-1])
    label = label_for(last, area)
    if label is None:
        return ".".join(parts)
    rows = [p for p in parts if p.isdigit()]
    return f"第 {int(rows[0]) + 1} 项的{label}" if rows else label


def chinese_message(error: dict[str, Any]) -> str:
    """One pydantic error as a zh-CN message without the field name."""
    kind = error.get("type", "")
    ctx = dict(error.get("ctx") or {})
    if kind == "value_error":  # our own validators raise ValueError with a Chinese text
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    template = _MESSAGES.get(kind)
    if template is None:
        return "格式不正确"
    if "expected" in ctx:
        ctx["expected"] = _expected(ctx)
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template


def problems_of(errors: list[dict[str, Any]], area: str | None = None) -> list[dict[str, str]]:
    """Pydantic's errors as ``[{"field": 中文名, "loc": "year", "message": 中文}]``; ``area`` (see area_of) chooses
    the area's labels."""
    out = []
    for error in errors:
        loc = tuple(error.get("loc") or ())
        out.append({"field": field_name(loc, area), "loc": ".".join(str(p) for p in loc if p not in ("body", "query")),
                    "message": chinese_message(error)})
    return out
