"""Size-limited reading of uploaded files."""

from __future__ import annotations

from fastapi import UploadFile

from ipbureau.core.errors import TooLarge
from ipbureau.imports.errors import FileRejected

CHUNK = 1024 * 1024


class UploadTooLarge(FileRejected, TooLarge):
    """An upload over the size limit (HTTP 413)."""


async def read_limited(upload: UploadFile, max_bytes: int) -> bytes:
    """Read an upload, refusing it as soon as it passes max_bytes (not after buffering it all)."""
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = await upload.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise UploadTooLarge(f"文件超过大小上限 {max_bytes // (1024 * 1024)} MB")
        parts.append(chunk)
    return b"".join(parts)
