"""Demo enforcement cases: about 400 a year over 2021–2023 and the current year up to ``as_of``, in the
order of magnitude of the 2022 summary (376 trademark cases closed, 涉案金额 919.44万元, 罚没款 565.7万元,
17 transferred to judicial organs); mostly trademark infringement, some patent counterfeiting, geographical
indication and Olympic symbol cases; some handled by demo-enforcement."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select, update

from ipbureau.auth.models import User
from ipbureau.database.core import utcnow
from ipbureau.demo import vocabulary as vocab
from ipbureau.enterprises.models import Enterprise
from ipbureau.protection.enforcement.enums import CaseCategory, CaseStatus
from ipbureau.protection.enforcement.models import EnforcementCase
from ipbureau.reference.models import District

CASES_PER_YEAR = 400
CATEGORY_WEIGHTS = ((CaseCategory.TRADEMARK, 86), (CaseCategory.PATENT_COUNTERFEITING, 7),
                    (CaseCategory.GEOGRAPHICAL_INDICATION, 3), (CaseCategory.OLYMPIC_SYMBOL, 2),
                    (CaseCategory.OTHER, 2))
TRANSFER_RATE = 0.045
SUMMARIES = {
    CaseCategory.TRADEMARK: ("销售侵犯注册商标专用权的商品", "在同一种商品上使用与注册商标相同的商标", "仓储侵权商品"),
    CaseCategory.PATENT_COUNTERFEITING: ("在产品包装上标注不存在的专利号", "专利权终止后继续在产品上标注专利标识"),
    CaseCategory.GEOGRAPHICAL_INDICATION: ("擅自使用“沙窝萝卜”地理标志", "擅自使用“小站稻”地理标志"),
    CaseCategory.OLYMPIC_SYMBOL: ("在商业广告中擅自使用奥林匹克标志",),
    CaseCategory.OTHER: ("销售带有伪造质量认证标志的商品",),
}


def delete_demo(session: Any) -> dict[str, int]:
    removed = session.execute(delete(EnforcementCase).where(EnforcementCase.dataset == "demo")).rowcount
    # Real cases keep the party's name and code; only the link to a demo enterprise goes.
    session.execute(update(EnforcementCase).where(EnforcementCase.party_enterprise_id.in_(
        select(Enterprise.id).where(Enterprise.dataset == "demo"))).values(party_enterprise_id=None))
    return {"enforcement_cases": removed}


def _person(rng: random.Random) -> str:
    return rng.choice([s for s, _ in vocab.SURNAMES[:24]]) + "".join(
        rng.choice(vocab.GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))


def load_demo(session: Any, rng: random.Random, *, as_of: date) -> str:
    districts = session.execute(select(District.code, District.name).order_by(District.code)).all()
    enterprises = session.execute(select(Enterprise.id, Enterprise.name, Enterprise.credit_code,
                                         Enterprise.district_code).where(Enterprise.dataset == "demo",
                                                                         Enterprise.district_code.is_not(None))
                                  .order_by(Enterprise.id)).all()
    if not districts or not enterprises:
        return ""
    handler_id = session.scalar(select(User.id).where(User.username == "demo-enforcement"))
    # Larger districts see more cases (roughly by enterprise count).
    weight = {code: 1 for code, _ in districts}
    for e in enterprises:
        weight[e.district_code] = weight.get(e.district_code, 1) + 1
    codes = [code for code, _ in districts]
    names = dict(districts)
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for year in range(2021, as_of.year + 1):  # every year, so each dashboard year has cases
        start, end = date(year, 1, 1), min(date(year, 12, 31), as_of)
        if end < start:
            continue
        share = ((end - start).days + 1) / 365
        for number in range(1, round(CASES_PER_YEAR * share * rng.uniform(0.93, 1.07)) + 1):
            opened = start + timedelta(days=rng.randint(0, (end - start).days))
            category = rng.choices([c for c, _ in CATEGORY_WEIGHTS], [w for _, w in CATEGORY_WEIGHTS])[0]
            district = rng.choices(codes, [weight[c] for c in codes])[0]
            unit = (f"{names[district]}市场监督管理局" if rng.random() < 0.85 else "天津市市场监管综合行政执法总队")
            if rng.random() < 0.55:
                e = rng.choice(enterprises)
                party = {"party_enterprise_id": e.id, "party_name": e.name, "party_credit_code": e.credit_code,
                         "party_is_person": False}
            else:
                party = {"party_enterprise_id": None, "party_is_person": True, "party_credit_code": None,
                         "party_name": f"{_person(rng)}（个体经营）"}
            # 涉案金额 averages about 2.4万元 a case, 罚没款 about 60% of it (919.44 / 565.7 万元 for 376 cases).
            involved = Decimal(str(round(min(rng.lognormvariate(9.6, 0.9), 600000), -1)))
            fines = Decimal(str(round(float(involved) * rng.uniform(0.3, 0.95), -1)))
            row = {"case_no": f"津知执〔{year}〕D{number:04d}号", "category": category, "status": CaseStatus.OPEN,
                   "district_code": district, "enforcement_unit": unit,
                   "handler_id": handler_id if handler_id and rng.random() < 0.1 else None,
                   "summary": rng.choice(SUMMARIES[category]), "opened_on": opened, "closed_on": None,
                   "amount_involved_yuan": involved, "fines_yuan": Decimal(0), "penalty_decision_no": None,
                   "transferred": False, "transferred_on": None, "transferred_organ": None, "dataset": "demo",
                   "created_by": None, "created_at": now, "updated_at": now, **party}
            if rng.random() < TRANSFER_RATE:
                moved = opened + timedelta(days=rng.randint(10, 60))
                if moved <= as_of:
                    row.update(status=CaseStatus.TRANSFERRED, closed_on=moved, transferred=True,
                               transferred_on=moved, transferred_organ=f"天津市公安局{names[district]}分局")
            else:
                closed = opened + timedelta(days=rng.randint(20, 110))
                if closed <= as_of:
                    row.update(status=CaseStatus.CLOSED, closed_on=closed, fines_yuan=fines,
                               penalty_decision_no=f"津市监{names[district][:2]}罚〔{closed.year}〕{rng.randint(1, 999)}号")
            rows.append(row)
    for start_at in range(0, len(rows), 2000):
        session.execute(insert(EnforcementCase), rows[start_at:start_at + 2000])
    transferred = sum(1 for r in rows if r["transferred"])
    return f"执法案件 {len(rows):,} 件（移送司法机关 {transferred} 件）"
