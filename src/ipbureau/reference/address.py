"""Derive province, city and Tianjin district from an applicant's address (issue 13.2).

Addresses in exports come as ``300072天津市南开区卫津路92号`` (postcode first), ``河东区九经路8号`` (no
city), ``天津经济技术开发区第三大街…`` (a development zone, no district named), ``天津市塘沽区…`` (a
district merged away in 2009) or ``226634 江苏省南通市…``. For a Tianjin address the rules are tried in this
order, and the first that applies is recorded with the district (``district_rule``) so that staff can see why:

1. ``address:district:<name>`` — a current or former district/county name written in full (南开区, 塘沽区,
   静海县, 蓟县, 东郊区 …). The applicant's own statement of the district wins over any zone or street.
2. ``address:district:<short>`` — a district's name without 区/县 right after 天津(市) (天津武清杨村…) or
   in front of a zone word (天津市静海经济开发区, 天津市武清开发区): the county's name inside a zone's name.
3. ``address:zone:<name>`` — the curated table of development zones and parks (data/tianjin_zones.csv, each
   row with its basis and source). There is no generic 开发区 rule: a zone must be named.
4. ``address:street:<name>`` — one of Tianjin's townships/streets (2023 division codes) whose name is used by
   one district only; names two districts share (海滨街道) attribute nothing.

An address that none of these attributes keeps ``district_code=None``: it is never guessed (postcodes are not
used for the district: 300xxx spans the central districts and 滨海新区 alike).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

TIANJIN_PROVINCE = "12"
TIANJIN_CITY = "1201"
MUNICIPALITIES = {"11", "12", "31", "50"}

# Rule names stored on a record with its district (``district_rule``); the address rules add ":<what matched>".
RULE_DISTRICT = "address:district"
RULE_ZONE = "address:zone"
RULE_STREET = "address:street"
RULE_CREDIT_CODE = "credit_code"
RULE_IMPORT_COLUMN = "import:column"
RULE_MANUAL = "manual"

# Names used before the county-to-district changes (2000-2016), the 2009 merger into 滨海新区 and the 1992
# renaming of the four suburban districts, each with its current district code.
FORMER_DISTRICTS: dict[str, str] = {
    "塘沽区": "120116", "汉沽区": "120116", "大港区": "120116",
    "东郊区": "120110", "西郊区": "120111", "南郊区": "120112", "北郊区": "120113",
    "武清县": "120114", "宝坻县": "120115", "宁河县": "120117", "静海县": "120118", "蓟县": "120119",
}

# Former district names that name the place without 区 (塘沽新港, 大港油田): they stayed in use after 2009.
FORMER_SHORT: dict[str, str] = {"塘沽": "120116", "汉沽": "120116", "大港": "120116"}

CENTRAL_DISTRICTS = {"120101", "120102", "120103", "120104", "120105", "120106"}

# Words that make "<district short name>…<word>" a zone named after its district (天津市静海经济开发区).
ZONE_WORDS = ("开发区", "工业区", "工业园", "科技园", "产业园", "产业区", "园区", "商务区", "示范区", "新城")
# How far (in characters) a zone word may follow the district's short name: "武清汽车产业园" is 4.
ZONE_WORD_REACH = 8


@dataclass(frozen=True)
class ResolvedAddress:
    postcode: str | None
    province_code: str | None
    city_code: str | None
    district_code: str | None
    # Which rule resolved the district (see the module docstring), shown to staff so a derivation can be checked.
    district_rule: str | None = None


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files("ipbureau.reference").joinpath(f"data/{name}").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _short_province(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _alternation(names: list[str]) -> re.Pattern[str]:
    """One regular expression matching any of the names, longest first (so 天津港保税区 beats 天津港)."""
    return re.compile("|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True)))


@dataclass
class _Tables:
    provinces: list[tuple[str, str, str]]  # (code, full name, short name)
    cities: dict[str, list[tuple[str, str]]]  # province -> [(code, name)]
    districts: dict[str, str]  # current name -> code
    full_names: dict[str, str]  # current and former full names -> code
    short_names: dict[str, str]  # 武清 -> 120114 (current names without 区, former 县 names without 县)
    zones: dict[str, str]  # zone name -> code
    subzone_pattern: re.Pattern[str]  # parks inside a zone's name that are counted elsewhere (checked first)
    streets: dict[str, str]  # street name (and its short form) -> code, only names one district uses
    street_stems: dict[str, str]  # 军粮城 -> 120110: a township's name without 街道/镇/乡, used before a zone word
    full_pattern: re.Pattern[str]
    short_pattern: re.Pattern[str]
    zone_pattern: re.Pattern[str]
    street_pattern: re.Pattern[str]
    stem_pattern: re.Pattern[str]


def _street_stems(streets: dict[str, str]) -> dict[str, str]:
    """Townships' names without 街道/镇/乡 (军粮城街道 -> 军粮城): a zone named after a township (天津市军粮城产业园区)
    lies in the township's district, as one named after a district does."""
    stems: dict[str, str] = {}
    for name, code in streets.items():
        for suffix in ("街道", "镇", "乡"):
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                stems[name[: -len(suffix)]] = code
    return stems


def _street_names(rows: list[dict[str, str]]) -> dict[str, str]:
    """Township/street names of one district only. The division list also carries statistical units named
    after zones (天津空港经济区 → 东丽区 by location); zones are attributed by the curated zone table instead."""
    by_name: dict[str, set[str]] = {}
    for row in rows:
        if row["name"].endswith(("街道", "镇", "乡")):
            by_name.setdefault(row["name"], set()).add(row["areaCode"])
    names: dict[str, str] = {}
    for name, codes in by_name.items():
        if len(codes) > 1:
            continue  # a name two districts share says nothing about the district
        (code,) = codes
        names[name] = code
        # 杨村街道 is written 杨村街; a bare 杨柳青 is not used (too many roads and shops carry such names).
        if name.endswith("街道") and len(name) >= 4:
            names.setdefault(name[:-1], code)
    return names


@lru_cache
def _tables() -> _Tables:
    provinces = [(r["code"], r["name"], _short_province(r["name"])) for r in _read_csv("provinces.csv")]
    cities: dict[str, list[tuple[str, str]]] = {}
    for r in _read_csv("cities.csv"):
        if r["name"] in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        cities.setdefault(r["provinceCode"], []).append((r["code"], r["name"]))
    districts = {r["name"]: r["code"] for r in _read_csv("tianjin_districts.csv")}
    full_names = districts | FORMER_DISTRICTS
    # The six central districts' names without 区 are everyday words of street names (河北路 is in 和平区,
    # 河西务 in 武清区, 南开大学 has a campus in 津南区): only the outer districts' short names are used.
    short_names = {name[:-1]: code for name, code in districts.items()
                   if code not in CENTRAL_DISTRICTS and name != "滨海新区"}
    short_names |= {"蓟县": "120119"} | FORMER_SHORT
    zone_rows = _read_csv("tianjin_zones.csv")
    zones = {r["name"]: r["district_code"] for r in zone_rows}
    subzones = [r["name"] for r in zone_rows if r["level"] == "subzone"]
    streets = _street_names(_read_csv("tianjin_streets.csv"))
    stems = _street_stems(streets)
    return _Tables(provinces, cities, districts, full_names, short_names, zones, _alternation(subzones), streets,
                   stems, _alternation(list(full_names)), _alternation(list(short_names)),
                   _alternation(list(zones)), _alternation(list(streets)), _alternation(list(stems)))


POSTCODE_RE = re.compile(r"^(\d{6})")
# 大港港东新城… starts with a former district's name; 大港路5号 (a road of that name, anywhere) does not count.
FORMER_SHORT_START_RE = re.compile("^(?:" + "|".join(FORMER_SHORT) + ")(?![路道街])")
TIANJIN_PREFIX_RE = re.compile(r"^(?:中国)?天津(?:市)?(?:天津市|市辖区)?")


def district_names() -> dict[str, str]:
    """Tianjin district code -> name."""
    return {code: name for name, code in _tables().districts.items()}


def zone_table() -> dict[str, str]:
    """The curated zones: name -> district code."""
    return dict(_tables().zones)


def normalise_address(address: str) -> str:
    """Full-width letters, digits and brackets to half-width; spaces and the "中国" prefix removed."""
    text = unicodedata.normalize("NFKC", address)
    text = re.sub(r"\s+", "", text)
    return text.removeprefix("中国")


def _district_in_tianjin(text: str, tables: _Tables) -> tuple[str, str] | None:
    """(district code, rule) for an address already known to be in Tianjin, or None."""
    hit = tables.full_pattern.search(text)
    if hit:
        return tables.full_names[hit.group(0)], f"{RULE_DISTRICT}:{hit.group(0)}"
    body = TIANJIN_PREFIX_RE.sub("", text)
    hit = tables.short_pattern.match(body)
    if hit:
        return tables.short_names[hit.group(0)], f"{RULE_DISTRICT}:{hit.group(0)}"
    for hit in tables.short_pattern.finditer(text):
        if _names_a_zone(text, hit) or hit.group(0) in FORMER_SHORT:
            return tables.short_names[hit.group(0)], f"{RULE_DISTRICT}:{hit.group(0)}"
    # A TEDA park outside 滨海新区 (天津经济技术开发区微电子工业区) is counted where it lies: its own name wins
    # over the enclosing zone's, which comes first in the address.
    hit = tables.subzone_pattern.search(text) or tables.zone_pattern.search(text)
    if hit:
        return tables.zones[hit.group(0)], f"{RULE_ZONE}:{hit.group(0)}"
    hit = tables.street_pattern.search(text)
    if hit:
        return tables.streets[hit.group(0)], f"{RULE_STREET}:{hit.group(0)}"
    for hit in tables.stem_pattern.finditer(text):
        if _names_a_zone(text, hit):
            return tables.street_stems[hit.group(0)], f"{RULE_STREET}:{hit.group(0)}"
    return None


def _names_a_zone(text: str, hit: re.Match[str]) -> bool:
    """Whether a zone word (开发区, 工业园 …) follows the matched place name closely: 天津市静海经济开发区."""
    following = text[hit.end(): hit.end() + ZONE_WORD_REACH]
    return any(word in following for word in ZONE_WORDS)


def _province_of(text: str, postcode: str | None, tables: _Tables) -> str | None:
    # An address that starts with a Tianjin district (河东区九经路8号, 河北区… — not the province 河北) is in
    # Tianjin; a province name decides otherwise.
    if tables.full_pattern.match(text) or FORMER_SHORT_START_RE.match(text):
        return TIANJIN_PROVINCE
    for code, full, short in tables.provinces:
        if text.startswith(full) or text.startswith(short):
            return code
    # No province written: a Tianjin zone (a short zone word only with 天津 in the address: 保税区 and 开发区西区
    # exist elsewhere) or a Tianjin postcode (300000-301999) places it in Tianjin.
    zone = tables.zone_pattern.search(text)
    if zone and ("天津" in text or len(zone.group(0)) >= 5):
        return TIANJIN_PROVINCE
    if postcode and postcode.startswith(("300", "301")):
        return TIANJIN_PROVINCE
    return None


def resolve_address(address: str | None) -> ResolvedAddress:
    if not address or not str(address).strip():
        return ResolvedAddress(None, None, None, None)
    text = normalise_address(str(address))
    postcode = None
    match = POSTCODE_RE.match(text)
    if match:
        postcode = match.group(1)
        text = text[match.end():].removeprefix("中国")
    tables = _tables()
    province = _province_of(text, postcode, tables)
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
    found = _district_in_tianjin(text, tables)
    if found is None:
        return ResolvedAddress(postcode, province, TIANJIN_CITY, None)
    return ResolvedAddress(postcode, province, TIANJIN_CITY, found[0], found[1])


def district_from_credit_code(code: str | None) -> str | None:
    """The Tianjin district of a unified social credit code's registration authority (characters 3-8, GB/T 2260),
    mapping the codes of merged and renamed districts (120107 塘沽区 …) to today's; None for the city-level
    authority (120000), other provinces and malformed codes."""
    if not code or len(code) < 8:
        return None
    division = code[2:8]
    return DIVISION_CODES.get(division)


# GB/T 2260 codes a registration authority may carry, current and pre-2016, mapped to today's district codes.
DIVISION_CODES: dict[str, str] = {
    **{f"1201{n:02d}": f"1201{n:02d}" for n in range(1, 20)},
    "120107": "120116", "120108": "120116", "120109": "120116",  # 塘沽区, 汉沽区, 大港区 (merged in 2009)
    "120221": "120117", "120222": "120114", "120223": "120118", "120224": "120115", "120225": "120119",  # 县
}
