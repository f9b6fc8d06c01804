"""What the marketplace's page routes share: the line a page shows after a redirect (``?message=...``)."""

from __future__ import annotations

from fastapi import Request


def flash(request: Request, messages: dict[str, str]) -> str | None:
    """The message a redirect asked the page to show, by its key."""
    return messages.get(request.query_params.get("message", ""))
