"""The upload limit holds while the body streams (issue 11.5): a chunked body (no Content-Length) larger than the
limit is cut off with 413 once the limit is passed, before the multipart parser has spooled more than the limit
to the temporary directory. Measured on a served instance (real chunked transfer), with every spool file the
parser opens recorded."""

from __future__ import annotations

import tempfile

import httpx
import pytest
import starlette.formparsers

from ipbureau.app import MULTIPART_OVERHEAD_BYTES
from ipbureau.config import get_settings
from tests.conftest import bearer

pytestmark = pytest.mark.committing

MB = 1024 * 1024
BOUNDARY = "ipbureau-stream-boundary"


class _RecordingSpool(tempfile.SpooledTemporaryFile):
    """The parser's spool file, remembering the most bytes it ever held."""

    opened: list[_RecordingSpool] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.most = 0
        _RecordingSpool.opened.append(self)

    def write(self, data):
        written = super().write(data)
        self.most = max(self.most, self.tell())
        return written


@pytest.fixture
def recorded_spools(monkeypatch, tmp_path):
    _RecordingSpool.opened = []
    monkeypatch.setattr(starlette.formparsers, "SpooledTemporaryFile", _RecordingSpool)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where a rolled-over spool would land
    return _RecordingSpool.opened


def _chunked_upload(total_bytes: int):
    yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"dataset\"\r\n\r\nreal\r\n"
           f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
           "Content-Type: text/csv\r\n\r\n").encode()
    sent = 0
    while sent < total_bytes:
        yield b"a" * (256 * 1024)
        sent += 256 * 1024
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def test_a_chunked_upload_over_the_limit_stops_at_the_limit(live_server, users, recorded_spools):
    limit = get_settings().max_upload_bytes + MULTIPART_OVERHEAD_BYTES  # 2 MB in the test settings
    with httpx.Client(base_url=live_server, timeout=60) as client:
        headers = bearer(client, "bureau_staff_user")
        response = client.post("/api/imports/patent", content=_chunked_upload(4 * limit),
                               headers=headers | {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
        assert "content-length" not in response.request.headers  # really streamed in chunks
        assert response.status_code == 413
        assert response.json()["detail"] == f"上传内容超过大小上限 {get_settings().max_upload_mb} MB"
    assert recorded_spools, "the multipart parser never opened its spool file"
    assert max(spool.most for spool in recorded_spools) <= limit


def test_a_chunked_upload_within_the_limit_goes_through(live_server, users, recorded_spools, cnipr_sample):
    with httpx.Client(base_url=live_server, timeout=60) as client:
        headers = bearer(client, "bureau_staff_user")

        def body():
            yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"dataset\"\r\n\r\nreal\r\n"
                   f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cnipr.csv\"\r\n"
                   "Content-Type: text/csv\r\n\r\n").encode()
            yield cnipr_sample
            yield f"\r\n--{BOUNDARY}--\r\n".encode()

        response = client.post("/api/imports/patent", content=body(),
                               headers=headers | {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 10
