"""What the marketplace's page routes share: the submitted form (read once, for a synchronous route to parse into
its schema with core.forms.form_model) and the line a page shows after a redirect (``?message=...``)."""

from __future__ import annotations

from fastapi import Request
from starlette.datastructures import FormData


async def submitted_form(request: Request) -> FormData:
    """Route dependency: the form of the request (Starlette keeps it, so the CSRF check and this read it once)."""
    return await request.form()


def flash(request: Request, messages: dict[str, str]) -> str | None:
    """The message a redirect asked the page to show, by its key."""
    return messages.get(request.query_params.get("message", ""))
