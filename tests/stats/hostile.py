"""Hostile values for one field at a time, on top of an otherwise valid request (the kernel's fuzz sees only
plain route parameters; these reach the fields of query models and of forms parsed with form_model)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.kernel.test_fuzz import HOSTILE

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def variants(base: dict[str, Any], fields: Any) -> Iterator[dict[str, Any]]:
    """``base`` with each field in turn set to each hostile value."""
    for name in fields:
        for value in HOSTILE:
            yield {**base, name: value}


def problem(response, *, api: bool) -> str | None:
    """None when the answer is acceptable: no server error, and a 422 of the API says why in Chinese."""
    if response.status_code >= 500:
        return f"{response.status_code}"
    if api and response.status_code == 422 and not CHINESE.search(str(response.json().get("detail", ""))):
        return f"422 not in Chinese: {response.text[:120]}"
    return None
