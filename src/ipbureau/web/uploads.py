"""Size-limited reading of uploaded files.

Plain functions, called from plain ``def`` routes in the thread pool (see core.forms.posted_form): by then the
server has received the body within its limit (web.middleware) and Starlette has spooled each file, so reading
``upload.file`` is local file I/O."""

from __future__ import annotations

from pathlib import Path

from fastapi import UploadFile

from ipbureau.core.errors import TooLarge
from ipbureau.imports.errors import FileRejected

CHUNK = 1024 * 1024


class UploadTooLarge(FileRejected, TooLarge):
    """An upload over the size limit (HTTP 413)."""


def save_limited(upload: UploadFile, max_bytes: int, path: Path) -> Path:
    """Save an upload to ``path`` as it arrives (never whole in memory), refusing it past max_bytes."""
    size = 0
    try:
        with open(path, "wb") as out:
            while chunk := upload.file.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(f"文件超过大小上限 {max_bytes // (1024 * 1024)} MB")
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def read_limited(upload: UploadFile, max_bytes: int) -> bytes:
    """Read an upload, refusing it as soon as it passes max_bytes (not after buffering it all)."""
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = upload.file.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise UploadTooLarge(f"文件超过大小上限 {max_bytes // (1024 * 1024)} MB")
        parts.append(chunk)
    return b"".join(parts)
