"""Reference data: IPC normalisation and scheme, district resolution from addresses."""

from __future__ import annotations

import pytest

from ipbureau.reference.address import resolve_address
from ipbureau.reference.ipc import IpcFormatError, clean_title, ipc_prefixes, normalise_ipc
from tests.conftest import bearer


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("E01B3/32(2006.01)I", "E01B3/32"),
        ("E01B 3/32", "E01B3/32"),
        ("A01B0001020000", "A01B1/02"),
        ("h04n5/225", "H04N5/225"),
        ("G06F", "G06F"),
        ("B64U101/30", "B64U101/30"),
        ("G06F16/00 (2019.01)", "G06F16/00"),
    ],
)
def test_normalise_ipc(raw, expected):
    assert normalise_ipc(raw) == expected


@pytest.mark.parametrize("raw", ["Z99", "E01B/32", "123", "", "E01B3/3"])
def test_malformed_ipc_is_rejected(raw):
    with pytest.raises(IpcFormatError):
        normalise_ipc(raw)


def test_prefixes_and_title_cleaning():
    assert ipc_prefixes("H04N5/225") == ["H", "H04", "H04N", "H04N5/00", "H04N5/225"]
    assert clean_title("用于 播种、种植[20250101]") == "用于播种、种植"


@pytest.mark.parametrize(
    ("address", "district", "province"),
    [
        ("300072天津市南开区卫津路92号", "120104", "12"),
        ("天津经济技术开发区第三大街", "120116", "12"),  # zone: TEDA is in 滨海新区
        ("天津市塘沽区新港路", "120116", "12"),  # pre-2009 district name
        ("天津市杨村街道", "120114", "12"),  # only a street is named
        ("300000 天津市蓟县", "120119", "12"),  # county before it became 蓟州区
        ("226634 江苏省南通市海安县老坝港镇", None, "32"),
        ("北京市海淀区中关村", None, "11"),
        ("天津市", None, "12"),  # Tianjin, district unknown: not guessed
    ],
)
def test_resolve_address(address, district, province):
    resolved = resolve_address(address)
    assert (resolved.district_code, resolved.province_code) == (district, province)


def test_ipc_api_shows_titles_in_both_languages(client, users):
    headers = bearer(client, "public_user")
    body = client.get("/api/ipc/A01B1/02", headers=headers).json()
    assert [p["code"] for p in body["path"]] == ["A", "A01", "A01B", "A01B1/00", "A01B1/02"]
    assert body["path"][-1]["title_zh"] == "锹；铲" and body["path"][-1]["title_en"] == "Spades; Shovels"
    old = client.get("/api/ipc/H01L21/00", headers=headers).json()
    assert old["path"][-1]["current"] is False
    assert client.get("/api/ipc/Z99", headers=headers).status_code == 422
    assert client.get("/api/districts", headers=headers).json()[15]["name"] == "蓟州区"


def test_ipc_pages_and_their_errors(client, users):
    from tests.conftest import login

    login(client, "public_user")
    top = client.get("/ipc")
    assert top.status_code == 200 and 'href="/ipc/A"' in top.text and 'href="/ipc/H"' in top.text
    page = client.get("/ipc/h04n 5/225")  # typed loosely, shown as the canonical code
    assert page.status_code == 200 and "<code>H04N5/225</code>" in page.text
    bad = client.get("/ipc/Z99")
    assert bad.status_code == 422 and "IPC 分类号：“Z99”格式不正确" in bad.text
    missing = client.get("/ipc/H04N999/00")
    assert missing.status_code == 404 and "IPC 分类表中没有 H04N999/00" in missing.text
    headers = bearer(client, "public_user")
    assert client.get("/api/ipc/H04N999/00", headers=headers).json()["detail"] == "IPC 分类表中没有 H04N999/00"
    too_long = client.get("/api/ipc/" + "A" * 201, headers=headers)
    assert too_long.status_code == 422 and "不能超过 200 个字符" in too_long.json()["detail"]
