"""Derive province, city and Tianjin district from an applicant's address.

Addresses in exports come as ``300072天津市南开区卫津路92号`` (postcode first),
``226634 江苏省南通市…``, ``天津经济技术开发区第三大街…`` (a development zone, no
district named) or ``天津市华明高新技术产业区…``. The resolver tries, in order:
district names (current and pre-merger names such as 塘沽区), well-known zones,
then Tianjin's 299 township/street names, using the 2023 statistical division codes.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

TIANJIN_PROVINCE = "12"
TIANJIN_CITY = "1201"
MUNICIPALITIES = {"11", "12", "31", "50"}

# Names used before the 2009-2016 mergers and county-to-district changes, and zones
# whose name does not contain their district's. Each maps to a current district code.
FORMER_NAMES_AND_ZONES: dict[str, str] = {
    "塘沽": "120116", "汉沽": "120116", "大港": "120116",
    "天津经济技术开发区": "120116", "经济技术开发区": "120116", "泰达": "120116", "开发区": "120116",
    "天津港保税区": "120116", "保税区": "120116", "空港经济区": "120116", "滨海高新区": "120116",
    "中新天津生态城": "120116", "生态城": "120116", "临港经济区": "120116", "南港工业区": "120116",
    "东疆": "120116", "于家堡": "120116", "响螺湾": "120116",
    "华明": "120110", "子牙": "120118", "团泊": "120118", "京津科技谷": "120114", "京滨工业园": "120114",
    "蓟县": "120119", "宁河县": "120117", "静海县": "120118", "武清县": "120114", "宝坻县": "120115",
    "西青": "120111", "津南": "120112", "北辰": "120113", "东丽": "120110",
}


@dataclass(frozen=True)
class ResolvedAddress:
    postcode: str | None
    province_code: str | None
    city_code: str | None
    district_code: str | None
    # Which rule resolved the district, shown to staff so a derivation can be checked.
    district_rule: str | None = None


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("ipbureau.reference").joinpath(f"data/{name}").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _short_province(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


@dataclass
class _Tables:
    provinces: list[tuple[str, str, str]]  # (code, full name, short name)
    cities: dict[str, list[tuple[str, str]]]  # province -> [(code, name)]
    districts: dict[str, str]  # name -> code
    streets: list[tuple[str, str]]  # (street name, district code), longest first
    district_pattern: re.Pattern[str]
    zone_pattern: re.Pattern[str]


@lru_cache
def _tables() -> _Tables:
    provinces = [(r["code"], r["name"], _short_province(r["name"])) for r in _read_csv("provinces.csv")]
    cities: dict[str, list[tuple[str, str]]] = {}
    for r in _read_csv("cities.csv"):
        if r["name"] in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        cities.setdefault(r["provinceCode"], []).append((r["code"], r["name"]))
    districts = {r["name"]: r["code"] for r in _read_csv("tianjin_districts.csv")}
    street_rows = _read_csv("tianjin_streets.csv")
    counts: dict[str, int] = {}
    for r in street_rows:
        counts[r["name"]] = counts.get(r["name"], 0) + 1
    streets: list[tuple[str, str]] = []
    for r in street_rows:
        name = r["name"]
        if counts[name] > 1:
            continue  # a name two districts share says nothing about the district
        streets.append((name, r["areaCode"]))
        for suffix in ("街道", "镇", "乡"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                streets.append((name[: -len(suffix)] + ("街" if suffix == "街道" else suffix), r["areaCode"]))
    streets.sort(key=lambda s: -len(s[0]))
    district_names = sorted(districts, key=len, reverse=True)
    district_pattern = re.compile("|".join(re.escape(n) for n in district_names))
    zone_pattern = re.compile("|".join(re.escape(n) for n in sorted(FORMER_NAMES_AND_ZONES, key=len, reverse=True)))
    return _Tables(provinces, cities, districts, streets, district_pattern, zone_pattern)


POSTCODE_RE = re.compile(r"^\s*(\d{6})\s*")


def district_names() -> dict[str, str]:
    """Tianjin district code -> name."""
    return {code: name for name, code in _tables().districts.items()}


def resolve_address(address: str | None) -> ResolvedAddress:
    if not address or not str(address).strip():
        return ResolvedAddress(None, None, None, None)
    text = str(address).strip()
    postcode = None
    match = POSTCODE_RE.match(text)
    if match:
        postcode = match.group(1)
        text = text[match.end():]
    tables = _tables()

    province = None
    for code, full, short in tables.provinces:
        if text.startswith(full) or text.startswith(short):
            province = code
            break
    # Tianjin postcodes are 300000-301999; an address that starts with a zone or
    # street name and a Tianjin postcode is in Tianjin.
    if province is None and postcode and postcode.startswith(("300", "301")):
        province = TIANJIN_PROVINCE
    if province is None and tables.zone_pattern.search(text) and "天津" in text:
        province = TIANJIN_PROVINCE

    if province != TIANJIN_PROVINCE:
        city = None
        if province in MUNICIPALITIES:
            city = province + "01"
        elif province:
            for code, name in tables.cities.get(province, []):
                short = name[:-1] if name.endswith("市") and len(name) > 2 else name
                if name in text or short in text:
                    city = code
                    break
        return ResolvedAddress(postcode, province, city, None)

    hit = tables.district_pattern.search(text)
    if hit:
        return ResolvedAddress(postcode, province, TIANJIN_CITY, tables.districts[hit.group(0)], f"区名:{hit.group(0)}")
    hit = tables.zone_pattern.search(text)
    if hit:
        return ResolvedAddress(postcode, province, TIANJIN_CITY, FORMER_NAMES_AND_ZONES[hit.group(0)], f"园区或旧称:{hit.group(0)}")
    for name, district in tables.streets:
        if name in text:
            return ResolvedAddress(postcode, province, TIANJIN_CITY, district, f"街镇:{name}")
    return ResolvedAddress(postcode, province, TIANJIN_CITY, None)
