"""Demo dispute cases: about 1,000 a year (the 2022 summary: 960多件 mediated by the people's mediation
committee; about 50 patent adjudications in the districts: 34 in the six pilot districts = 69.4%), over
2021–2023 and the current year up to ``as_of``; a register of technical investigators of 审协天津中心; some
cases handled by demo-mediator, a few with demo-enterprise's enterprise as a party; a few mediation
agreements confirmed by a court (司法确认)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select, update

from ipbureau.auth.models import User
from ipbureau.database.core import utcnow
from ipbureau.demo import vocabulary as vocab
from ipbureau.enterprises.creditcode import make_credit_code
from ipbureau.enterprises.models import Enterprise
from ipbureau.patents.models import Patent
from ipbureau.protection.disputes.deadlines import add_months, add_working_days
from ipbureau.protection.disputes.enums import DisputeKind, DisputeStatus, HandlingOrg, IpType
from ipbureau.protection.disputes.models import DisputeCase, DisputeParty, Investigator, MediationSession
from ipbureau.protection.disputes.service import CASE_PREFIX

MEDIATIONS_PER_YEAR = 960
ADJUDICATIONS_PER_YEAR = 50
PILOT_DISTRICTS = ("120116", "120110", "120111", "120112", "120113", "120118")  # 滨海 东丽 西青 津南 北辰 静海
INVESTIGATOR_FIELDS = (("G06F", "G06Q"), ("H04L", "H04W"), ("A61K", "A61P"), ("C07D", "C08L"), ("B60L", "H01M"),
                       ("F16H", "B23K"), ("G01N", "G01R"), ("A01B", "A23L"), ("H01L", "H10B"), ("E04B", "E02D"),
                       ("B65D", "B29C"), ("A47J", "F24C"))
COURTS = ("天津市河西区人民法院", "天津市和平区人民法院", "天津市滨海新区人民法院", "天津市第三中级人民法院",
          "天津市南开区人民法院")
CLAIMS = {
    IpType.PATENT: ("请求确认被请求人制造、销售的产品落入涉案专利保护范围，停止侵权并赔偿损失",
                    "被请求人未经许可实施涉案专利，请求停止侵权、赔偿经济损失",
                    "双方就专利实施许可费支付发生争议，请求调解"),
    IpType.TRADEMARK: ("被请求人在同类商品上使用近似商标，请求停止使用并赔偿损失",
                       "被请求人销售假冒注册商标的商品，请求调解赔偿",
                       "双方就商标许可使用合同履行发生争议"),
    IpType.GEOGRAPHICAL_INDICATION: ("被请求人擅自使用地理标志名称，请求停止使用",),
    IpType.OTHER: ("双方就技术秘密归属发生争议，请求调解", "双方就著作权许可使用费发生争议"),
}


def delete_demo(session: Any) -> dict[str, int]:
    demo_cases = select(DisputeCase.id).where(DisputeCase.dataset == "demo")
    demo_investigators = select(Investigator.id).where(Investigator.dataset == "demo")
    demo_enterprises = select(Enterprise.id).where(Enterprise.dataset == "demo")
    session.execute(delete(MediationSession).where(MediationSession.case_id.in_(demo_cases)))
    session.execute(delete(DisputeParty).where(DisputeParty.case_id.in_(demo_cases)))
    removed = session.execute(delete(DisputeCase).where(DisputeCase.dataset == "demo")).rowcount
    # Real records keep their party names and codes; only the link to a demo record goes.
    session.execute(update(DisputeParty).where(DisputeParty.enterprise_id.in_(demo_enterprises))
                    .values(enterprise_id=None))
    session.execute(update(DisputeCase).where(DisputeCase.investigator_id.in_(demo_investigators))
                    .values(investigator_id=None))
    session.execute(delete(Investigator).where(Investigator.dataset == "demo"))
    return {"dispute_cases": removed}


def _person(rng: random.Random) -> str:
    surname = rng.choice([s for s, _ in vocab.SURNAMES[:24]])
    return surname + "".join(rng.choice(vocab.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))


def _day_in(rng: random.Random, year: int, as_of: date) -> date | None:
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), as_of)
    if end < start:
        return None
    return start + timedelta(days=rng.randint(0, (end - start).days))


def load_demo(session: Any, rng: random.Random, *, as_of: date) -> str:
    enterprises = session.execute(select(Enterprise.id, Enterprise.name, Enterprise.credit_code,
                                         Enterprise.district_code).where(Enterprise.dataset == "demo",
                                                                         Enterprise.district_code.is_not(None))
                                  .order_by(Enterprise.id)).all()
    if not enterprises:
        return ""
    patents = session.execute(select(Patent.application_no, Patent.ipc_main).where(
        Patent.dataset == "demo", Patent.ipc_main.is_not(None)).order_by(Patent.id).limit(5000)).all()
    mediator_id = session.scalar(select(User.id).where(User.username == "demo-mediator"))
    ent_user = session.scalar(select(User).where(User.username == "demo-enterprise"))
    own = next((e for e in enterprises if ent_user is not None and e.id == ent_user.enterprise_id), None)
    now = utcnow()
    district_of = {e.id: e.district_code for e in enterprises}

    investigators = []
    for i, fields in enumerate(INVESTIGATOR_FIELDS):
        investigators.append({
            "name": _person(rng), "organisation": "国家知识产权局专利局专利审查协作天津中心" if i % 4 else "天津大学",
            "fields": list(fields), "affiliations": [rng.choice(enterprises).name] if rng.random() < 0.4 else [],
            "active": True, "dataset": "demo", "created_at": now, "updated_at": now})
    session.execute(insert(Investigator), investigators)
    registered = session.execute(select(Investigator.id, Investigator.fields, Investigator.affiliations)
                                 .where(Investigator.dataset == "demo")).all()

    cases: list[dict[str, Any]] = []
    parties: dict[str, list[dict[str, Any]]] = {}
    sessions: dict[str, list[dict[str, Any]]] = {}
    years = list(range(2021, as_of.year + 1))  # every year, so each dashboard year has cases
    counters: dict[tuple[str, int], int] = {}
    for year in years:
        for kind, volume in ((DisputeKind.MEDIATION, MEDIATIONS_PER_YEAR), (DisputeKind.ADJUDICATION,
                                                                          ADJUDICATIONS_PER_YEAR)):
            n = round(volume * rng.uniform(0.92, 1.06))
            for _ in range(n):
                received = _day_in(rng, year, as_of)
                if received is None:
                    continue
                counters[(kind, year)] = counters.get((kind, year), 0) + 1
                case_no = f"{CASE_PREFIX[kind]}〔{year}〕D{counters[(kind, year)]:04d}号"
                case, case_parties, case_sessions = _make_case(rng, kind, case_no, received, as_of, enterprises,
                                                               district_of, patents, registered, mediator_id, now)
                cases.append(case)
                parties[case_no] = case_parties
                sessions[case_no] = case_sessions
    # demo-enterprise's enterprise requests a few mediations and one adjudication.
    if own is not None:
        picked = [c for c in cases if c["kind"] == DisputeKind.MEDIATION][:: max(len(cases) // 6, 1)][:5]
        picked += [c for c in cases if c["kind"] == DisputeKind.ADJUDICATION][-1:]
        for case in picked:
            requester = parties[case["case_no"]][0]
            requester.update(enterprise_id=own.id, name=own.name, credit_code=own.credit_code, is_person=False)
            if parties[case["case_no"]][1].get("enterprise_id") == own.id:
                parties[case["case_no"]][1].update(enterprise_id=None, name=_person(rng), credit_code=None,
                                                   is_person=True)
    for start in range(0, len(cases), 2000):
        session.execute(insert(DisputeCase), cases[start:start + 2000])
    ids = dict(session.execute(select(DisputeCase.case_no, DisputeCase.id).where(DisputeCase.dataset == "demo")).all())
    party_rows = [dict(p, case_id=ids[no]) for no, items in parties.items() for p in items]
    session_rows = [dict(s, case_id=ids[no]) for no, items in sessions.items() for s in items]
    for start in range(0, len(party_rows), 5000):
        session.execute(insert(DisputeParty), party_rows[start:start + 5000])
    for start in range(0, len(session_rows), 5000):
        session.execute(insert(MediationSession), session_rows[start:start + 5000])
    mediations = sum(1 for c in cases if c["kind"] == DisputeKind.MEDIATION)
    return (f"纠纷案件 {len(cases):,} 件（调解 {mediations:,} 件、行政裁决 {len(cases) - mediations:,} 件）、"
            f"技术调查官 {len(investigators)} 名")


def _party(rng: random.Random, side: str, enterprises: list[Any], *, organisation_only: bool = False) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.6 or organisation_only:
        e = rng.choice(enterprises)
        return {"side": side, "enterprise_id": e.id, "name": e.name, "credit_code": e.credit_code, "is_person": False}
    if roll < 0.85:
        return {"side": side, "enterprise_id": None, "name": _person(rng), "credit_code": None, "is_person": True}
    district = rng.choice(PILOT_DISTRICTS)
    name = f"天津市{rng.choice(vocab.STREET_WORDS)}{rng.choice(('商贸', '电子', '五金', '食品', '服饰'))}经营部{rng.randint(1, 999)}"
    return {"side": side, "enterprise_id": None, "name": name, "credit_code": make_credit_code(rng, district),
            "is_person": False}


def _make_case(rng: random.Random, kind: DisputeKind, case_no: str, received: date, as_of: date,
               enterprises: list[Any], district_of: dict[int, str], patents: list[Any], investigators: list[Any],
               mediator_id: int | None, now: Any) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    if kind == DisputeKind.ADJUDICATION:
        ip_type = IpType.PATENT
    else:
        ip_type = rng.choices([IpType.PATENT, IpType.TRADEMARK, IpType.GEOGRAPHICAL_INDICATION, IpType.OTHER],
                              [45, 45, 3, 7])[0]
    requester = _party(rng, "requester", enterprises, organisation_only=ip_type == IpType.PATENT)
    respondent = _party(rng, "respondent", enterprises)
    if respondent["name"] == requester["name"]:
        respondent = {"side": "respondent", "enterprise_id": None, "name": _person(rng), "credit_code": None,
                      "is_person": True}
    requester_district = district_of.get(requester["enterprise_id"])
    ip_numbers, ipc = None, None
    if ip_type == IpType.PATENT and patents:
        number, ipc_main = rng.choice(patents)
        ip_numbers, ipc = number, ipc_main.replace(" ", "")[:16]
    elif ip_type == IpType.TRADEMARK:
        ip_numbers = f"第{rng.randint(3000000, 69999999)}号"
    if kind == DisputeKind.ADJUDICATION:
        district = rng.choice(PILOT_DISTRICTS) if rng.random() < 0.7 else rng.choice(enterprises).district_code
        org = HandlingOrg.DISTRICT_BUREAU if rng.random() < 0.8 else HandlingOrg.CITY_BUREAU
    else:
        district = requester_district or rng.choice(enterprises).district_code
        org = HandlingOrg.MEDIATION_COMMITTEE if rng.random() < 0.85 else HandlingOrg.CITY_BUREAU
    case: dict[str, Any] = {
        "case_no": case_no, "kind": kind, "ip_type": ip_type, "status": DisputeStatus.RECEIVED, "ip_numbers": ip_numbers,
        "ipc": ipc, "claim": rng.choice(CLAIMS[ip_type]), "district_code": district, "handling_org": org,
        "received_on": received, "deadline": None, "extended": False,
        "handler_id": mediator_id if mediator_id and rng.random() < 0.08 else None, "outcome": None,
        "agreement_amount_yuan": None, "confirmation_court": None, "confirmation_on": None,
        "confirmation_ruling_no": None, "accepted_on": None, "rejection_reason": None, "investigator_id": None,
        "hearing_on": None, "hearing_notes": None, "decision": None, "decision_reasons": None, "decision_no": None,
        "concluded_on": None, "dataset": "demo", "created_by": None, "created_at": now, "updated_at": now}
    session_rows: list[dict[str, Any]] = []
    if kind == DisputeKind.MEDIATION:
        case["deadline"] = received + timedelta(days=30)
        # Most mediations end within the month; a few run over.
        concluded = received + timedelta(days=rng.choice((rng.randint(3, 28),) * 9 + (rng.randint(31, 60),)))
        outcome = rng.choices(["agreement", "failed", "withdrawn"], [65, 25, 10])[0]
        held = [received + timedelta(days=rng.randint(1, max((concluded - received).days, 1)))
                for _ in range(rng.choice((1, 1, 2, 3)))]
        for held_on in sorted(held):
            if held_on <= as_of:
                session_rows.append({"held_on": held_on, "participants": f"{requester['name']}、{respondent['name']}",
                                     "notes": rng.choice(("释明法律规定，双方各自陈述", "背对背调解", "双方就赔偿金额进行协商")),
                                     "created_by": None, "created_at": now})
        if concluded <= as_of:
            case.update(status=DisputeStatus.CLOSED, outcome=outcome, concluded_on=concluded)
            if outcome == "agreement":
                case["agreement_amount_yuan"] = Decimal(rng.choice((5000, 10000, 20000, 30000, 50000, 80000,
                                                                    120000, 200000)))
                if rng.random() < 0.03 and concluded + timedelta(days=20) <= as_of:
                    case.update(confirmation_court=rng.choice(COURTS), confirmation_on=concluded + timedelta(days=20),
                                confirmation_ruling_no=f"（{concluded.year}）津0103民特{rng.randint(1, 999)}号")
            elif outcome == "withdrawn" and rng.random() < 0.5:
                session_rows = []
        elif session_rows:
            case["status"] = DisputeStatus.IN_PROGRESS
        return case, [requester, respondent], session_rows

    case["deadline"] = add_working_days(received, 5)
    accepted = received + timedelta(days=rng.randint(1, 7))
    if accepted > as_of:
        return case, [requester, respondent], []
    if rng.random() < 0.08:
        case.update(status=DisputeStatus.REJECTED, rejection_reason="请求不符合受理条件（涉案专利已被宣告无效）",
                    concluded_on=accepted)
        return case, [requester, respondent], []
    case.update(status=DisputeStatus.ACCEPTED, accepted_on=accepted, deadline=add_months(accepted, 3))
    names = {requester["name"], respondent["name"]}
    fitting = [inv for inv in investigators if ipc and any(ipc.startswith(f) for f in inv.fields)
               and not names & set(inv.affiliations)]
    pool = fitting or [inv for inv in investigators if not names & set(inv.affiliations)]
    if pool:
        case["investigator_id"] = rng.choice(pool).id
    hearing = accepted + timedelta(days=rng.randint(20, 60))
    if hearing <= as_of:
        case.update(status=DisputeStatus.IN_PROGRESS, hearing_on=hearing, hearing_notes="双方到庭，技术调查官出具技术审查意见")
    decided = hearing + timedelta(days=rng.randint(5, 40))
    if decided <= as_of:
        decision = rng.choices(["infringement", "no_infringement", "settled", "withdrawn"], [55, 15, 25, 5])[0]
        case.update(status=DisputeStatus.CLOSED, decision=decision, concluded_on=decided,
                    decision_reasons={"infringement": "被诉侵权技术方案落入涉案专利权利要求的保护范围",
                                      "no_infringement": "被诉侵权技术方案缺少权利要求记载的技术特征",
                                      "settled": "双方自行和解", "withdrawn": "请求人撤回请求"}[decision],
                    decision_no=f"津知裁字〔{decided.year}〕{rng.randint(1, 99)}号" if decision in (
                        "infringement", "no_infringement") else None)
    return case, [requester, respondent], []
