"""One family of domain errors and the one place that says which HTTP status each stands for.

Domain code raises these with a zh-CN message naming the field ("挂牌价格：不能为负数"); it never builds an
HTTP response. The app maps them once (``ipbureau.app``): pages render the message, the API answers
``{"detail": message, "field": field}``.
"""

from __future__ import annotations


class AppError(Exception):
    """An error the app maps to an HTTP status by ``status``, with a zh-CN ``message``."""

    status = 422

    def __init__(self, field_name: str, message: str | None = None) -> None:
        if message is None:  # a message that names no field
            field_name, message = "", field_name
        super().__init__(f"{field_name}：{message}" if field_name else message)
        self.field = field_name
        self.message = message
        self.problems: list[dict[str, str]] = []  # per-field or per-row problems, when there are several


class DomainError(AppError, ValueError):
    """Input or an action that cannot be accepted (a ValueError, as domain code always raised)."""


class InvalidInput(DomainError):
    """Malformed or out-of-range input (HTTP 422)."""


class NotFound(AppError, LookupError):
    """No such record, or one the user may not see: the two are never told apart (HTTP 404)."""

    status = 404

    def __init__(self, what: str = "记录") -> None:
        super().__init__("", f"{what}不存在")


class Forbidden(AppError):
    """A role that may not do this at all (HTTP 403). A record the user may not *see* is NotFound instead."""

    status = 403

    def __init__(self, message: str = "您没有访问此功能的权限") -> None:
        super().__init__("", message)


class Conflict(DomainError):
    """An action the record's current state (or a concurrent change) does not allow (HTTP 409)."""

    status = 409


class TransitionError(Conflict):
    """A workflow action that the current state does not allow (the one transition error of every workflow)."""


class TooLarge(DomainError):
    """An upload or batch over its stated bound (HTTP 413)."""

    status = 413


def status_of(exc: BaseException) -> int:
    return getattr(exc, "status", 422)
