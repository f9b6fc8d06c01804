"""Input rules shared by disputes (纠纷调解与行政裁决) and enforcement (行政执法), and the one way both run a
workflow action (``perform``).

Two kinds of input rules live here:

- schema field types (``Amount``, ``DateInput``, ``Text``) built on core.fields' ``Money`` and ``Day``: they
  also accept what people type ("12,000.5", "2023/5/1") and keep the messages these pages always gave
  ("不能为负数", "“abc”不是数字", "日期“…”无法识别（如 2023-05-01）");
- checks the service makes with the field's label or the database (text a form must have, a choice among an
  enum's values, a Tianjin district, a party's credit code): they raise core.errors.DomainError naming the field
  with the messages these pages always gave ("不予受理理由：不能为空", "案件类型：“x”无效，可选：…").

A field's label in a schema error is its area's label for the field's name (core.fields.register_labels), while
form keys such as "reason" or "concluded_on" mean different things on different forms of one area (不予受理理由 /
延长理由, 结案日期 / 裁决日期 / 撤回日期); so the input schemas are ``FormSchema``s, whose attribute names are
unique and labelled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.core.errors import DomainError, Forbidden
from ipbureau.core.fields import MAX_MONEY, Day, Money, area_of, label_for
from ipbureau.core.forms import VersionSeen, version_seen
from ipbureau.core.workflow import Workflow
from ipbureau.enterprises.creditcode import validate_credit_code
from ipbureau.enterprises.models import Enterprise
from ipbureau.imports.readers import parse_date
from ipbureau.policy import policy
from ipbureau.reference.models import District

MAX_LINE = 200
MAX_TEXT = 5000


class FormSchema(BaseModel):
    """An input schema of these areas. Its form and JSON keys are the aliases ("concluded_on", "reason"...), which
    several forms use for different things; its attribute names are unique ("withdrawn_on", "rejection_reason"),
    and a validation error names the field by its attribute, whose Chinese label the area registers."""

    model_config = ConfigDict(loc_by_alias=False, populate_by_name=True)


class ActionInput(VersionSeen, FormSchema):
    """The input of an action on an existing case: also carries the case's ``version`` the user saw."""


def label(data: BaseModel | type[BaseModel], name: str) -> str:
    """The Chinese name of a schema's field, as its area registered it (core.fields.register_labels)."""
    model = data if isinstance(data, type) else type(data)
    return label_for(name, area_of(model.__module__)) or name


# ---- schema field types --------------------------------------------------------------------------

def _blank_is_none(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _amount(value: Any) -> Any:
    """A sum in yuan as typed ("12,000.5", "１２０００"): a finite non-negative number, rounded to fen."""
    value = _blank_is_none(value)
    if value is None or isinstance(value, Decimal) and value.is_finite() and value >= 0:
        return value
    if isinstance(value, bool):
        raise ValueError("必须是数字")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("必须是有限的数字")
    raw = str(value).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"“{value}”不是数字") from None
    if not number.is_finite():
        raise ValueError("必须是有限的数字")
    if number < 0:
        raise ValueError("不能为负数")
    if number > MAX_MONEY:  # Money refuses it, naming its bound (rounding so many digits to fen would fail)
        return number
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _date(value: Any) -> Any:
    """A date as exports and people write it (2023-05-01, 2023/5/1, 20230501); empty is none."""
    try:
        return parse_date(_blank_is_none(value))
    except ValueError:
        raise ValueError(f"日期“{value}”无法识别（如 2023-05-01）") from None


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


Amount = Annotated[Money | None, BeforeValidator(_amount)]
"""An optional amount in 元 (core.fields.Money), typed with thousands separators or not."""

DateInput = Annotated[Day | None, BeforeValidator(_date)]
"""An optional date (core.fields.Day); its presence and order are the service's rules."""

def Text(max_length: int = MAX_LINE) -> Any:  # noqa: N802  (a type, used as one)
    """Optional text of at most ``max_length`` characters, stripped (required-ness is the service's rule)."""
    return Annotated[str, Field(max_length=max_length), BeforeValidator(_stripped)] | None


# ---- checks with the form's own label ------------------------------------------------------------

def text(value: Any, field_name: str, *, required: bool = False) -> str | None:
    """Stripped text or None; ``required`` refuses empty text with "<field>：不能为空"."""
    result = (str(value) if value is not None else "").strip() or None
    if required and not result:
        raise DomainError(field_name, "不能为空")
    return result


def required(data: BaseModel, name: str) -> str:
    """A text field of a schema that this form must have ("不予受理理由：不能为空")."""
    return text(getattr(data, name), label(data, name), required=True)


def choice(enum_class: Any, value: Any, field_name: str) -> Any:
    """One of an enum's values, refused with the labels of all of them."""
    try:
        return enum_class(str(value or "").strip())
    except ValueError:
        allowed = "、".join(choice_label for _value, choice_label in enum_class.choices())
        raise DomainError(field_name, f"“{value or ''}”无效，可选：{allowed}") from None


def day(data: BaseModel, name: str, *, today: date, not_before: tuple[tuple[date | None, str], ...] = ()) -> date:
    """A date field of a schema that this form must have: not after today nor before any of ``not_before``
    ((day, what it is), e.g. the day the case was received)."""
    value = getattr(data, name)
    if value is None:
        raise DomainError(label(data, name), "请填写日期")
    if value > today:
        raise DomainError(label(data, name), "不能晚于今天")
    for earlier, what in not_before:
        if earlier and value < earlier:
            raise DomainError(label(data, name), f"不能早于{what}（{earlier.isoformat()}）")
    return value


def district(session: Session, code: Any, field_name: str = "所属区") -> str:
    code = str(code or "").strip()
    if not code:
        raise DomainError(field_name, "请选择所属区")
    if session.get(District, code) is None:
        raise DomainError(field_name, f"区划代码“{code}”不是天津市的区")
    return code


def party_enterprise(session: Session, party: str, *, enterprise_id: int | None, credit_code: Any,
                     is_person: bool) -> tuple[Enterprise | None, str | None]:
    """The enterprise record a party ("请求人", "当事人") names, by its id or by its credit code when it is
    registered, and the party's checked credit code (none for a natural person)."""
    enterprise = None
    if enterprise_id:
        enterprise = session.get(Enterprise, enterprise_id)
        if enterprise is None:
            raise DomainError(party, f"编号为 {enterprise_id} 的企业不存在")
    code = None
    if not is_person and credit_code and str(credit_code).strip():
        try:
            code = validate_credit_code(credit_code)
        except ValueError as exc:
            raise DomainError(f"{party}统一社会信用代码", str(exc)) from None
        enterprise = enterprise or session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    return enterprise, code


def district_choices(session: Session) -> list[District]:
    return list(session.scalars(select(District).order_by(District.code)))


def district_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(District.code, District.name)).all())


def next_case_no(session: Session, column: Any, stem: str) -> str:
    """The next free number after ``stem`` ("津知执〔2023〕" → "津知执〔2023〕0007号")."""
    taken = session.scalars(select(column).where(column.like(f"{stem}%号"))).all()
    numbers = [int(m.group(1)) for n in taken if (m := re.fullmatch(re.escape(stem) + r"(\d+)号", n))]
    return f"{stem}{max(numbers, default=0) + 1:04d}号"


def format_yuan(value: Decimal | float | int | None) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f}"


# ---- access and workflow steps -------------------------------------------------------------------

def require_scope(session: Session, user: Any, resource: str, action: str, obj: Any) -> None:
    """Forbidden (with the action's message) unless the record, as it now is, lies within the user's row scope of
    the action: for a record being created or just changed (a district officer's case must stay in his
    district), where ``policy.authorize`` would answer 404 for a record the user does not see yet."""
    session.flush()
    if not policy.can(session, user, resource, action, obj):
        raise Forbidden(policy.resource(resource).action(action).denied or "您没有访问此功能的权限")


class Plan(NamedTuple):
    """What an action will change, worked out from its form before anything changes."""

    summary: str  # the audit entry's summary, after the case number
    changes: dict[str, Any]  # attribute -> new value (the state is the workflow's)


def perform(session: Session, user: Any, workflow: Workflow, case: Any, action: str, plan: Callable[[], Plan], *,
            ip_address: str | None = None, seen: Any = None) -> None:
    """Run one workflow action on a case: who, the version the user saw (the ``version`` of ``seen``, the form or
    body) and the state first (so they answer 403/404/409 whatever the form holds), then ``plan()`` checks the
    input and says what changes, then the workflow step applies it and records one audit entry. The step checks
    them again as it records: the plan, which gives the entry's summary, must be known before the step begins."""
    expected = version_seen(seen)
    workflow.admit(session, case, action, actor=user, policy=policy, expected_version=expected)
    summary, changes = plan()
    with workflow.step(session, case, action, actor=user, policy=policy, summary=f"{case.case_no}：{summary}",
                       ip_address=ip_address, expected_version=expected):
        for name, value in changes.items():
            setattr(case, name, value)
