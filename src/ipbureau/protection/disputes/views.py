"""Pages and JSON API (thin router; rules live in service.py / flows.py)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
