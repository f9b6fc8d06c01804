"""Input parsing shared by the protection modules. Each function raises the calling module's own
error class (``error(field_name, message)``), so every message names its field the same way:
"罚没款：不能为负数"."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from ipbureau.reference.models import District

FieldErrorType = Any  # a ValueError subclass taking (field_name, message)
MAX_AMOUNT = Decimal("1e14")


def parse_amount(value: Any, field_name: str, *, error: FieldErrorType, required: bool = False,
                 empty: Decimal | None = None) -> Decimal | None:
    """A sum in yuan as typed ("12,000.5"): non-negative, finite, rounded to fen. Empty input is
    refused when ``required``, else gives ``empty``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise error(field_name, "请填写金额")
        return empty
    if isinstance(value, bool):
        raise error(field_name, "必须是数字")
    raw = str(value).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise error(field_name, f"“{value}”不是数字") from None
    if not number.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
        raise error(field_name, "必须是有限的数字")
    if number < 0:
        raise error(field_name, "不能为负数")
    if number >= MAX_AMOUNT:
        raise error(field_name, "金额过大")
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_enum(enum_class: Any, value: Any, field_name: str, *, error: FieldErrorType) -> Any:
    try:
        return enum_class(str(value or "").strip())
    except ValueError:
        allowed = "、".join(label for _v, label in enum_class.choices())
        raise error(field_name, f"“{value or ''}”无效，可选：{allowed}") from None


def parse_district(session: Session, code: Any, field_name: str, *, error: FieldErrorType) -> str:
    code = str(code or "").strip()
    if not code:
        raise error(field_name, "请选择所属区")
    if session.get(District, code) is None:
        raise error(field_name, f"区划代码“{code}”不是天津市的区")
    return code
