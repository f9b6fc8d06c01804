"""Checks of input that its schema cannot make alone: a term whose end follows its start, a text that must not
be blank (the schemas bound lengths and types; the messages here name the field as the form calls it)."""

from __future__ import annotations

from datetime import date

from ipbureau.core.errors import DomainError


def check_term(start: date | None, end: date | None, field_name: str) -> None:
    if start and end and end <= start:
        raise DomainError(field_name, "结束日期必须晚于开始日期")


def required_text(value: str | None, field_name: str) -> str:
    """A text the form must not leave blank (the schema bounds its length)."""
    text = (value or "").strip()
    if not text:
        raise DomainError(field_name, "不能为空")
    return text


def optional_text(value: str | None) -> str | None:
    return (value or "").strip() or None
