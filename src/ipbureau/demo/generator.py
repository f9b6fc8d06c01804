"""Demo data: fictional enterprises, patents, trademarks and one user per role.

Everything is written with ``dataset='demo'`` and is generated from ``random.Random(seed)``
alone, so a seed always gives the same records. ``load_demo`` first deletes the previous
demo records, then loads new ones; real records are never touched. Patents go through
the real importer (a CNIPR-style CSV and ``import_patents``) so the demo exercises the
same validation and writing path as an upload. See ``demo/README.md``.
"""

from __future__ import annotations

import csv
import io
import random
import time
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import IO, Any, Self

from ipbureau.demo import vocabulary as vocab
from ipbureau.enterprises.creditcode import make_credit_code
from ipbureau.imports.runner import content_hash
from ipbureau.navigation.chains import IndustryChain, Segment, load_chains, prefix_matches
from ipbureau.patents.numbers import make_application_no

DEMO_PASSWORD = "ipbureau-demo"
# The demo's "today": fixed so that a seed gives the same legal statuses whenever it runs
# (capped at the real today so that no date lies in the future for the importer).
DEMO_AS_OF = date(2026, 6, 30)
FIRST_YEAR, LAST_YEAR = 2015, 2025
# Filing volume grows over the decade (relative weights per year, 2015 first).
YEAR_WEIGHTS = (0.55, 0.62, 0.70, 0.78, 0.85, 0.93, 1.0, 1.06, 1.10, 1.14, 1.18)
TYPE_WEIGHTS = (("invention", 0.40), ("utility_model", 0.55), ("design", 0.05))
TYPE_DIGITS = {"invention": 1, "utility_model": 2, "design": 3}
TYPE_LABELS = {"invention": "发明", "utility_model": "实用新型", "design": "外观设计"}
# Demo application numbers use serials from 9,000,000: no year's real filings reach them.
DEMO_SERIAL_BASE = 9_000_000

PATENT_CSV_HEADERS = (
    "申请号", "公开号", "授权公告号", "专利类型", "专利名称", "申请摘要", "主权项", "主分类号", "分类号", "申请人",
    "发明人", "申请人地址", "申请日", "公开日", "授权公告日", "法律状态", "失效日期", "引证数", "专利代理机构",
    "专利代理人",
)


def effective_as_of() -> date:
    return min(date.today(), DEMO_AS_OF)


class WeightedChoice:
    """Fast repeated weighted choice (bisect over cumulative weights)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


# ---- organisations ------------------------------------------------------------------


@dataclass
class Organisation:
    """A fictional applicant; Tianjin ones become Enterprise rows."""

    name: str
    kind: str  # enterprise | university | institute
    district_code: str | None  # None: outside Tianjin
    address: str
    chain: str
    tags: list[str] = field(default_factory=list)
    credit_code: str | None = None
    established_on: date | None = None
    employees: int | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    # Relative share of patent filings (skewed: a few large filers, many small ones).
    activity: float = 1.0


def _person(rng: random.Random, surnames: WeightedChoice) -> str:
    given = rng.choice(vocab.GIVEN_CHARS)
    if rng.random() < 0.7:
        given += rng.choice(vocab.GIVEN_CHARS)
    return surnames(rng) + given


def _streets_by_district() -> dict[str, list[str]]:
    from importlib import resources

    out: dict[str, list[str]] = {}
    with resources.files("ipbureau.reference").joinpath("data/tianjin_streets.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["areaCode"], []).append(row["name"])
    return out


def _tianjin_address(rng: random.Random, district_code: str, district_name: str, streets: list[str]) -> str:
    road = rng.choice(vocab.STREET_WORDS) + rng.choice(vocab.STREET_KINDS)
    number = rng.randint(1, 399)
    street = rng.choice(streets) if streets and rng.random() < 0.6 else ""
    postcode = f"30{rng.randint(0, 1)}{rng.randint(100, 999)}" if rng.random() < 0.5 else ""
    building = f"{rng.randint(1, 30)}号楼{rng.randint(1, 25)}{rng.randint(1, 20):02d}室" if rng.random() < 0.5 else ""
    return f"{postcode}天津市{district_name}{street}{road}{number}号{building}"


def make_organisations(rng: random.Random, enterprises: int = 3000, academics: int = 40,
                       out_of_town: int = 150) -> list[Organisation]:
    """Fictional Tianjin enterprises, universities/institutes, and out-of-town applicants."""
    from ipbureau.reference.address import district_names

    names_by_code = district_names()
    streets = _streets_by_district()
    chains = load_chains()
    chain_choice = WeightedChoice([c.code for c in chains], [1.3, 1.3, 0.7, 0.6, 1.1, 0.5, 1.0, 1.1, 0.5, 1.0, 0.8, 1.0])
    district_choice = WeightedChoice(list(vocab.DISTRICT_WEIGHTS), list(vocab.DISTRICT_WEIGHTS.values()))
    suffix_choice = WeightedChoice([s for s, _ in vocab.COMPANY_SUFFIXES], [w for _, w in vocab.COMPANY_SUFFIXES])
    surnames = WeightedChoice([s for s, _ in vocab.SURNAMES], [w for _, w in vocab.SURNAMES])
    used_names: set[str] = set()
    used_codes: set[str] = set()
    orgs: list[Organisation] = []

    def unique(make: Callable[[], str]) -> str:
        while True:
            name = make()
            if name not in used_names:
                used_names.add(name)
                return name

    def credit(district: str, authority: str = "9", kind: str = "1") -> str:
        while True:
            code = make_credit_code(rng, district, authority=authority, kind=kind)
            if code not in used_codes:
                used_codes.add(code)
                return code

    def brand() -> str:
        return rng.choice(vocab.BRAND_CHARS) + rng.choice(vocab.BRAND_SECOND)

    for _ in range(enterprises):
        chain = chain_choice(rng)
        district = district_choice(rng)
        name = unique(lambda c=chain: f"天津{brand()}{rng.choice(vocab.ENTERPRISE_FIELDS[c])}{suffix_choice(rng)}")
        tags = [tag for tag, p in vocab.TAG_FREQUENCIES if rng.random() < p]
        if "小巨人" in tags and "专精特新" not in tags:
            tags.insert(0, "专精特新")  # a 小巨人 is by definition a 专精特新 enterprise
        founded = date(rng.randint(1995, 2022), rng.randint(1, 12), rng.randint(1, 28))
        employees = int(min(20000, max(5, rng.lognormvariate(3.8, 1.1))))
        # Heavy-tailed but capped, so that no single firm outweighs a whole district.
        activity = min(rng.paretovariate(1.3), 40.0) * (2.5 if "高新技术企业" in tags else 1.0) * (1.0 + employees / 4000)
        orgs.append(Organisation(
            name=name, kind="enterprise", district_code=district,
            address=_tianjin_address(rng, district, names_by_code[district], streets.get(district, [])),
            chain=chain, tags=tags, credit_code=credit(district), established_on=founded, employees=employees,
            contact_person=_person(rng, surnames), contact_phone=f"022-{rng.randint(2000, 8999)}{rng.randint(0, 9999):04d}",
            activity=activity,
        ))

    for i in range(academics):
        district = rng.choice(vocab.ACADEMIC_DISTRICTS)
        if i % 2 == 0:
            name = unique(lambda: f"{rng.choice(vocab.ACADEMIC_PLACES)}{rng.choice(vocab.UNIVERSITY_DISCIPLINES)}"
                                  f"{rng.choice(('大学', '学院'))}")
            kind, authority, kind_code, activity = "university", "1", "2", rng.uniform(10, 40)
        else:
            name = unique(lambda: f"天津{rng.choice(vocab.ACADEMIC_PLACES)}{rng.choice(vocab.INSTITUTE_FIELDS)}研究院")
            kind, authority, kind_code, activity = "institute", "1", "2", rng.uniform(5, 20)
        orgs.append(Organisation(
            name=name, kind=kind, district_code=district,
            address=_tianjin_address(rng, district, names_by_code[district], streets.get(district, [])),
            chain=chain_choice(rng), credit_code=credit(district, authority, kind_code),
            established_on=date(rng.randint(1950, 2010), 9, 1), employees=rng.randint(300, 5000),
            contact_person=_person(rng, surnames), contact_phone=f"022-{rng.randint(2000, 8999)}{rng.randint(0, 9999):04d}",
            activity=activity,
        ))

    for _ in range(out_of_town):
        province, city, postcode = rng.choice(vocab.OUT_OF_TOWN)
        chain = chain_choice(rng)
        city_short = city.removesuffix("市") if city.endswith("市") else province.removesuffix("市")
        name = unique(lambda c=chain, place=city_short: f"{place}{brand()}{rng.choice(vocab.ENTERPRISE_FIELDS[c])}"
                                                          f"{suffix_choice(rng)}")
        road = rng.choice(vocab.STREET_WORDS) + rng.choice(vocab.STREET_KINDS)
        address = f"{postcode}{rng.randint(0, 999):03d}{province}{city}{road}{rng.randint(1, 500)}号"
        orgs.append(Organisation(name=name, kind="enterprise", district_code=None, address=address, chain=chain,
                                 activity=rng.paretovariate(1.5)))
    return orgs


# ---- IPC pools ----------------------------------------------------------------------


def ipc_pools(codes: Iterable[str], chains: Sequence[IndustryChain] | None = None) -> dict[str, list[str]]:
    """For every prefix used by the chains, the scheme's group codes under it.

    Only main groups and subgroups of the ordinary scheme are used: indexing-code
    ranges (main group number 1000 and above) are left out, as are codes the loaded
    scheme does not mark current, so that the importer accepts every code silently.
    """
    chains = chains or load_chains()
    by_subclass: dict[str, list[str]] = {}
    for code in codes:
        if "/" not in code:
            continue
        main = code.split("/")[0][4:]
        if not main.isdigit() or int(main) >= 1000:
            continue
        by_subclass.setdefault(code[:4], []).append(code)
    pools: dict[str, list[str]] = {}
    for chain in chains:
        for prefix in chain.all_ipc_prefixes():
            if prefix in pools:
                continue
            found = sorted(c for c in by_subclass.get(prefix[:4], []) if prefix_matches(prefix, c))
            if not found:
                raise ValueError(f"产业链 {chain.name} 的 IPC 前缀 {prefix} 在已加载的分类表中没有分类号")
            pools[prefix] = found
    return pools


def current_ipc_codes(session: Any | None = None) -> list[str]:
    """Current codes from the loaded ipc_code table, or from the packaged scheme without a session."""
    if session is not None:
        from sqlalchemy import select

        from ipbureau.reference.models import IpcCode

        return list(session.scalars(select(IpcCode.code).where(IpcCode.current.is_(True))))
    from ipbureau.reference.ipc import read_chinese_scheme

    return [code for code, _level, _parent, _title in read_chinese_scheme()]


# ---- patents ------------------------------------------------------------------------


def _add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _fmt(day: date | None) -> str:
    return day.strftime("%Y%m%d") if day else ""


def _random_day(rng: random.Random, year: int, last: date) -> date:
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), last)
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


class PatentFactory:
    """Composes one realistic-looking demo patent row at a time."""

    def __init__(self, rng: random.Random, organisations: Sequence[Organisation], pools: dict[str, list[str]],
                 as_of: date, avoid: set[str] | frozenset[str] = frozenset(), expected_rows: int = 30000) -> None:
        self.rng = rng
        # Serials run from 9,000,000 to 9,999,999 per year and type: the gap between
        # consecutive numbers shrinks for big files (1M rows) so that they still fit.
        busiest = max(expected_rows * max(w for _, w in TYPE_WEIGHTS) * max(YEAR_WEIGHTS) / sum(YEAR_WEIGHTS), 1)
        self.max_gap = int(max(1, min(40, 1.6 * (9_999_999 - DEMO_SERIAL_BASE) / busiest - 1)))
        self.as_of = as_of
        self.avoid = avoid
        self.pools = pools
        self.chains = {c.code: c for c in load_chains()}
        tianjin = [o for o in organisations if o.district_code]
        outside = [o for o in organisations if not o.district_code]
        self.tianjin = WeightedChoice(tianjin, [o.activity for o in tianjin])
        self.outside = WeightedChoice(outside, [o.activity for o in outside]) if outside else self.tianjin
        self.academics = [o for o in tianjin if o.kind != "enterprise"] or tianjin
        self.by_chain: dict[str, WeightedChoice] = {}
        for code in self.chains:
            members = [o for o in tianjin if o.chain == code]
            if members:
                self.by_chain[code] = WeightedChoice(members, [o.activity for o in members])
        years = [y for y in range(FIRST_YEAR, LAST_YEAR + 1) if date(y, 1, 1) <= as_of]
        self.year = WeightedChoice(years, YEAR_WEIGHTS[: len(years)])
        self.type = WeightedChoice([t for t, _ in TYPE_WEIGHTS], [w for _, w in TYPE_WEIGHTS])
        self.surnames = WeightedChoice([s for s, _ in vocab.SURNAMES], [w for _, w in vocab.SURNAMES])
        self.serials: dict[tuple[int, int], int] = {}
        self.publication_counter = {"invention": 105_000_000, "utility_model": 205_000_000, "design": 305_000_000}
        agency_names = []
        for _ in range(40):
            place = "天津" if rng.random() < 0.75 else rng.choice(("北京", "上海", "石家庄"))
            agency_names.append(f"{place}{rng.choice(vocab.BRAND_CHARS)}{rng.choice(vocab.BRAND_SECOND)}"
                                f"{rng.choice(vocab.AGENCY_FORMS)}")
        self.agencies = WeightedChoice(sorted(set(agency_names)), [rng.paretovariate(1.2) for _ in set(agency_names)])

    # -- identity and dates

    def application_no(self, year: int, patent_type: str) -> str:
        key = (year, TYPE_DIGITS[patent_type])
        while True:
            serial = self.serials.get(key, DEMO_SERIAL_BASE) + self.rng.randint(1, self.max_gap)
            if serial > 9_999_999:
                raise ValueError(f"{year} 年演示申请号序号已用尽（每年每类最多约 100 万件）")
            self.serials[key] = serial
            number = make_application_no(year, key[1], serial)
            if number not in self.avoid:
                return number

    def publication_no(self, patent_type: str, kind: str) -> str:
        self.publication_counter[patent_type] += self.rng.randint(1, 60)
        return f"CN{self.publication_counter[patent_type]}{kind}"

    def days(self, low: int, high: int) -> timedelta:
        return timedelta(days=self.rng.randint(low, high))

    # -- texts

    def person(self) -> str:
        return _person(self.rng, self.surnames)

    def texts(self, chain: IndustryChain, segment: Segment, patent_type: str) -> tuple[str, str, str]:
        rng = self.rng
        obj = rng.choice(segment.keywords)
        technique = rng.choice(vocab.TECHNIQUES[chain.code])
        part_a, part_b, part_c = rng.sample(vocab.PARTS, 3)
        effects = "，".join(rng.sample(vocab.EFFECTS, 2))
        problem = rng.choice(vocab.PROBLEMS)
        kind = vocab.CHAIN_KIND[chain.code]
        if patent_type == "invention":
            noun = rng.choice(vocab.INVENTION_NOUNS[kind])
            if noun.startswith(("及", "的", "结构")):
                title = f"一种{technique}{obj}{noun}" if rng.random() < 0.6 else f"{obj}{noun}"
            else:
                title = f"一种{technique}的{obj}{noun}"
            steps_pool = vocab.STEPS[kind]
            chosen = sorted(rng.sample(steps_pool, min(4, len(steps_pool))), key=steps_pool.index)
            steps = "；".join(f"S{i + 1}、{s}" for i, s in enumerate(chosen))
            core = title.removeprefix("一种")
            abstract = (f"本发明公开了{title}，属于{chain.name}领域{segment.name}技术。针对现有{obj}{problem}的问题，"
                        f"本发明首先{chosen[0]}，然后{chosen[1]}，最后{chosen[-1]}。本发明{effects}。")
            claims = f"1.一种{core}，其特征在于，包括以下步骤：{steps}。"
        elif patent_type == "utility_model":
            if kind == "process":
                title = f"一种{obj}{rng.choice(vocab.PROCESS_EQUIPMENT)}"
            else:
                title = f"一种{rng.choice(vocab.UTILITY_ADJECTIVES)}{obj}{rng.choice(vocab.UTILITY_NOUNS)}"
            position = rng.choice(vocab.POSITIONS)
            abstract = (f"本实用新型公开了{title}，包括{part_a}、{part_b}和{part_c}，所述{part_a}的{position}设有"
                        f"{part_b}，所述{part_b}与{part_c}连接。本实用新型{effects}，解决了现有{obj}{problem}的问题。")
            claims = (f"1.{title}，包括{part_a}（1），其特征在于：所述{part_a}（1）的{position}固定连接有{part_b}（2），"
                      f"所述{part_b}（2）的{rng.choice(vocab.POSITIONS)}设有{part_c}（3）。")
        else:
            variant = rng.choice(("", "", f"（{rng.choice('ABCDEFGHKMNPRSTX')}{rng.randint(1, 9)}）", "（智能型）", "（便携式）"))
            title = f"{obj}{variant}"
            abstract = (f"1.本外观设计产品的名称：{title}。2.本外观设计产品的用途：用于{chain.name}领域的{segment.name}。"
                        f"3.本外观设计产品的设计要点：在于形状{'与图案的结合' if rng.random() < 0.3 else ''}。"
                        f"4.最能表明设计要点的图片或照片：立体图。")
            claims = ""
        return title, abstract, claims

    def ipc(self, chain: IndustryChain, segment: Segment, patent_type: str) -> list[str]:
        if patent_type == "design":
            return []  # designs carry a Locarno class, not IPC
        rng = self.rng
        main_prefix = rng.choice(segment.ipc_prefixes)
        codes = [rng.choice(self.pools[main_prefix])]
        extra = rng.choices((0, 1, 2, 3), weights=(30, 35, 22, 13))[0]
        prefixes = chain.all_ipc_prefixes()
        for _ in range(extra):
            code = rng.choice(self.pools[rng.choice(prefixes)])
            if code not in codes:
                codes.append(code)
        return codes

    # -- one row

    def row(self) -> dict[str, str]:
        rng = self.rng
        as_of = self.as_of
        patent_type = self.type(rng)
        roll = rng.random()
        if roll < 0.08:
            applicant = self.outside(rng)
        elif roll < 0.16:
            applicant = rng.choice(self.academics)
        else:
            applicant = self.tianjin(rng)
        chain_code = applicant.chain if rng.random() < 0.9 else rng.choice(list(self.chains))
        chain = self.chains[chain_code]
        segment = rng.choice(chain.segments)
        applicants = [applicant.name]
        if rng.random() < 0.10:
            partner = rng.choice(self.academics) if rng.random() < 0.5 else self.by_chain.get(chain_code, self.tianjin)(rng)
            if partner.name != applicant.name:
                applicants.append(partner.name)

        year = self.year(rng)
        filed = _random_day(rng, year, as_of)
        application_no = self.application_no(year, patent_type)
        title, abstract, claims = self.texts(chain, segment, patent_type)
        codes = self.ipc(chain, segment, patent_type)
        inventors = [self.person() for _ in range(rng.choices((1, 2, 3, 4, 5, 6), weights=(14, 20, 24, 18, 13, 11))[0])]

        publication_no = grant_no = ""
        published = granted = lapsed = None
        citations = 0
        if patent_type == "invention":
            published = filed + self.days(180, 540)
            if published > as_of:
                published = None
                status = "审中-实质审查"
            else:
                publication_no = self.publication_no(patent_type, "A")
                decided = filed + self.days(365, 3 * 365)
                if decided > as_of:
                    status = "审中-实质审查"
                else:
                    outcome = rng.random()
                    if outcome < 0.55:
                        granted = max(decided, published + self.days(30, 120))
                        if granted > as_of:
                            granted = None
                            status = "审中-实质审查"
                        else:
                            grant_no = publication_no[:-1] + "B"
                            status = "有权-审定授权"
                    elif outcome < 0.72:
                        status = "驳回-驳回申请"
                    else:
                        status = "撤回-视为撤回"
            if granted:
                citations = int(min(200, rng.paretovariate(1.4) * (1 + (as_of - filed).days / 1500))) - 1
                years_held = (as_of - granted).days / 365
                if years_held > 2 and rng.random() < min(0.45, 0.05 * years_held):
                    lapsed = granted + self.days(365, int(years_held * 365))
                    status = "无权-未缴年费"
        else:
            low, high = (180, 365) if patent_type == "utility_model" else (120, 300)
            granted = filed + self.days(low, high)
            if granted > as_of:
                granted = None
                status = "审中-初步审查"
            else:
                published = granted
                publication_no = self.publication_no(patent_type, "U" if patent_type == "utility_model" else "S")
                grant_no = publication_no
                status = "有权"
                term_end = _add_years(filed, 10 if patent_type == "utility_model" else 15)
                years_held = (as_of - granted).days / 365
                if term_end <= as_of:
                    lapsed = term_end
                    status = "无权-期限届满"
                elif years_held > 1 and rng.random() < min(0.6, 0.09 * years_held):
                    lapsed = granted + self.days(300, int(years_held * 365))
                    status = "无权-未缴年费"
                if patent_type == "utility_model":
                    citations = max(0, int(rng.paretovariate(2.2)) - 1)
        if lapsed and lapsed > as_of:
            lapsed = as_of - self.days(1, 60)

        agency = self.agencies(rng) if rng.random() < 0.82 else ""
        return {
            "申请号": application_no,
            "公开号": publication_no,
            "授权公告号": grant_no,
            "专利类型": TYPE_LABELS[patent_type],
            "专利名称": title,
            "申请摘要": abstract,
            "主权项": claims,
            "主分类号": codes[0] if codes else "",
            "分类号": ";".join(codes),
            "申请人": ";".join(applicants),
            "发明人": ";".join(inventors),
            "申请人地址": applicant.address,
            "申请日": _fmt(filed),
            "公开日": _fmt(published),
            "授权公告日": _fmt(granted),
            "法律状态": status,
            "失效日期": _fmt(lapsed),
            "引证数": str(max(citations, 0)),
            "专利代理机构": agency,
            "专利代理人": self.person() if agency else "",
        }


def iter_patent_rows(rng: random.Random, n: int, *, organisations: Sequence[Organisation] | None = None,
                     ipc_codes: Iterable[str] | None = None, as_of: date | None = None,
                     avoid: set[str] | frozenset[str] = frozenset()) -> Iterator[dict[str, str]]:
    """``n`` demo patent rows (CNIPR header -> text), generated lazily."""
    if organisations is None:
        organisations = make_organisations(rng)
    pools = ipc_pools(ipc_codes if ipc_codes is not None else current_ipc_codes())
    factory = PatentFactory(rng, organisations, pools, as_of or effective_as_of(), avoid, expected_rows=n)
    for _ in range(n):
        yield factory.row()


def write_patent_csv(rng: random.Random, n: int, path_or_buffer: str | Path | IO[str], **options: Any) -> int:
    """Write ``n`` demo patents as a CNIPR-style UTF-8 CSV, streaming row by row.

    ``path_or_buffer`` is a file path or an open text stream. Options are those of
    ``iter_patent_rows`` (organisations, ipc_codes, as_of, avoid). Returns rows written.
    """
    def write(handle: IO[str]) -> int:
        writer = csv.DictWriter(handle, fieldnames=PATENT_CSV_HEADERS, lineterminator="\n")
        writer.writeheader()
        count = 0
        for row in iter_patent_rows(rng, n, **options):
            writer.writerow(row)
            count += 1
        return count

    if isinstance(path_or_buffer, (str, Path)):
        with open(path_or_buffer, "w", encoding="utf-8", newline="") as handle:
            return write(handle)
    return write(path_or_buffer)


# ---- trademarks ---------------------------------------------------------------------


def trademark_rows(rng: random.Random, n: int, organisations: Sequence[Organisation], enterprise_ids: dict[str, int],
                   as_of: date, avoid: set[str] | frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Trademark rows for a bulk insert (dataset demo).

    Numbers are 9 digits from 900,000,000 (real Chinese trademark numbers have 8 digits
    so far); ``avoid`` holds numbers already used by real records.
    """
    classes = WeightedChoice(list(vocab.NICE_CLASS_WEIGHTS), list(vocab.NICE_CLASS_WEIGHTS.values()))
    tianjin = [o for o in organisations if o.district_code]
    outside = [o for o in organisations if not o.district_code]
    owners = WeightedChoice(tianjin, [o.activity ** 0.5 for o in tianjin])
    years = [y for y in range(FIRST_YEAR, LAST_YEAR + 1) if date(y, 1, 1) <= as_of]
    year_choice = WeightedChoice(years, YEAR_WEIGHTS[: len(years)])
    used: set[str] = set()
    rows: list[dict[str, Any]] = []
    serial = 900_000_000

    def mark_name() -> str:
        while True:
            name = "".join(rng.sample(vocab.MARK_SYLLABLES, rng.choice((2, 2, 2, 3))))
            if rng.random() < 0.12:
                name += rng.choice(vocab.MARK_LATIN)
            if name not in used or rng.random() < 0.2:  # the same word may be filed in several classes
                used.add(name)
                return name

    def add(name: str, owner: Organisation | None, applicant: str, address: str, district: str | None,
            primary: int, filed: date, geographical: bool) -> None:
        nonlocal serial
        serial += rng.randint(1, 50)
        while str(serial) in avoid:
            serial += 1
        registered = filed + timedelta(days=rng.randint(270, 365))
        outcome = rng.random()
        expiry = None
        if registered > as_of:
            registered, status = None, "applied"
        elif outcome < 0.11:
            registered, status = None, "rejected"
        elif outcome < 0.14:
            status = "invalidated"
        else:
            status = "registered"
        if registered is not None:
            expiry = _add_years(registered, 10)
            if status == "registered" and expiry <= as_of and rng.random() < 0.4:
                status = "expired"  # the rest were renewed
            elif status == "registered" and expiry <= as_of:
                expiry = _add_years(expiry, 10)
        others = sorted({classes(rng) for _ in range(rng.choices((0, 1, 2, 3), weights=(70, 15, 10, 5))[0])} - {primary})
        values = {
            "application_no": str(serial), "mark_name": name, "nice_classes": [primary, *others],
            "primary_class": primary, "applicant_name": applicant, "applicant_address": address,
            "province_code": "12" if district else None, "district_code": district,
            "enterprise_id": enterprise_ids.get(applicant) if owner else None, "filing_date": filed,
            "registration_date": registered, "expiry_date": expiry, "status": status,
            "is_geographical_indication": geographical,
        }
        rows.append(dict(values, dataset="demo", source="demo-generator", record_hash=content_hash(values)))

    for name, primary, district in vocab.GEO_INDICATIONS:
        from ipbureau.reference.address import district_names

        district_name = district_names()[district]
        applicant = f"天津市{district_name}{name}产业协会"
        add(name, None, applicant, f"天津市{district_name}{rng.choice(vocab.STREET_WORDS)}路{rng.randint(1, 200)}号",
            district, primary, _random_day(rng, rng.choice(years[:-2]), as_of), True)
    while len(rows) < n:
        owner = rng.choice(outside) if outside and rng.random() < 0.08 else owners(rng)
        add(mark_name(), owner, owner.name, owner.address, owner.district_code, classes(rng),
            _random_day(rng, year_choice(rng), as_of), False)
    return rows


# ---- loading ------------------------------------------------------------------------

DEMO_USERS = (
    # username, role, display name
    ("demo-admin", "admin", "演示-系统管理员"),
    ("demo-bureau", "bureau_staff", "演示-市局工作人员"),
    ("demo-district", "district_staff", "演示-滨海新区区局"),
    ("demo-examiner", "examiner", "演示-保护中心审查员"),
    ("demo-mediator", "mediator", "演示-纠纷调解员"),
    ("demo-enforcement", "enforcement", "演示-执法人员"),
    ("demo-enterprise", "enterprise", "演示-企业用户"),
    ("demo-agency", "agency", "演示-服务机构"),
    ("demo-public", "public", "演示-社会公众"),
)
DEMO_DISTRICT = "120116"


# Modules with demo records of their own, loaded in this order after the enterprises, patents
# and trademarks (and deleted in the reverse order before them). Each has
# ``load_demo(session, rng, *, as_of) -> str`` and ``delete_demo(session) -> dict[str, int]``.
DOMAIN_DEMO_MODULES = (
    "ipbureau.market.demo",
    "ipbureau.protection.preexam.demo",
    "ipbureau.protection.disputes.demo",
    "ipbureau.protection.enforcement.demo",
    "ipbureau.protection.screening.demo",
    "ipbureau.navigation.demo",
    "ipbureau.enterprises.demo",
)


def _domain_demo_modules() -> list[Any]:
    import importlib

    return [importlib.import_module(name) for name in DOMAIN_DEMO_MODULES]


def delete_demo(session: Any) -> dict[str, Any]:
    """Delete every demo record (patents and their children, trademarks, enterprises).

    Demo users are kept (they are updated in place by ``load_demo``) because audit
    entries and usage counts refer to them; their link to a demo enterprise is cleared
    first. Real records that happen to name a demo enterprise lose only that link.
    Returns counts and ``patent_ids`` (to be removed from the search index after commit).
    """
    from sqlalchemy import delete, select, update

    from ipbureau.auth.models import User
    from ipbureau.enterprises.models import Enterprise
    from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc
    from ipbureau.trademarks.models import Trademark

    demo_patents = select(Patent.id).where(Patent.dataset == "demo")
    demo_enterprises = select(Enterprise.id).where(Enterprise.dataset == "demo")
    counts: dict[str, Any] = {"patent_ids": list(session.scalars(demo_patents))}
    for module in reversed(_domain_demo_modules()):
        counts.update(module.delete_demo(session))
    session.execute(delete(PatentIpc).where(PatentIpc.patent_id.in_(demo_patents)))
    session.execute(delete(PatentApplicant).where(PatentApplicant.patent_id.in_(demo_patents)))
    counts["patents"] = session.execute(delete(Patent).where(Patent.dataset == "demo")).rowcount
    counts["trademarks"] = session.execute(delete(Trademark).where(Trademark.dataset == "demo")).rowcount
    session.execute(update(PatentApplicant).where(PatentApplicant.enterprise_id.in_(demo_enterprises)).values(enterprise_id=None))
    session.execute(update(Trademark).where(Trademark.enterprise_id.in_(demo_enterprises)).values(enterprise_id=None))
    session.execute(update(User).where(User.enterprise_id.in_(demo_enterprises)).values(enterprise_id=None))
    counts["enterprises"] = session.execute(delete(Enterprise).where(Enterprise.dataset == "demo")).rowcount
    return counts


def _upsert_demo_users(session: Any, enterprise_id: int) -> int:
    from ipbureau.auth import service as users
    from ipbureau.auth.enums import Role
    from ipbureau.auth.models import UserCreate
    from ipbureau.auth.security import hash_password

    for username, role, display in DEMO_USERS:
        district = DEMO_DISTRICT if role == "district_staff" else None
        enterprise = enterprise_id if role == "enterprise" else None
        user = users.get_by_username(session, username)
        if user is None:
            users.create(session, UserCreate(username=username, display_name=display, password=DEMO_PASSWORD,
                                             role=Role(role), district_code=district, enterprise_id=enterprise))
        else:
            user.display_name, user.role, user.district_code = display, role, district
            user.enterprise_id, user.is_active = enterprise, True
            user.password_hash = hash_password(DEMO_PASSWORD)
    session.flush()
    return len(DEMO_USERS)


class _Console:
    """Progress on a rich console when one is given; silent otherwise."""

    def __init__(self, console: Any | None) -> None:
        self.console = console
        self.progress = None

    def __enter__(self) -> Self:
        if self.console is not None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=self.console)
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def task(self, description: str, total: int | None) -> Callable[[int, int | None], None]:
        if self.progress is None:
            return lambda done, total=None: None
        task_id = self.progress.add_task(description, total=total)

        def update(done: int, new_total: int | None = None) -> None:
            self.progress.update(task_id, completed=done, total=new_total if new_total else total)

        return update


def load_demo(patents: int = 30000, seed: int = 2023, console: Any | None = None, *, session: Any | None = None,
              enterprises: int = 3000, academics: int = 40, trademarks: int | None = None) -> str:
    """Replace the demo dataset with a freshly generated one; return a Chinese summary.

    Trademarks default to two thirds of the patent count (20,000 for the default 30,000).
    """
    from sqlalchemy import insert, select

    from ipbureau.database.core import get_sessionmaker, refresh_planner_statistics, utcnow
    from ipbureau.enterprises.models import Enterprise
    from ipbureau.enums import Dataset
    from ipbureau.patents.flows import import_patents
    from ipbureau.patents.models import Patent
    from ipbureau.trademarks.models import Trademark

    started = time.perf_counter()
    rng = random.Random(seed)
    as_of = effective_as_of()
    trademarks = trademarks if trademarks is not None else patents * 2 // 3
    own_session = session is None
    session = session or get_sessionmaker()()
    try:
        with _Console(console) as progress:
            step = progress.task("删除旧的演示数据", 1)
            removed = delete_demo(session)
            session.commit()
            remove = _search_function("remove_patents")
            if remove is not None and removed["patent_ids"]:
                remove(removed["patent_ids"])  # deleted rows must not stay findable
            step(1)

            step = progress.task("生成企业与高校", 1)
            orgs = make_organisations(rng, enterprises, academics)
            now = utcnow()
            local = [o for o in orgs if o.district_code]
            session.execute(insert(Enterprise), [
                {"credit_code": o.credit_code, "name": o.name, "kind": o.kind, "district_code": o.district_code,
                 "address": o.address, "industry_chain": o.chain, "tags": o.tags, "established_on": o.established_on,
                 "employees": o.employees, "contact_person": o.contact_person, "contact_phone": o.contact_phone,
                 "dataset": "demo", "created_at": now, "updated_at": now}
                for o in local
            ])
            enterprise_ids = dict(session.execute(select(Enterprise.name, Enterprise.id).where(Enterprise.dataset == "demo")).all())
            linked = next(o for o in local if o.kind == "enterprise" and o.tags)
            _upsert_demo_users(session, enterprise_ids[linked.name])
            session.commit()
            step(1)

            # Numbers held by real records are skipped, so a demo row can never update one.
            avoid = set(session.scalars(select(Patent.application_no).where(
                Patent.dataset != "demo", Patent.application_no.like(f"CN_____{str(DEMO_SERIAL_BASE)[0]}%"))))
            step = progress.task("生成专利数据（CSV）", patents)
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=PATENT_CSV_HEADERS, lineterminator="\n")
            writer.writeheader()
            rows = iter_patent_rows(rng, patents, organisations=orgs, ipc_codes=current_ipc_codes(session),
                                    as_of=as_of, avoid=avoid)
            for i, row in enumerate(rows, start=1):
                writer.writerow(row)
                if i % 1000 == 0:
                    step(i)
            step(patents)
            data = buffer.getvalue().encode("utf-8")
            del buffer

            step = progress.task("导入专利（经正式导入流程）", patents)
            result = import_patents(session, data, "demo-patents.csv", dataset=Dataset.DEMO,
                                    progress=lambda done, total: step(done, total),
                                    index=_search_function("index_patents") is not None)

            step = progress.task("生成商标数据", trademarks)
            avoid_tm = set(session.scalars(select(Trademark.application_no).where(
                Trademark.dataset != "demo", Trademark.application_no.like("9________"))))
            rows_tm = trademark_rows(rng, trademarks, orgs, enterprise_ids, as_of, avoid_tm)
            now = utcnow()
            for start in range(0, len(rows_tm), 5000):
                session.execute(insert(Trademark), [dict(r, created_at=now, updated_at=now) for r in rows_tm[start:start + 5000]])
                step(min(start + 5000, len(rows_tm)))
            session.commit()

            domain_summaries = []
            for module in _domain_demo_modules():
                step = progress.task(f"生成业务演示数据（{module.__name__.split('.', 1)[1]}）", 1)
                summary = module.load_demo(session, random.Random(f"{seed}-{module.__name__}"), as_of=as_of)
                session.commit()
                if summary:
                    domain_summaries.append(summary)
                step(1)
            refresh_planner_statistics(session)
            session.commit()
    finally:
        if own_session:
            session.close()
    try:
        from ipbureau.web.templating import forget_demo_flag

        forget_demo_flag()
    except ImportError:  # pragma: no cover - web layer not installed
        pass
    elapsed = time.perf_counter() - started
    universities = sum(1 for o in orgs if o.kind == "university")
    institutes = sum(1 for o in orgs if o.kind == "institute")
    firms = sum(1 for o in orgs if o.kind == "enterprise" and o.district_code)
    return (
        f"演示数据已载入（随机种子 {seed}，用时 {elapsed:.1f} 秒）：企业 {firms} 家、高校 {universities} 所、"
        f"科研院所 {institutes} 家；专利 {result.inserted + result.updated} 件；商标 {len(rows_tm)} 件"
        f"（含地理标志 {len(vocab.GEO_INDICATIONS)} 件）；演示账号 {len(DEMO_USERS)} 个"
        f"（{'、'.join(u for u, _, _ in DEMO_USERS)}，密码 {DEMO_PASSWORD}）。"
        + "".join(f"{summary}；" for summary in domain_summaries)
        + f"此前的演示数据已替换（删除专利 {removed['patents']} 件、商标 {removed['trademarks']} 件、企业 {removed['enterprises']} 家）。"
    )


def _search_function(name: str) -> Callable[..., Any] | None:
    """A function of the search service, if it exists yet (it is developed alongside this module)."""
    try:
        from ipbureau.search import service
    except ImportError:
        return None
    return getattr(service, name, None)
