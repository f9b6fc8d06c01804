"""Deadlines of dispute cases (working days skip weekends only; public holidays are not known).

* mediation — 30 days from registration: 司法部《人民调解工作若干规定》“人民调解委员会调解纠纷，
  一般在一个月内调结”; the bureau's mediation committee works to the same month.
* adjudication, before acceptance — 5 working days from receipt of the request: 《专利行政执法办法》
  “请求符合本办法第八条规定条件的，管理专利工作的部门应当在收到请求书之日起5个工作日内立案”.
* adjudication, after acceptance — 3 months from acceptance (立案), extendable once by at most one
  month with the head's approval: 《专利行政执法办法》“管理专利工作的部门处理专利侵权纠纷，应当自立案之日起
  3个月内结案。案件特别复杂需要延长期限的，应当由管理专利工作的部门负责人批准。经批准延长的期限，最多不超过1个月”.
  Trademark and other adjudications use the same periods (assumption: no separate rule is applied).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from ipbureau.protection.disputes.enums import OPEN_STATUSES, DeadlineState, DisputeKind

MEDIATION_DAYS = 30
ACCEPTANCE_WORKING_DAYS = 5
ADJUDICATION_MONTHS = 3
EXTENSION_MONTHS = 1
DUE_SOON_DAYS = 7


def add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_working_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def initial_deadline(kind: DisputeKind, received_on: date) -> date:
    if kind == DisputeKind.MEDIATION:
        return received_on + timedelta(days=MEDIATION_DAYS)
    return add_working_days(received_on, ACCEPTANCE_WORKING_DAYS)


def deadline_state(case: Any, today: date) -> DeadlineState:
    """For a case (or its read model): whether its deadline is near or past while it is open."""
    if case.status not in OPEN_STATUSES:
        return DeadlineState.DONE
    if case.deadline is None:
        return DeadlineState.OK
    if case.deadline < today:
        return DeadlineState.OVERDUE
    if (case.deadline - today).days <= DUE_SOON_DAYS:
        return DeadlineState.DUE_SOON
    return DeadlineState.OK


def deadline_note(case: Any, today: date) -> str:
    state = deadline_state(case, today)
    if state == DeadlineState.OVERDUE:
        return f"已超期 {(today - case.deadline).days} 天"
    if state == DeadlineState.DUE_SOON:
        left = (case.deadline - today).days
        return "今日到期" if left == 0 else f"{left} 天后到期"
    return state.label
