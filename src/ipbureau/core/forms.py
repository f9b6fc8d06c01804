"""Page forms parsed into the same Pydantic schemas as the JSON API.

``form_model(ListingCreate, form)``, with the form from the ``posted_form`` dependency, gives the schema or raises ``FormInvalid`` (HTTP 422) whose
message names each field in Chinese, exactly as the API's validation errors do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, get_origin

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from ipbureau.core.errors import InvalidInput
from ipbureau.core.fields import Id, area_of, problems_of

M = TypeVar("M", bound=BaseModel)


class FormInvalid(InvalidInput):
    """A form or body that does not fit its schema; ``problems`` lists each field's message."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("", "；".join(f"{p['field']}：{p['message']}" for p in problems))
        self.problems = problems
        if problems:
            self.field = problems[0]["field"]


async def posted_form(request: Request) -> FormData:
    """Route dependency: the submitted form, read once on the event loop (Starlette keeps it; the CSRF check has
    read it already).

    Page routes that take a form are plain ``def`` functions with ``form: FormData = Depends(posted_form)``, never
    ``async def``: FastAPI runs a plain route in the thread pool, while an ``async def`` route runs its database work
    on the event loop itself. On SQLite that work may wait (up to the busy timeout) for the write lock held by
    another request, and that request cannot commit while the loop is blocked: every request of the process then
    stalls for the whole timeout and ends in a 503. tests/kernel/test_sync_routes.py holds every route to it."""
    return await request.form()


def _is_list(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (list, set, tuple, frozenset):
        return True
    return any(_is_list(arg) for arg in getattr(annotation, "__args__", ()) or ())


def form_data(model: type[BaseModel], form: Any) -> dict[str, Any]:
    """A form (starlette FormData, or a plain mapping) as the dict the schema expects: empty text fields are
    left out (so defaults apply), list fields take every value, the CSRF token is dropped."""
    data: dict[str, Any] = {}
    getlist = getattr(form, "getlist", None)
    for name, info in model.model_fields.items():
        key = info.alias or name
        if getlist is not None and _is_list(info.annotation):
            values = [v for v in getlist(key) if not (isinstance(v, str) and not v.strip())]
            if values:
                data[key] = values
            continue
        value = form.get(key) if isinstance(form, Mapping) or hasattr(form, "get") else None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        data[key] = value.strip() if isinstance(value, str) else value
    return data


def validate(model: type[M], data: Any) -> M:
    """``model.model_validate(data)``, with failures as FormInvalid (Chinese, per field)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise FormInvalid(problems_of(list(exc.errors()), area_of(model.__module__))) from None


def form_model(model: type[M], form: Any) -> M:
    return validate(model, form_data(model, form))


class VersionSeen(BaseModel):
    """The version of the record the user saw (the page's hidden ``version`` field, or ``version`` in an API body).
    Optional, so that API clients that do not send it keep working; when given, the change is refused (409) if the
    record has changed since (``Workflow.check_version``)."""

    version: Id | None = None


def version_seen(data: Any) -> int | None:
    """The ``version`` a form (mapping) or a parsed schema carries, checked as VersionSeen checks it; None when absent."""
    if data is None:
        return None
    if isinstance(data, BaseModel):
        return getattr(data, "version", None)
    return form_model(VersionSeen, data).version
