"""District attribution (issue 13.2): the rules on the cases they exist for, and accuracy on the labelled set of
real Tianjin addresses (bench/data/tianjin_addresses.csv) staying above the target."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipbureau.enterprises.creditcode import check_character
from ipbureau.reference.accuracy import TARGET_RIGHT, TARGET_WRONG, read_labelled, score
from ipbureau.reference.address import district_from_credit_code, resolve_address, zone_table

LABELLED = Path(__file__).resolve().parents[2] / "bench" / "data" / "tianjin_addresses.csv"


@pytest.mark.parametrize(
    ("address", "district", "rule"),
    [
        ("河东区九经路8号", "120102", "address:district:河东区"),  # district alone, no city
        ("河北区南口路186号", "120105", "address:district:河北区"),  # not the province 河北
        ("天津市 西青区杨柳青镇西青道403号", "120111", "address:district:西青区"),
        ("天津市汉沽区营城西街", "120116", "address:district:汉沽区"),
        ("天津市静海县大邱庄镇", "120118", "address:district:静海县"),
        ("天津市蓟县城西", "120119", "address:district:蓟县"),
        ("天津市宁河县芦台镇", "120117", "address:district:宁河县"),
        ("天津市武清县杨村镇", "120114", "address:district:武清县"),
        ("天津市宝坻县城关镇", "120115", "address:district:宝坻县"),
        ("天津市东郊区张贵庄", "120110", "address:district:东郊区"),
        ("天津市塘沽大梁子兴化道1号", "120116", "address:district:塘沽"),
        ("天津市静海经济开发区", "120118", "address:district:静海"),  # the county's name inside the zone's
        ("天津市武清开发区泉华路15号", "120114", "address:district:武清"),
        ("天津武清杨村", "120114", "address:district:武清"),
        ("天津滨海高新区华科三路华鼎智地2号楼613室", "120116", "address:zone:滨海高新区"),
        ("天津市华苑产业区华天道8号", "120116", "address:zone:华苑产业区"),
        ("天津经济技术开发区第二大街83号", "120116", "address:zone:天津经济技术开发区"),
        ("天津经济技术开发区微电子工业区微五路", "120111", "address:zone:微电子工业区"),  # a TEDA park in 西青
        ("天津自贸试验区（东疆保税港区）重庆道以南", "120116", "address:zone:自贸试验区"),
        ("中新生态城和畅路3333号", "120116", "address:zone:中新生态城"),
        ("天津市子牙环保产业园区", "120118", "address:zone:子牙"),
        ("天津市军粮城产业园区", "120110", "address:street:军粮城"),  # a township's name inside a zone's
        ("天津市杨村街道", "120114", "address:street:杨村街道"),
        ("天津市杨柳青镇", "120111", "address:street:杨柳青镇"),
    ],
)
def test_rule_that_attributes(address, district, rule):
    resolved = resolve_address(address)
    assert (resolved.district_code, resolved.district_rule, resolved.province_code) == (district, rule, "12")


@pytest.mark.parametrize(
    "address",
    [
        "天津市工业开发区二号路",  # no generic 开发区 rule
        "天津市开发区东路8号",
        "天津市海滨街道",  # 海滨街道 exists in 宝坻区 and 滨海新区
        "天津市河西务",  # 河西 is not used alone (河西务 is in 武清区)
        "天津市黄纬路抗震里24号",  # a road only
        "300072 天津市",
    ],
)
def test_no_guess(address):
    resolved = resolve_address(address)
    assert resolved.province_code == "12" and resolved.district_code is None and resolved.district_rule is None


@pytest.mark.parametrize(
    ("address", "province"),
    [
        ("北京经济技术开发区科创十三街", "11"),  # another city's development zone
        ("山东省临沂市河东区", "37"),
        ("226634 江苏省南通市海安县老坝港镇", "32"),
        ("大港路5号", None),  # a road called 大港 anywhere: not placed in Tianjin
    ],
)
def test_other_provinces_get_no_tianjin_district(address, province):
    resolved = resolve_address(address)
    assert (resolved.province_code, resolved.district_code) == (province, None)


def test_every_zone_maps_to_a_tianjin_district():
    from ipbureau.reference.address import district_names

    assert set(zone_table().values()) <= set(district_names())
    assert "开发区" not in zone_table()


def test_rule_labels_read_in_chinese():
    from ipbureau.reference.attribution import rule_label

    assert rule_label("address:zone:华苑产业区") == "地址中的园区（华苑产业区）"
    assert rule_label("address:street:杨村街道") == "地址中的街道乡镇（杨村街道）"
    assert [rule_label(r) for r in ("credit_code", "import:column", "manual", None)] == [
        "统一社会信用代码的登记机关", "导入文件的所属区列", "人工指定", "未能确定"]


def _code(division: str) -> str:
    first17 = f"91{division}MA05KNAA9"
    return first17 + check_character(first17)


def test_credit_code_division():
    assert district_from_credit_code(_code("120116")) == "120116"
    assert district_from_credit_code(_code("120107")) == "120116"  # 塘沽区 before the merger
    assert district_from_credit_code(_code("120225")) == "120119"  # 蓟县
    assert district_from_credit_code(_code("120000")) is None  # the city's authority says nothing
    assert district_from_credit_code(_code("110108")) is None
    assert district_from_credit_code("") is None


def test_labelled_set_is_real_and_covers_every_district():
    rows = read_labelled(LABELLED)
    assert len(rows) >= 400
    assert len({r.district_code for r in rows}) == 16
    assert all(r.source for r in rows)
    assert len({r.address for r in rows}) == len(rows)


def test_accuracy_stays_above_target():
    report = score(read_labelled(LABELLED))
    assert report.wrong_share <= TARGET_WRONG, [(r.address, found, rule) for r, found, rule in report.wrong]
    assert report.right_share >= TARGET_RIGHT, [r.address for r in report.unattributed]
