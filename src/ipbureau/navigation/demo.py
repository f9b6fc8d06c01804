"""Demo navigation projects: reports delivered for several chains in 2022, 2023 and this year
(the reports themselves are computed live from the demo patents). Clients are demo
enterprises of the chain, or an industrial park of a district, as navigation projects are
commissioned in practice (产业园区、龙头企业)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select

from ipbureau.enterprises.models import Enterprise
from ipbureau.enums import Dataset
from ipbureau.navigation.chains import load_chains
from ipbureau.navigation.models import NavigationProject

# (year, how many chains got a delivered report): 2022 as in the summary's start of the
# work, 2023 towards the plan's "10 of the 12 chains", then this year.
PLAN = ((2022, 4), (2023, 9))
THIS_YEAR_CHAINS = 3
PARKS = {"120116": "滨海高新区", "120111": "西青经济技术开发区", "120113": "北辰经济技术开发区",
         "120114": "武清开发区", "120110": "东丽经济技术开发区", "120112": "津南海河教育园区"}


def delete_demo(session: Any) -> dict[str, int]:
    result = session.execute(delete(NavigationProject).where(NavigationProject.dataset == Dataset.DEMO.value))
    return {"navigation_projects": result.rowcount or 0}


def _client(session: Any, rng: random.Random, chain_code: str) -> tuple[str, str | None]:
    if rng.random() < 0.5:
        names = session.execute(select(Enterprise.name, Enterprise.district_code)
                                .where(Enterprise.dataset == Dataset.DEMO.value, Enterprise.industry_chain == chain_code)
                                .order_by(Enterprise.id).limit(20)).all()
        if names:
            name, district = rng.choice(names)
            return name, district
    district = rng.choice(sorted(PARKS))
    return PARKS[district], district


def load_demo(session: Any, rng: random.Random, *, as_of: date) -> str:
    chains = list(load_chains(session))
    plan = [(y, n) for y, n in PLAN if y < as_of.year]
    # The years between the plan's and this one: a steady programme of 6-8 chains a year.
    plan += [(y, 6 + y % 3) for y in range(max(y for y, _ in PLAN) + 1, as_of.year)]
    if as_of.year > 2023:
        plan.append((as_of.year, THIS_YEAR_CHAINS))
    count = 0
    for year, how_many in plan:
        picked = rng.sample(chains, min(how_many, len(chains)))
        last_day = min(date(year, 12, 20), as_of)
        for chain in picked:
            first_day = date(year, 3, 1)
            if last_day < first_day:
                first_day = date(year, 1, 1)
            published = first_day + timedelta(days=rng.randrange(max((last_day - first_day).days, 0) + 1))
            client, district = _client(session, rng, chain.code)
            session.add(NavigationProject(
                chain_code=chain.code, title=f"{chain.name}产业链专利导航报告（{year - 1}年度）", year=year - 1,
                client=client, district_code=district, published_on=published,
                note="演示数据：报告内容由演示专利实时计算", dataset=Dataset.DEMO.value))
            count += 1
    session.flush()
    return f"专利导航项目 {count} 项"
