"""The access-policy mechanism: who may do what, and which rows they may do it to.

The policy itself (every resource, action, role and row scope of the platform) is declared as data in
``ipbureau.policy``; this module only knows how to evaluate such a declaration, so it imports no domain.

A *resource* ("market.listing") has *actions* ("view", "create", "approve"...). For each action the policy
names the roles that may perform it and, per role, the *row scope* that limits which records: ``ALL``, or a
named scope that the resource defines as a SQL condition on its model built from the user (own district,
own enterprise, assigned examiner, parties to a case...). One condition serves both uses:

- list queries: ``policy.scoped(select(Model), user, "market.listing")`` adds the condition;
- single records: ``policy.get(session, user, "market.listing", id)`` answers the record only if the same
  condition holds for it, and raises NotFound otherwise, whether the record is missing or hidden, so a
  hidden record is indistinguishable from a missing one (always 404);
- actions on a record: ``policy.authorize(session, user, resource, action, obj)`` raises Forbidden when the
  role may not perform the action at all, NotFound when the record is outside the user's *view* scope, and
  Forbidden (with the action's own message) when the user sees it but is outside the action's scope.

Services call these on entry, so a service called from the CLI or a background job is as safe as a route.
Routes declare ``Depends(requires(resource, action))`` (see ``ipbureau.policy``), the menu is built from the
same declarations, and the route × role test derives each expected outcome from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ipbureau.core.errors import Forbidden, NotFound

ALL = "all"
"""The row scope that covers every record of the resource."""


class Actor(Protocol):
    """What the policy reads of a user (auth.models.User has it)."""

    id: int
    role: str
    district_code: str | None
    enterprise_id: int | None


ScopeClause = Callable[[Any], ColumnElement[bool]]
"""A row scope: the user → a SQL condition on the resource's model."""


@dataclass(frozen=True)
class Action:
    """Who may perform one action on a resource: role → row scope name (``ALL`` or one of the resource's)."""

    roles: Mapping[str, str]
    label: str = ""
    denied: str | None = None  # the message when a role may not perform it, or the user is outside its scope


@dataclass
class Resource:
    name: str
    label: str
    actions: dict[str, Action]
    model: Callable[[], type] | None = None  # lazy: the policy table must not import every model eagerly
    scopes: dict[str, ScopeClause] = field(default_factory=dict)
    public: bool = False  # anonymous visitors may use the actions whose roles include ANONYMOUS

    def action(self, name: str) -> Action:
        try:
            return self.actions[name]
        except KeyError:
            raise KeyError(f"policy: resource {self.name} has no action {name!r}") from None


ANONYMOUS = "anonymous"
"""The pseudo-role of a visitor who is not signed in (only public resources list it)."""


def role_name(user: Actor | None) -> str:
    if user is None:
        return ANONYMOUS
    role = user.role
    return getattr(role, "value", role)


def roles(*names: Any, scope: str = ALL) -> dict[str, str]:
    """``roles(Role.ADMIN, Role.BUREAU_STAFF)`` → every listed role with one scope (``ALL`` by default)."""
    return {getattr(name, "value", name): scope for name in names}


class Policy:
    """A set of resources and the evaluation of their rules."""

    def __init__(self, resources: Iterable[Resource] = ()) -> None:
        self.resources: dict[str, Resource] = {}
        for resource in resources:
            self.add(resource)

    def add(self, resource: Resource) -> None:
        if resource.name in self.resources:
            raise ValueError(f"policy: resource {resource.name} declared twice")
        for action_name, action in resource.actions.items():
            for role, scope in action.roles.items():
                if scope != ALL and scope not in resource.scopes:
                    raise ValueError(f"policy: {resource.name}.{action_name} gives {role} the undeclared scope {scope}")
        self.resources[resource.name] = resource

    def resource(self, name: str) -> Resource:
        try:
            return self.resources[name]
        except KeyError:
            raise KeyError(f"policy: no resource {name!r}") from None

    # ---- role level ------------------------------------------------------------------------------

    def roles_for(self, resource: str, action: str) -> frozenset[str]:
        return frozenset(self.resource(resource).action(action).roles)

    def allows(self, user: Actor | None, resource: str, action: str) -> bool:
        """Whether the user's role may perform the action on some record of the resource."""
        return role_name(user) in self.resource(resource).action(action).roles

    def require(self, user: Actor | None, resource: str, action: str) -> None:
        """Raise Forbidden when the user's role may not perform the action at all."""
        if not self.allows(user, resource, action):
            spec = self.resource(resource).action(action)
            raise Forbidden(spec.denied or "您没有访问此功能的权限")

    # ---- row level -------------------------------------------------------------------------------

    def clause(self, user: Actor | None, resource: str, action: str = "view") -> ColumnElement[bool] | None:
        """The SQL condition the rows must meet (None: all rows). Raises Forbidden for a role without the action."""
        self.require(user, resource, action)
        res = self.resource(resource)
        scope = res.action(action).roles[role_name(user)]
        if scope == ALL:
            return None
        return res.scopes[scope](user)

    def scoped(self, query: Select, user: Actor | None, resource: str, action: str = "view") -> Select:
        """``query`` limited to the rows the user may perform the action on."""
        condition = self.clause(user, resource, action)
        return query if condition is None else query.where(condition)

    def _model(self, resource: str) -> type:
        res = self.resource(resource)
        if res.model is None:
            raise ValueError(f"policy: resource {resource} has no model")
        return res.model()

    def _covers(self, session: Session, user: Actor | None, resource: str, action: str, obj: Any) -> bool:
        condition = self.clause(user, resource, action)
        if condition is None:
            return True
        model = self._model(resource)
        key = inspect(model).primary_key[0]
        ident = getattr(obj, key.key)
        if ident is None:  # not yet flushed: nothing can match it in SQL
            session.flush()
            ident = getattr(obj, key.key)
        return session.scalar(select(key).where(key == ident, condition)) is not None

    def can(self, session: Session, user: Actor | None, resource: str, action: str, obj: Any) -> bool:
        """Whether the user may perform the action on this record (role and row scope)."""
        if not self.allows(user, resource, action):
            return False
        return self._covers(session, user, resource, action, obj)

    def visible(self, session: Session, user: Actor | None, resource: str, obj: Any) -> bool:
        return self.can(session, user, resource, "view", obj)

    def get(self, session: Session, user: Actor | None, resource: str, ident: Any, action: str = "view",
            *, options: Iterable[Any] = ()) -> Any:
        """The record with this id if the user may perform ``action`` on it; NotFound otherwise (missing and
        hidden alike). A role without the action at all gets Forbidden."""
        res = self.resource(resource)
        model = self._model(resource)
        key = inspect(model).primary_key[0]
        query = self.scoped(select(model).where(key == ident), user, resource, action)
        found = session.scalars(query.options(*options)).first()
        if found is None:
            raise NotFound(res.label)
        return found

    def authorize(self, session: Session, user: Actor | None, resource: str, action: str, obj: Any = None) -> None:
        """Enforce the rule for an action, on a record when given: Forbidden for a role without it; NotFound
        for a record the user may not even see; Forbidden when the user sees it but is outside the action's
        scope (e.g. an examiner of the centre who is not the assigned one)."""
        self.require(user, resource, action)
        if obj is None:
            return
        res = self.resource(resource)
        if action != "view" and "view" in res.actions and not self.can(session, user, resource, "view", obj):
            raise NotFound(res.label)
        if not self._covers(session, user, resource, action, obj):
            if action == "view":
                raise NotFound(res.label)
            raise Forbidden(res.action(action).denied or f"您不能对该{res.label}执行此操作")

    def available(self, session: Session, user: Actor | None, resource: str, obj: Any,
                  actions: Iterable[str]) -> list[str]:
        """Of these actions, the ones the user may perform on the record (for buttons)."""
        return [name for name in actions if self.can(session, user, resource, name, obj)]
