"""Demo records of the screening, generated after the demo enterprises, patents and trademarks
(see ipbureau.demo.generator.DOMAIN_DEMO_MODULES).

The generated demo patents are random, so abnormal patterns are planted as extra demo patents
(dataset 'demo', application serials from 8,800,000, which no real filing reaches): bulk filers,
clusters of lightly edited copies, template claims from one agency, off-field filings. The
screening then runs over the demo dataset like any run, and part of the queue is reviewed.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import delete, select

from ipbureau.auth.models import User
from ipbureau.enterprises.models import Enterprise
from ipbureau.patents.enums import LegalStatus
from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc
from ipbureau.patents.numbers import make_application_no
from ipbureau.protection.screening import flows
from ipbureau.protection.screening.enums import CaseStatus, Handling
from ipbureau.protection.screening.models import ScreeningCase, ScreeningFlag, ScreeningRun
from ipbureau.search.service import index_patents

PLANTED_SERIAL_BASE = 8_800_000
PLANTED_AGENCY = "天津捷申知识产权代理有限公司"
SCREEN_FROM = date(2021, 1, 1)
BEIJING = timezone(timedelta(hours=8))

# Word swaps a copier makes to disguise a copy (同义替换).
SYNONYMS = (("提高", "提升"), ("设有", "设置有"), ("连接", "相连接"), ("固定", "固设"), ("包括", "包含"),
            ("减少", "降低"), ("问题", "缺陷"), ("内侧", "内部"), ("外壁", "外侧壁"), ("方法", "工艺"))
TEMPLATE_NOUNS = ("纳米雾化喷头", "石墨烯导热膜", "磁流变阻尼器", "压电陶瓷片", "碳纤维支撑臂", "光栅编码器",
                  "涡流探伤线圈", "钛合金卡扣", "聚四氟乙烯衬套", "蓝宝石视窗", "霍尔传感元件", "相变储能模块",
                  "氮化镓功率管", "形状记忆弹簧", "超声波换能器", "红外热释电探头", "陶瓷轴承座", "铍铜弹片")
OFF_FIELD_IPC = ("A01K61/00", "A01K63/00", "A23L2/00", "A47G19/00", "A01G9/02", "A63B21/00")
OFF_FIELD_TITLES = ("一种水产养殖增氧装置", "一种观赏鱼缸过滤器", "一种果蔬汁饮料", "一种多功能餐具收纳架",
                    "一种育苗盆", "一种家用健身拉力器")


@dataclass
class Planted:
    """The planted demo applications by the sign each was made to show (for reviews, tests and the summary)."""

    by_sign: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    @property
    def all(self) -> set[int]:
        return set().union(*self.by_sign.values()) if self.by_sign else set()


def _planted_numbers():

    return Patent.application_no.like("CN_____88%")


def delete_demo(session: Any) -> dict[str, int]:
    """Delete this module's demo rows (called before the demo enterprises and patents go)."""

    demo_patents = select(Patent.id).where(Patent.dataset == "demo")
    cases = session.execute(delete(ScreeningCase).where(ScreeningCase.patent_id.in_(demo_patents))).rowcount
    session.execute(delete(ScreeningFlag).where(ScreeningFlag.patent_id.in_(demo_patents)))
    session.execute(delete(ScreeningRun).where(ScreeningRun.dataset == "demo"))
    return {"screening_cases": cases}


def edit_copy(text: str, rng: random.Random, swaps: int = 2) -> str:
    """A disguised copy: a few synonym swaps, changed figures, the abstract's sentences reordered."""
    candidates = [(a, b) for a, b in SYNONYMS if a in text]
    for a, b in rng.sample(candidates, min(swaps, len(candidates))):
        text = text.replace(a, b, 1)
    text = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), text, count=2)
    sentences = [s for s in re.split(r"(?<=。)", text) if s]
    if 3 <= len(sentences) <= 8:
        middle = sentences[1:-1]
        rng.shuffle(middle)
        text = "".join([sentences[0], *middle, sentences[-1]])
    return text


class _Planter:
    def __init__(self, session: Any, rng: random.Random, as_of: date, dataset: str) -> None:

        self.session, self.rng, self.as_of, self.dataset = session, rng, as_of, dataset
        self.used = set(session.scalars(select(Patent.application_no).where(_planted_numbers())))
        self.serial = PLANTED_SERIAL_BASE
        self.planted = Planted()

    def number(self, year: int, patent_type: str) -> str:

        while True:
            self.serial += 1
            number = make_application_no(year, {"invention": 1, "utility_model": 2}[patent_type], self.serial)
            if number not in self.used:
                self.used.add(number)
                return number

    def add(self, sign: str, *, patent_type: str, title: str, abstract: str, claims: str, ipc: list[str],
            applicant: Any, filed: date, agency: str | None) -> int:

        number = self.number(filed.year, patent_type)
        patent = Patent(
            application_no=number, patent_type=patent_type, title=title, abstract=abstract, claims=claims,
            ipc_main=ipc[0] if ipc else None, inventors=["王某"], applicant_address=applicant.address,
            province_code="12", city_code="1201", district_code=applicant.district_code, filing_date=filed,
            legal_status=LegalStatus.PENDING,
            legal_status_raw="审中", agency=agency, agent="李某" if agency else None, dataset=self.dataset,
            source="screening-demo", record_hash=hashlib.sha256(number.encode()).hexdigest())
        patent.applicants = [PatentApplicant(position=0, name=applicant.name, enterprise_id=applicant.id)]
        patent.ipc_codes = [PatentIpc(position=i, code=c, subclass=c[:4]) for i, c in enumerate(ipc)]
        self.session.add(patent)
        self.session.flush()
        self.planted.by_sign[sign].add(patent.id)
        return patent.id

    def day(self, low: date, high: date) -> date:
        high = min(high, self.as_of)
        return low + timedelta(days=self.rng.randint(0, max((high - low).days, 0)))


def plant(session: Any, rng: random.Random, *, as_of: date, dataset: str = "demo", scale: float = 1.0) -> Planted:
    """Add planted abnormal applications to ``dataset``, built from its enterprises and patents."""

    planter = _Planter(session, rng, as_of, dataset)
    enterprises = list(session.scalars(select(Enterprise).where(Enterprise.dataset == dataset,
                                                                Enterprise.district_code.is_not(None))
                                       .order_by(Enterprise.id)))
    patents = list(session.scalars(select(Patent).where(Patent.dataset == dataset, Patent.claims.is_not(None),
                                                        Patent.claims != "", Patent.ipc_main.is_not(None),
                                                        Patent.source.is_distinct_from("screening-demo"))
                                   .order_by(Patent.id)))
    if len(enterprises) < 10 or len(patents) < 30:
        return planter.planted
    history = Counter(session.scalars(select(PatentApplicant.enterprise_id).join(Patent)
                                      .where(Patent.dataset == dataset, PatentApplicant.position == 0,
                                             PatentApplicant.enterprise_id.is_not(None))))
    sections: dict[int, set[str]] = defaultdict(set)
    for enterprise_id, ipc_main in session.execute(
            select(PatentApplicant.enterprise_id, Patent.ipc_main).join(Patent)
            .where(Patent.dataset == dataset, PatentApplicant.position == 0, PatentApplicant.enterprise_id.is_not(None))):
        if ipc_main:
            sections[enterprise_id].add(ipc_main[:1])
    binhai = [e for e in enterprises if e.district_code == "120116"]
    others = [e for e in enterprises if e.district_code != "120116"]
    n = lambda count: max(1, round(count * scale))  # noqa: E731

    # (a) bulk filers: a few small applicants file two dozen applications within three weeks.
    quiet = [e for e in enterprises if history.get(e.id, 0) <= 3]
    burst_applicants = (rng.sample([e for e in quiet if e.district_code == "120116"] or binhai, 1)
                        + rng.sample([e for e in quiet if e.district_code != "120116"] or others, 2))
    for k, applicant in enumerate(burst_applicants):
        start = planter.day(date(2021 + k, 2, 1), date(2021 + k, 10, 1))
        off_field = k == 2  # the third one also files far outside its field
        for _ in range(n(24)):
            a, b, c = rng.sample(patents, 3)  # texts mixed from three records: not copies of any one
            if off_field:
                i = rng.randrange(len(OFF_FIELD_IPC))
                title, ipc = OFF_FIELD_TITLES[i], [OFF_FIELD_IPC[i]]
            else:
                title, ipc = a.title, [b.ipc_main]
            planter.add("burst", patent_type=str(c.patent_type) if c.patent_type != "design" else "utility_model",
                        title=title, abstract=b.abstract or "", claims=c.claims or "", ipc=ipc, applicant=applicant,
                        filed=start + timedelta(days=rng.randint(0, 19)),
                        agency=PLANTED_AGENCY if rng.random() < 0.8 else None)
            if off_field:
                planter.planted.by_sign["field_mismatch"].add(max(planter.planted.by_sign["burst"]))

    # (b) clusters of disguised copies of one application, filed under other names.
    long_texts = [p for p in patents if len((p.abstract or "") + (p.claims or "")) > 150]
    for base in rng.sample(long_texts, min(n(8), len(long_texts))):
        year = rng.choice((2021, 2022, 2023, 2024))
        for _ in range(rng.randint(3, 5)):
            applicant = rng.choice(binhai if rng.random() < 0.3 else enterprises)
            planter.add("near_duplicate", patent_type=str(base.patent_type), title=edit_copy(base.title, rng, 1),
                        abstract=edit_copy(base.abstract or "", rng), claims=edit_copy(base.claims or "", rng),
                        ipc=[base.ipc_main], applicant=applicant, filed=planter.day(date(year, 1, 1), date(year, 12, 31)),
                        agency=PLANTED_AGENCY if rng.random() < 0.7 else base.agency)

    # (c) one claim drafted once and reused with the technical nouns swapped, by the planted agency.
    for year in (2022, 2023, 2024):
        for _ in range(n(7)):
            first, second, third = rng.sample(TEMPLATE_NOUNS, 3)
            applicant = rng.choice(enterprises)
            claims = (f"1.一种{first}装置，包括底座，其特征在于：所述底座的顶部固定安装有支撑柱，所述支撑柱的顶端设置有"
                      f"{second}，所述{second}的一侧设有{third}，所述{third}与控制器电性连接，所述底座的底部安装有万向轮。")
            source = rng.choice(patents)
            planter.add("template_claims", patent_type="utility_model", title=f"一种{first}装置",
                        abstract=f"本实用新型涉及{first}技术领域。{source.abstract or ''}", claims=claims,
                        ipc=[source.ipc_main], applicant=applicant,
                        filed=planter.day(date(year, 1, 1), date(year, 12, 31)), agency=PLANTED_AGENCY)

    # (d) established applicants filing far outside their field.
    established = [e for e in enterprises if history.get(e.id, 0) >= 8 and "A" not in sections.get(e.id, set())]
    for applicant in rng.sample(established, min(n(12), len(established))):
        i = rng.randrange(len(OFF_FIELD_IPC))
        source = rng.choice(patents)
        planter.add("field_mismatch", patent_type="utility_model", title=OFF_FIELD_TITLES[i],
                    abstract=source.abstract or "", claims=source.claims or "", ipc=[OFF_FIELD_IPC[i]],
                    applicant=applicant, filed=planter.day(date(2021, 1, 1), as_of), agency=PLANTED_AGENCY)
    return planter.planted


CONFIRM_REASONS = ("经核查，该申请与他人申请内容实质相同，申请人无法说明研发过程，认定为非正常专利申请",
                   "申请人短期内集中提交大量申请且无相应研发能力，认定为非正常专利申请",
                   "权利要求系套用模板拼凑，技术方案缺乏实际研发基础，认定为非正常专利申请")
CLEAR_REASONS = ("经核实为申请人独立研发，内容相似系行业常规表述，予以排除",
                 "申请人提供了研发记录和实验数据，予以排除")


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=BEIJING)


def load_demo(session: Any, rng: random.Random, *, as_of: date) -> str:
    """Plant patterns, screen the demo applications filed since 2021, review part of the queue."""

    planted = plant(session, rng, as_of=as_of)
    if not planted.all:
        return ""
    # Planted applications are demo patents like the others: findable in /search, so that the
    # statistics' drill-down lists the same records they count.
    session.flush()
    index_patents(session, sorted(planted.all))
    bureau = session.scalar(select(User).where(User.username == "demo-bureau"))
    district = session.scalar(select(User).where(User.username == "demo-district"))
    run = flows.run_screening(session, dataset="demo", filed_from=SCREEN_FROM, filed_to=as_of, actor=bureau)
    cases = list(session.scalars(select(ScreeningCase).where(ScreeningCase.run_id == run.id)
                                 .order_by(ScreeningCase.id)))
    confirmed = cleared = handled = 0
    for case in cases:
        patent = case.patent
        reviewer = district if (district and patent.district_code == "120116" and rng.random() < 0.5) else bureau
        if reviewer is None or rng.random() < 0.3:
            continue  # left on the queue for the demo users
        filed = patent.filing_date or as_of
        decided = min(filed + timedelta(days=rng.randint(60, 300)), as_of)
        if case.patent_id in planted.all:
            flows.decide(session, case, reviewer, "confirm", rng.choice(CONFIRM_REASONS), at=_at(decided))
            confirmed += 1
            if rng.random() < 0.7 and decided < as_of:
                done = min(decided + timedelta(days=rng.randint(15, 120)), as_of)
                outcome = rng.choices((Handling.WITHDRAWN, Handling.REJECTED, Handling.CORRECTED), (5, 3, 2))[0]
                flows.record_handling(session, case, reviewer, outcome.value, "依程序处理完毕", handled_on=done)
                handled += 1
        else:
            flows.decide(session, case, reviewer, "clear", rng.choice(CLEAR_REASONS), at=_at(decided))
            cleared += 1
    pending = sum(1 for c in cases if c.status == CaseStatus.PENDING)
    return (f"非正常专利申请筛查：植入异常申请 {len(planted.all)} 件，筛查 {run.applications:,} 件，"
            f"进入审查队列 {run.queued} 件（认定 {confirmed} 件、其中处理完成 {handled} 件，排除 {cleared} 件，待审查 {pending} 件）")
