"""File downloads: the one place that writes a Content-Disposition header (RFC 6266).

Views build a file's name from validated values only (a ``Year``, a code from the policy-checked record, a
date) and hand it here. The header carries an ASCII fallback (``filename="..."``, for old clients) and the
exact UTF-8 name (``filename*=UTF-8''...``, percent-encoded per RFC 5987/8187), so a Chinese name arrives intact
and no character of the name (quote, semicolon, backslash, line break) can end the parameter and add another.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath
from urllib.parse import quote

from starlette.responses import Response

# Characters an ASCII fallback name keeps; everything else becomes "_".
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")
# Control characters never belong in a saved file's name.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
MAX_NAME_CHARS = 150


def safe_filename(name: str, default: str = "download") -> str:
    """The name's last path part, without control characters or leading dots, at most ``MAX_NAME_CHARS`` long
    (the extension kept); ``default`` when nothing is left."""
    last = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _CONTROL.sub("_", last).strip().lstrip(".")
    if len(cleaned) > MAX_NAME_CHARS:
        suffix = PurePosixPath(cleaned).suffix[:16]
        cleaned = cleaned[: MAX_NAME_CHARS - len(suffix)] + suffix
    return cleaned or default


def ascii_fallback(name: str) -> str:
    """An ASCII-only rendering of the name for ``filename=``: accents folded, other characters as "_"."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _UNSAFE_ASCII.sub("_", folded).strip("._") or "download"


def content_disposition(filename: str, *, ascii_name: str | None = None, inline: bool = False) -> str:
    """``attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded name>``. ``ascii_name`` gives a
    better fallback than the folded name where the name is mostly Chinese."""
    name = safe_filename(filename)
    fallback = ascii_fallback(safe_filename(ascii_name) if ascii_name else name)
    return (f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; "
            f"filename*=UTF-8''{quote(name, safe='')}")


def download(content: bytes, filename: str, media_type: str, *, ascii_name: str | None = None,
             headers: dict[str, str] | None = None) -> Response:
    """A file to save: its bytes, its name (encoded here) and its media type; ``headers`` adds others."""
    return Response(content, media_type=media_type, headers={
        **(headers or {}), "Content-Disposition": content_disposition(filename, ascii_name=ascii_name)})


__all__ = ["ascii_fallback", "content_disposition", "download", "safe_filename"]
