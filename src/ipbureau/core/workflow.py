"""One state-machine helper for every workflow (listing, deal, case, review, assessment...).

A workflow is declared as data: each action names the states it may start from, the state it leads to
(or none for an action that keeps the state, such as recording a mediation session), its zh-CN label, and
the policy action that says who may perform it. The same declaration drives

- the buttons: ``workflow.available(session, user, obj)``;
- the transition: ``with workflow.step(session, obj, "approve", actor=user, policy=policy): ...``
  checks who (the access policy, on the record) and the state, snapshots the audited fields, lets the
  domain set what the action sets, moves the state, and writes one audit entry with the diff;
- the error: one ``TransitionError`` (HTTP 409) naming the state and the action.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.core.access import Policy
from ipbureau.core.errors import TransitionError


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

    def check(self, obj: Any, action: str) -> Transition:
        transition = self.transition(action)
        if self.state_of(obj) not in transition.sources:
            raise TransitionError(
                "状态", f"{self.label_of(self.state_of(obj))}的{self.noun}不能{transition.label}")
        return transition

    # ---- changing --------------------------------------------------------------------------------

    @contextmanager
    def step(self, session: Session, obj: Any, action: str, *, actor: Any, policy: Policy | None,
             summary: str | None = None, ip_address: str | None = None,
             extra: dict[str, Any] | None = None) -> Iterator[Step]:
        """Perform one action: check who and the state, let the block set the action's fields (and, on the yielded
        Step, the audit summary or extra changes), move the state, audit the diff. ``policy=None`` skips the
        who-check (system actions, e.g. a job closing a case)."""
        transition = self.transition(action)
        if policy is not None:
            policy.authorize(session, actor, self.resource, transition.policy_action, obj)
        self.check(obj, action)
        before = audit.snapshot(obj, self.audited)
        running = Step(transition, summary, extra if extra is not None else {})  # the caller may fill it later
        yield running
        if transition.target is not None:
            setattr(obj, self.state_attr, transition.target)
        session.flush()
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
