"""One state-machine helper for every workflow (listing, deal, case, review, assessment...).

A workflow is declared as data: each action names the states it may start from, the state it leads to
(or none for an action that keeps the state, such as recording a mediation session), its zh-CN label, and
the policy action that says who may perform it. The same declaration drives

- the buttons: ``workflow.available(session, user, obj)``;
- the transition: ``with workflow.step(session, obj, "approve", actor=user, policy=policy): ...``
  checks who (the access policy, on the record) and the state, snapshots the audited fields, lets the
  domain set what the action sets, moves the state, and writes one audit entry with the diff;
- the error: one ``TransitionError`` (HTTP 409) naming the state and the action;
- the version check: a record mapped with a ``version_id_col`` carries the version the user saw through the page's
  hidden field and the API (``expected_version``); a step on a record changed since is refused with ``StaleRecord``
  (HTTP 409) naming who changed it and when, and so is a concurrent change caught by the ORM as it writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from ipbureau.audit import service as audit
from ipbureau.core.access import Policy
from ipbureau.core.errors import Conflict, TransitionError

# The time people read in the message: the bureau works in Beijing time, whatever the server's zone.
BEIJING = timezone(timedelta(hours=8))


class StaleRecord(Conflict):
    """The record changed after the user loaded it (HTTP 409): nothing is overwritten."""


def record_version(obj: Any) -> int | None:
    """The record's optimistic version (its mapper's ``version_id_col``), or None for an unversioned record."""
    mapper = inspect(type(obj))
    column = mapper.version_id_col
    if column is None:
        return None
    return getattr(obj, mapper.get_property_by_column(column).key)


def _clock(moment: datetime | None) -> str:
    if moment is None:
        return "刚才"
    local = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(BEIJING)
    today = datetime.now(BEIJING).date()
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%Y-%m-%d %H:%M")


def stale_message(session: Session, entity_type: str, obj: Any) -> str:
    """"该记录已被 张三 于 14:05 修改，请刷新后再操作": who and when from the record's latest audit entry."""
    entry = audit.last_change(session, entity_type, getattr(obj, "id", None))
    who, when = "他人", getattr(obj, "updated_at", None)
    if entry is not None:
        who = getattr(entry.actor, "display_name", None) or entry.actor_name
        when = entry.created_at
    return f"该记录已被 {who} 于 {_clock(when)} 修改，请刷新后再操作"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None
    label: str
    permission: str | None = None  # the policy action deciding who (default: the same name)
    style: str = "primary"  # the button's look: primary, secondary or danger

    @property
    def policy_action(self) -> str:
        return self.permission or self.action


@dataclass
class Step:
    """One running action: the transition, plus what the block may still set for the audit entry (a summary known
    only once the input is parsed, extra changes such as list-valued fields)."""

    transition: Transition
    summary: str | None = None
    extra: dict[str, Any] | None = None

    def __getattr__(self, name: str) -> Any:  # action, label, target... of the transition
        return getattr(self.transition, name)


def step(action: str, sources: Iterable[Any], target: Any, label: str, *, permission: str | None = None,
         style: str = "primary") -> Transition:
    """A transition declaration; states may be given as enum members or their values."""
    return Transition(action, frozenset(_value(s) for s in sources), None if target is None else _value(target),
                      label, permission, style)


def _value(state: Any) -> str:
    return state.value if isinstance(state, Enum) else str(state)


class Workflow:
    def __init__(self, resource: str, entity_type: str, noun: str, transitions: Iterable[Transition], *,
                 states: type[Enum] | None = None, state_attr: str = "status", audited: tuple[str, ...] = (),
                 audit_prefix: str | None = None) -> None:
        self.resource = resource  # the policy resource
        self.entity_type = entity_type  # the audit log's entity type
        self.noun = noun  # 挂牌, 交易, 案件...
        self.transitions = {t.action: t for t in transitions}
        self.states = states
        self.state_attr = state_attr
        self.audited = tuple(dict.fromkeys((state_attr, *audited)))
        self.audit_prefix = audit_prefix or entity_type  # audit actions read "<prefix>.<action>"

    # ---- reading ---------------------------------------------------------------------------------

    def transition(self, action: str) -> Transition:
        try:
            return self.transitions[action]
        except KeyError:
            raise TransitionError("操作", f"未知的操作“{action}”") from None

    def label_of(self, state: Any) -> str:
        value = _value(state)
        if self.states is not None:
            try:
                return getattr(self.states(value), "label", value)
            except ValueError:
                pass
        return value

    def state_of(self, obj: Any) -> str:
        return _value(getattr(obj, self.state_attr))

    def allowed_from(self, obj: Any, action: str) -> bool:
        return self.state_of(obj) in self.transition(action).sources

    def actions_from(self, state: Any) -> list[Transition]:
        value = _value(state)
        return [t for t in self.transitions.values() if value in t.sources]

    def available(self, session: Session, user: Any, obj: Any, policy: Policy) -> list[Transition]:
        """The actions whose state allows them now and which the user may perform on this record."""
        return [t for t in self.actions_from(self.state_of(obj))
                if policy.can(session, user, self.resource, t.policy_action, obj)]

    def check_version(self, session: Session, obj: Any, expected_version: int | None) -> None:
        """Refuse (StaleRecord, 409) a change based on an older version than the record's: the user's page is stale.
        ``None`` (an API client that sends no version) is not checked; the ORM's check at write time still is."""
        current = record_version(obj)
        if expected_version is not None and current is not None and current != expected_version:
            raise StaleRecord("", stale_message(session, self.entity_type, obj))

    def check(self, obj: Any, action: str) -> Transition:
        transition = self.transition(action)
        if self.state_of(obj) not in transition.sources:
            raise TransitionError(
                "状态", f"{self.label_of(self.state_of(obj))}的{self.noun}不能{transition.label}")
        return transition

    def admit(self, session: Session, obj: Any, action: str, *, actor: Any, policy: Policy | None,
              expected_version: int | None = None) -> Transition:
        """The checks of a step, in the order the user is told about them: who (403/404), the version the user saw
        (409 "该记录已被…修改"), the state (409). A service that must parse its input before the step (to know its
        summary) calls this first, so that these answers do not depend on the form's content."""
        transition = self.transition(action)
        if policy is not None:
            policy.authorize(session, actor, self.resource, transition.policy_action, obj)
        self.check_version(session, obj, expected_version)
        self.check(obj, action)
        return transition

    # ---- changing --------------------------------------------------------------------------------

    @contextmanager
    def step(self, session: Session, obj: Any, action: str, *, actor: Any, policy: Policy | None,
             summary: str | None = None, ip_address: str | None = None,
             extra: dict[str, Any] | None = None, expected_version: int | None = None) -> Iterator[Step]:
        """Perform one action: check who, the version the user saw (``expected_version``) and the state, let the
        block set the action's fields (and, on the yielded Step, the audit summary or extra changes), move the
        state, audit the diff. ``policy=None`` skips the who-check (system actions, e.g. a job closing a case)."""
        transition = self.admit(session, obj, action, actor=actor, policy=policy, expected_version=expected_version)
        before = audit.snapshot(obj, self.audited)
        running = Step(transition, summary, extra if extra is not None else {})  # the caller may fill it later
        yield running
        if transition.target is not None:
            setattr(obj, self.state_attr, transition.target)
        if record_version(obj) is not None and inspect(obj).persistent:
            # Every step changes the record, even one that only adds to its children (a mediation session, a
            # document): its version moves on, so a page opened before it cannot act as if it had not happened.
            flag_modified(obj, self.state_attr)
        try:
            session.flush()
        except StaleDataError:
            # Another transaction changed the row between our read and this write (the version no longer matches).
            session.rollback()
            raise StaleRecord("", stale_message(session, self.entity_type, obj)) from None
        changes = audit.diff(before, audit.snapshot(obj, self.audited))
        if running.extra:
            changes.update(running.extra)
        audit.record(session, actor=actor, action=f"{self.audit_prefix}.{action}", entity_type=self.entity_type,
                     entity_id=getattr(obj, "id", None), summary=running.summary or f"{transition.label}{self.noun}",
                     changes=changes, ip_address=ip_address)

    def describe(self) -> list[dict[str, Any]]:
        """The declaration as rows (for documentation pages and tests)."""
        return [{"action": t.action, "from": sorted(t.sources), "to": t.target, "label": t.label,
                 "permission": t.policy_action} for t in self.transitions.values()]
