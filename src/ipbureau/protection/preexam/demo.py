"""Demo records of pre-examination, generated after the demo enterprises, patents and trademarks
(see ipbureau.demo.generator.DOMAIN_DEMO_MODULES).

In the spirit of the 2022 summary (市保护中心受理 3408、合格 2532、授权 1752；滨海 1620、835、712):
about 5,000 cases over 2021–2023 and the current year from ~300 filed demo enterprises, about 74 %
(city) and 52 % (Binhai) qualified, 69 % and 85 % of the qualified granted, key enterprises on the
green channel, spread over six demo examiners. demo-examiner has open cases in its queue and
demo-enterprise's enterprise has filings and cases.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, insert, select

from ipbureau.auth import service as users_service
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User, UserCreate
from ipbureau.database.core import utcnow
from ipbureau.demo.generator import DEMO_PASSWORD
from ipbureau.enterprises.models import Enterprise
from ipbureau.navigation.chains import load_chains, prefix_matches
from ipbureau.patents.models import Patent
from ipbureau.patents.numbers import make_application_no
from ipbureau.protection.preexam import service
from ipbureau.protection.preexam.enums import CaseStatus, Decision, FilingStatus
from ipbureau.protection.preexam.models import Case, Document, Examiner, Filing, KeyEnterprise

# (username, display name, centre code, chains examined). demo-examiner is the generator's own account.
DEMO_EXAMINERS = (
    ("demo-examiner", "演示-保护中心审查员", "tianjin", ("xinchuang",)),
    ("demo-examiner-2", "演示-审查员（集成电路/车联网）", "tianjin", ("jicheng_dianlu", "chelianwang", "qiche")),
    ("demo-examiner-3", "演示-审查员（生物医药/装备）", "tianjin",
     ("shengwu_yiyao", "zhongyiyao", "gaoduan_zhuangbei", "qinggong")),
    ("demo-examiner-4", "演示-滨海审查员（新能源/新材料）", "binhai", ("xinnengyuan", "xincailiao")),
    ("demo-examiner-5", "演示-滨海审查员（石化/航空/装备/医药）", "binhai",
     ("lvse_shihua", "hangkong_hangtian", "gaoduan_zhuangbei", "shengwu_yiyao")),
    ("demo-examiner-6", "演示-审查员（信创）", "tianjin", ("xinchuang",)),
)
# Per centre: share of all cases, qualified share of decisions, granted share of the qualified (2022 summary).
PROFILE = {"tianjin": (3408 / 5028, 2532 / 3408, 1752 / 2532), "binhai": (1620 / 5028, 835 / 1620, 712 / 835)}
TOTAL_CASES = 5000
FILED_ENTERPRISES = 300
# Every year from 2021 up to the demo's as-of year has cases (the dashboard defaults to the last full year).
YEAR_WEIGHTS = {2021: 0.22, 2022: 0.30, 2023: 0.32}
LATER_YEAR_WEIGHT = 0.32
UNQUALIFIED_REASONS = ("不属于保护中心预审服务的技术领域", "权利要求书不清楚，保护范围不明确", "说明书公开不充分",
                       "明显不具备新颖性", "摘要与权利要求不一致", "申请文件格式不符合要求", "附图不清晰")
REJECT_REASONS = ("不具备创造性（专利法第二十二条第三款）", "不具备新颖性", "权利要求得不到说明书支持")
WITHDRAW_REASONS = ("申请人主动撤回", "企业调整申请策略", "改为普通程序申请")
CNIPA_SERIAL_BASE = 8_000_000


def delete_demo(session: Any) -> dict[str, int]:
    """Delete this module's demo rows (called before the demo enterprises and patents go)."""
    demo_enterprises = select(Enterprise.id).where(Enterprise.dataset == "demo")
    demo_cases = select(Case.id).where(Case.enterprise_id.in_(demo_enterprises))
    session.execute(delete(Document).where(Document.case_id.in_(demo_cases)))
    cases = session.execute(delete(Case).where(Case.enterprise_id.in_(demo_enterprises))).rowcount
    session.execute(delete(KeyEnterprise).where(KeyEnterprise.enterprise_id.in_(demo_enterprises)))
    filings = session.execute(delete(Filing).where(Filing.enterprise_id.in_(demo_enterprises))).rowcount
    demo_users = select(User.id).where(User.username.in_([name for name, *_ in DEMO_EXAMINERS]))
    session.execute(delete(Examiner).where(Examiner.user_id.in_(demo_users)))
    return {"preexam_cases": cases, "preexam_filings": filings}


def _examiner_users(session: Any) -> dict[str, Any]:
    found = {}
    for username, display, _centre, _chains in DEMO_EXAMINERS:
        user = users_service.get_by_username(session, username)
        if user is None:
            user = users_service.create(session, UserCreate(username=username, display_name=display, password=DEMO_PASSWORD,
                                                    role=Role.EXAMINER))
        elif username != "demo-examiner":
            user.display_name, user.role, user.is_active = display, Role.EXAMINER.value, True
        found[username] = user
    session.flush()
    return found


def _moment(rng: random.Random, day: date) -> datetime:
    """A working-hours time (Beijing 8:30–17:30) of the day, stored in UTC."""
    minutes = rng.randint(30, 570)
    return datetime.combine(day, time(0, 30), tzinfo=UTC) + timedelta(minutes=minutes)


def _random_day(rng: random.Random, year: int, as_of: date) -> date:
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), as_of)
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


def load_demo(session: Any, rng: random.Random, *, as_of: date) -> str:
    """Create this module's demo rows; return a short Chinese summary ("" when nothing)."""
    centres = {c.code: c for c in service.ensure_centres(session)}
    enterprises = list(session.scalars(select(Enterprise).where(Enterprise.dataset == "demo",
                                                                Enterprise.kind == "enterprise")
                                       .order_by(Enterprise.id)))
    if not enterprises:
        return ""
    now = utcnow()
    chains = load_chains(session)  # once: staff edits live in the database
    chain_of = {c.code: c for c in chains}

    # Examiners and their fields.
    users = _examiner_users(session)
    examiners_by_centre: dict[str, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
    for username, _display, centre_code, examined in DEMO_EXAMINERS:
        prefixes: dict[str, None] = {}
        for code in examined:
            prefixes.update(dict.fromkeys(chain_of[code].all_ipc_prefixes()))
        session.add(Examiner(user_id=users[username].id, centre_id=centres[centre_code].id,
                             ipc_prefixes=list(prefixes), active=True))
        examiners_by_centre[centre_code].append((users[username].id, tuple(prefixes)))
    session.flush()

    # Titles and IPC codes of the demo patents, by industry chain (cases read like the demo's applications).
    pool: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for title, ipc, kind in session.execute(select(Patent.title, Patent.ipc_main, Patent.patent_type).where(
            Patent.dataset == "demo", Patent.ipc_main.like("%/%")).order_by(Patent.id)):
        chain = service.main_chain(ipc, chains)
        if chain:
            pool[chain].append((title[:200], ipc, kind))
    if not pool:
        return ""

    # Filings: ~300 enterprises working in a centre's field; demo-enterprise's always among them.
    linked_id = session.scalar(select(User.enterprise_id).where(User.username == "demo-enterprise"))
    candidates = [e for e in enterprises if e.industry_chain in pool]
    chosen = rng.sample(candidates, min(FILED_ENTERPRISES, len(candidates)))
    linked = session.get(Enterprise, linked_id) if linked_id else None
    if linked is not None and linked not in chosen:
        chosen.append(linked)
    filing_rows, filed = [], []  # filed: (enterprise, centre code, filing index)
    for enterprise in chosen:
        chain = enterprise.industry_chain
        homes = [code for code, centre in centres.items() if chain in centre.chains]
        if enterprise.district_code == "120116" and "binhai" in homes:
            home = "binhai"
        else:
            home = homes[0] if homes else "tianjin"
        plan = [(home, [])]
        if enterprise is linked:
            # The demo enterprise also files with the city centre for its software (信创) applications.
            plan = [(home, []), ("tianjin", ["G06F", "H04L"])] if home != "tianjin" else [("tianjin", ["G06F", "H04L"])]
        for centre_code, fields in plan:
            roll = rng.random()
            status = (FilingStatus.APPROVED if roll < 0.92 or enterprise is linked
                      else FilingStatus.PENDING if roll < 0.96 else FilingStatus.REJECTED)
            applied = _moment(rng, date(2020, 10, 1) + timedelta(days=rng.randint(0, 420)))
            if status == FilingStatus.PENDING:
                applied = _moment(rng, as_of - timedelta(days=rng.randint(1, 20)))
            decided = None if status == FilingStatus.PENDING else applied + timedelta(days=rng.randint(1, 10))
            filing_rows.append({
                "centre_id": centres[centre_code].id, "enterprise_id": enterprise.id, "status": status.value,
                "ipc_fields": fields, "contact_person": enterprise.contact_person,
                "contact_phone": enterprise.contact_phone, "note": None, "applied_at": applied,
                "decided_at": decided, "decided_by": None,
                "reason": "申报领域与企业主营业务不符" if status == FilingStatus.REJECTED else None,
                "created_by": None, "created_at": now, "updated_at": now})
            if status == FilingStatus.APPROVED:
                filed.append((enterprise, centre_code, decided))
    session.execute(insert(Filing), filing_rows)
    filing_ids = {(f.enterprise_id, f.centre_id): f.id for f in session.scalars(
        select(Filing).where(Filing.enterprise_id.in_([e.id for e in chosen])))}

    # Key enterprises (重点企业): about one in twelve filed enterprises, and demo-enterprise's.
    key_ids = {e.id for e, _c, _d in filed if rng.random() < 0.08}
    if linked is not None:
        key_ids.add(linked.id)
    session.execute(insert(KeyEnterprise), [
        {"enterprise_id": eid, "reason": rng.choice(["天开高教科技园重点企业", "市级专精特新企业", "国家知识产权示范企业",
                                                     "重点产业链链主企业"]),
         "added_by": None, "created_at": now, "updated_at": now} for eid in sorted(key_ids)])

    # Cases.
    by_centre = defaultdict(list)
    for enterprise, centre_code, decided in filed:
        # Busier applicants file more: a few enterprises account for many cases.
        by_centre[centre_code].append((enterprise, decided, rng.paretovariate(1.4)))
    years = dict(YEAR_WEIGHTS)
    for later in range(max(YEAR_WEIGHTS) + 1, as_of.year):
        years[later] = LATER_YEAR_WEIGHT
    if as_of.year not in years:
        years[as_of.year] = 0.16 * (as_of.timetuple().tm_yday / 365)
    year_list, year_weights = list(years), list(years.values())
    taken = set(session.scalars(select(Patent.application_no).where(Patent.application_no.like("CN_____8%"))))
    serials: dict[tuple[int, int], int] = defaultdict(lambda: CNIPA_SERIAL_BASE)
    load: dict[int, int] = defaultdict(int)
    specs: list[dict[str, Any]] = []

    matching_memo: dict[tuple[str, str], list[int]] = {}
    chain_memo: dict[str, str | None] = {}

    def examiner_for(centre_code: str, ipc: str, *, open_case: bool) -> int | None:
        key = (centre_code, ipc)
        if key not in matching_memo:
            matching_memo[key] = [uid for uid, prefixes in examiners_by_centre[centre_code]
                                  if any(prefix_matches(p, ipc) for p in prefixes)]
        matching = matching_memo[key]
        if not matching:
            return None
        if open_case:  # what auto-assignment does: the fewest open cases
            chosen_id = min(matching, key=lambda uid: (load[uid], uid))
            load[chosen_id] += 1
            return chosen_id
        return rng.choice(matching)

    def application_no(year: int, kind: str) -> str:
        digit = {"invention": 1, "utility_model": 2, "design": 3}[kind]
        while True:
            serials[(year, digit)] += rng.randint(1, 40)
            number = make_application_no(year, digit, serials[(year, digit)])
            if number not in taken:
                taken.add(number)
                return number

    def add_case(enterprise: Any, centre_code: str, received_day: date, *, force_open: bool = False,
                 chain: str | None = None) -> None:
        centre = centres[centre_code]
        chain = chain or (enterprise.industry_chain if enterprise.industry_chain in centre.chains
                          and enterprise.industry_chain in pool else rng.choice([c for c in centre.chains if c in pool]))
        title, ipc, kind = rng.choice(pool[chain])
        if kind == "design":  # design applications are few in pre-examination; keep the demo's mix realistic
            kind = "utility_model"
        received = _moment(rng, received_day)
        green = enterprise.id in key_ids
        qualified_share, granted_share = PROFILE[centre_code][1], PROFILE[centre_code][2]
        decision_days = rng.randint(1, 3) if green else rng.choice([2, 3, 3, 4, 4, 5, 5, 6, 7, 9])
        decided = received + timedelta(days=decision_days, minutes=rng.randint(-120, 240))
        row: dict[str, Any] = {
            "centre_id": centre.id, "enterprise_id": enterprise.id,
            "filing_id": filing_ids[(enterprise.id, centre.id)], "title": title, "patent_type": kind,
            "ipc_main": ipc, "chain_code": chain_memo.setdefault(ipc, service.main_chain(ipc, chains)) if ipc not in chain_memo
            else chain_memo[ipc],
            "abstract": f"{title}。本申请涉及{chain_of[chain].name}领域。",
            "applicant": enterprise.name, "green_channel": green, "received_at": received,
            "due_on": received.date() + timedelta(days=centre.green_deadline_days if green else centre.deadline_days),
            "decision": None, "decision_reason": None, "decided_at": None, "decided_by": None,
            "cnipa_application_no": None, "cnipa_submitted_on": None, "granted_on": None, "patent_id": None,
            "closed_on": None, "closed_reason": None, "created_by": None, "created_at": now, "updated_at": now,
        }
        open_case = force_open or decided.date() > as_of
        row["examiner_id"] = examiner_for(centre_code, ipc, open_case=open_case)
        if open_case:
            row["status"] = CaseStatus.RECEIVED.value
            specs.append(row)
            return
        if rng.random() < 0.012:
            row.update(status=CaseStatus.WITHDRAWN.value, closed_on=decided.date(),
                       closed_reason=rng.choice(WITHDRAW_REASONS))
            specs.append(row)
            return
        row.update(decided_at=decided, decided_by=row["examiner_id"])
        if rng.random() >= qualified_share:
            row.update(status=CaseStatus.UNQUALIFIED.value, decision=Decision.UNQUALIFIED.value,
                       decision_reason=rng.choice(UNQUALIFIED_REASONS), closed_on=decided.date())
            specs.append(row)
            return
        row.update(status=CaseStatus.QUALIFIED.value, decision=Decision.QUALIFIED.value)
        submitted = decided.date() + timedelta(days=rng.randint(1, 6))
        if submitted > as_of:
            specs.append(row)
            return
        row.update(status=CaseStatus.SUBMITTED.value, cnipa_submitted_on=submitted,
                   cnipa_application_no=application_no(submitted.year, kind))
        spans = {"invention": (45, 200), "utility_model": (20, 75), "design": (8, 30)}[kind]
        if rng.random() < granted_share:
            granted = submitted + timedelta(days=rng.randint(*spans))
            if granted <= as_of:
                row.update(status=CaseStatus.GRANTED.value, granted_on=granted)
        elif rng.random() < 0.6:
            closed = submitted + timedelta(days=rng.randint(spans[1], spans[1] + 150))
            if closed <= as_of:
                row.update(status=CaseStatus.REJECTED.value, closed_on=closed, closed_reason=rng.choice(REJECT_REASONS))
        specs.append(row)

    for centre_code, members in by_centre.items():
        share = PROFILE[centre_code][0]
        weights = [w for _e, _d, w in members]
        for _ in range(round(TOTAL_CASES * share)):
            enterprise, filed_at, _w = rng.choices(members, weights=weights)[0]
            year = rng.choices(year_list, weights=year_weights)[0]
            day = _random_day(rng, year, as_of)
            if filed_at is not None and day < filed_at.date():
                day = filed_at.date() + timedelta(days=rng.randint(1, 30))
            if day <= as_of:
                add_case(enterprise, centre_code, day)

    # demo-enterprise's enterprise: a history with the city centre, and cases waiting with demo-examiner.
    if linked is not None:
        first = next(d for e, c, d in filed if e is linked and c == "tianjin")
        for year in year_list:
            for _ in range(3):
                add_case(linked, "tianjin", max(_random_day(rng, year, as_of), first.date() + timedelta(days=1)),
                         chain="xinchuang")
        for back in (1, 2):
            add_case(linked, "tianjin", as_of - timedelta(days=back), force_open=True, chain="xinchuang")
    # demo-examiner always has a queue to work on.
    demo_examiner = users["demo-examiner"].id
    waiting = sum(1 for r in specs if r["status"] == CaseStatus.RECEIVED.value and r["examiner_id"] == demo_examiner)
    city_filed = [(e, d) for e, c, d in filed if c == "tianjin"]
    while waiting < 8 and city_filed:
        enterprise, _d = rng.choice(city_filed)
        add_case(enterprise, "tianjin", as_of - timedelta(days=rng.randint(0, 4)), force_open=True, chain="xinchuang")
        if specs[-1]["examiner_id"] != demo_examiner:
            specs[-1]["examiner_id"] = demo_examiner
        waiting += 1

    # Case numbers in order of receipt, per centre and year.
    specs.sort(key=lambda r: r["received_at"])
    counters: dict[tuple[int, int], int] = defaultdict(int)
    codes = {c.id: c.code.upper()[:2] for c in centres.values()}
    for row in specs:
        key = (row["centre_id"], row["received_at"].year)
        counters[key] += 1
        row["case_no"] = f"YS-{codes[row['centre_id']]}-{key[1]}-{counters[key]:05d}"
    for start in range(0, len(specs), 2000):
        session.execute(insert(Case), specs[start:start + 2000])
    session.flush()

    qualified = sum(1 for r in specs if r["decision"] == Decision.QUALIFIED.value)
    granted = sum(1 for r in specs if r["status"] == CaseStatus.GRANTED.value)
    return (f"专利预审：备案企业 {len({e.id for e, _c, _d in filed}):,} 家、预审案件 {len(specs):,} 件"
            f"（预审合格 {qualified:,} 件、授权 {granted:,} 件，重点企业 {len(key_ids)} 家走绿色通道，"
            f"审查员 {len(DEMO_EXAMINERS)} 名）")
