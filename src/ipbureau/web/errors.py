"""What the view modules share about requests that is not the kernel's business."""

from __future__ import annotations

from fastapi import Request


def client_ip(request: Request) -> str | None:
    """The client's address, for the audit log."""
    return request.client.host if request.client else None
