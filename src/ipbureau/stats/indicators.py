"""The statistics' own indicators: patents and trademarks (the CNIPA figures), with the tables they count and
the SQL condition that decides whether a record counts in a period.

Definitions follow the conventions of CNIPA's statistics (知识产权统计年报 / 专利统计简报) and
the national statistical indicator system, restricted to what our records can support:

* Territory (地区): a patent or mark counts for the district of its *first* applicant's
  address (``district_code``, resolved from the address on import) and for the city when
  that address is in Tianjin (``province_code = '12'``). This is CNIPA's convention
  (按第一申请人/第一权利人地址统计).
* Patent dates: a grant counts in the period of its grant announcement date (授权公告日).
* Industry chain (产业链): a patent belongs to a chain when ANY of its IPC codes (table
  ``patent_ipc``, all codes, not only the main one) falls under one of the chain's IPC
  prefixes (``navigation/data/industry_chains.yaml``). A patent can therefore count in
  several chains, and the chain figures do not add up to the city figure. The analytic copy
  (``stats.analytic``) stores that membership per patent; the conditions below read it there.

Each condition is portable SQLAlchemy Core (SQLite and PostgreSQL), so that breakdowns are
computed by the database with GROUP BY rather than by reading rows into Python. Like every domain's
``indicators.py``, this module declares ``INDICATORS`` and is listed by ``stats.catalogue``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import ColumnElement, FromClause, Table, and_, exists, false, not_, or_, select

from ipbureau.navigation.chains import IndustryChain, chain_bit, load_chains
from ipbureau.patents.enums import LegalStatus, PatentType
from ipbureau.patents.models import Patent, PatentIpc
from ipbureau.stats.definitions import IndicatorDef
from ipbureau.stats.enums import Measure, Subject
from ipbureau.trademarks.enums import TrademarkStatus
from ipbureau.trademarks.models import Trademark

PATENT: Table = Patent.__table__  # type: ignore[assignment]
PATENT_IPC: Table = PatentIpc.__table__  # type: ignore[assignment]
TRADEMARK: Table = Trademark.__table__  # type: ignore[assignment]

# --- industry chains -------------------------------------------------------------------


def ipc_prefix_condition(prefixes: Sequence[str], ipc: FromClause = PATENT_IPC) -> ColumnElement[bool]:
    """SQL for "this patent_ipc row falls under one of the prefixes", mirroring
    ``navigation.chains.prefix_matches``: a subclass (``G06F``) by the indexed ``subclass``
    column, a main group (``G06F21/00``) as ``code LIKE 'G06F21/%'``, anything else exactly."""
    subclasses = sorted({p for p in prefixes if "/" not in p and len(p) == 4})
    shorter = sorted({p for p in prefixes if "/" not in p and len(p) != 4})
    groups = sorted({p.split("/")[0] for p in prefixes if "/" in p and p.endswith("/00")})
    exact = sorted({p for p in prefixes if "/" in p and not p.endswith("/00")})
    parts: list[ColumnElement[bool]] = []
    if subclasses:
        parts.append(ipc.c.subclass.in_(subclasses))
    parts += [ipc.c.code.like(f"{p}%") for p in shorter]
    parts += [ipc.c.code.like(f"{g}/%") for g in groups]
    if exact:
        parts.append(ipc.c.code.in_(exact))
    return or_(*parts) if parts else false()


def has_ipc_under(prefixes: Sequence[str], patent: FromClause = PATENT) -> ColumnElement[bool]:
    """The patent has at least one IPC code under one of the prefixes. The codes are read through an alias, so
    the subquery stays correlated to the patent alone when the enclosing query itself joins ``patent_ipc`` (the
    chain breakdown of an indicator whose condition reads the chains)."""
    ipc = PATENT_IPC.alias("chain_ipc")
    return exists(select(ipc.c.patent_id).where(ipc.c.patent_id == patent.c.id,
                                                ipc_prefix_condition(list(prefixes), ipc)))


def _stored_membership(patent: FromClause) -> bool:
    """Whether the source is the analytic copy, which stores each patent's chains as a bitmask
    (``stats.analytic``) computed with the same rule, so no IPC join is needed."""
    return "chain_mask" in patent.c


def chain_condition(chain: IndustryChain, patent: FromClause = PATENT) -> ColumnElement[bool]:
    """The patent has at least one IPC code under the chain's (or its segments') prefixes."""
    if _stored_membership(patent):
        return patent.c.chain_mask.op("&")(chain_bit(chain.code)) != 0
    return has_ipc_under(chain.all_ipc_prefixes(), patent)


def any_chain_condition(patent: FromClause = PATENT,
                        chains: Sequence[IndustryChain] | None = None) -> ColumnElement[bool]:
    """The patent belongs to at least one chain. The engine passes the chains it read on the caller's session;
    without them (callers outside the engine) they are read on a connection of their own."""
    chains = load_chains() if chains is None else chains
    if _stored_membership(patent):
        mask = sum(chain_bit(chain.code) for chain in chains)
        return patent.c.chain_mask.op("&")(mask) != 0
    return has_ipc_under([p for chain in chains for p in chain.all_ipc_prefixes()], patent)


# --- conditions --------------------------------------------------------------------------

_DEAD_APPLICATION = (LegalStatus.REJECTED.value, LegalStatus.WITHDRAWN.value)


def invention_granted_in(t: Table, start: date, end: date) -> ColumnElement[bool]:
    return and_(t.c.patent_type == PatentType.INVENTION.value, t.c.grant_date >= start, t.c.grant_date <= end)


def invention_valid_at(t: Table, _start: date, end: date) -> ColumnElement[bool]:
    # A patent known to be dead (无权) without a recorded lapse date cannot be shown to
    # have been in force at ``end``, so it is not counted (conservative for past periods).
    return and_(
        t.c.patent_type == PatentType.INVENTION.value,
        t.c.grant_date <= end,
        t.c.legal_status.not_in(_DEAD_APPLICATION),
        or_(t.c.lapse_date > end, and_(t.c.lapse_date.is_(None), t.c.legal_status != LegalStatus.INVALID.value)),
    )


def ten_years_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 10)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 10, day=28)


def high_value_invention_valid_at(t: Table, start: date, end: date,
                                  chains: Sequence[IndustryChain] | None = None) -> ColumnElement[bool]:
    return and_(
        invention_valid_at(t, start, end),
        or_(
            any_chain_condition(t, chains),  # (1) 战略性新兴产业 -> our key industry chains
            t.c.family_size >= 2,  # (2) 海外同族 -> any family beyond the Chinese member
            t.c.filing_date < ten_years_before(end),  # (3) 维持年限超过 10 年
            t.c.pledge_count > 0,  # (4) 较高质押融资金额 -> pledged at least once
        ),
    )


def trademark_filed_in(t: Table, start: date, end: date) -> ColumnElement[bool]:
    return and_(t.c.filing_date >= start, t.c.filing_date <= end)


def trademark_registered_in(t: Table, start: date, end: date) -> ColumnElement[bool]:
    return and_(t.c.registration_date >= start, t.c.registration_date <= end)


def trademark_valid_at(t: Table, _start: date, end: date) -> ColumnElement[bool]:
    # Invalidation (无效/撤销) has no date in our records: such marks are left out for
    # every period. A mark with no expiry date counts only while its status is 已注册.
    return and_(
        t.c.registration_date <= end,
        not_(t.c.status.in_((TrademarkStatus.INVALIDATED.value, TrademarkStatus.REJECTED.value))),
        or_(t.c.expiry_date > end, and_(t.c.expiry_date.is_(None), t.c.status == TrademarkStatus.REGISTERED.value)),
    )


# --- the catalogue ------------------------------------------------------------------------

TERRITORY = "按第一申请人地址归属：区为申请人地址所在区（district_code），全市为地址在天津（province_code = 12）。"

INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef(
        code="invention_grants",
        name="发明专利授权量",
        unit="件",
        subject=Subject.PATENT,
        measure=Measure.FLOW,
        definition="统计期内授权公告的发明专利件数（以授权公告日计入期间）。" + TERRITORY,
        formula="COUNT(专利类型 = 发明 且 期初 ≤ 授权公告日 ≤ 期末)",
        sources=("patent",),
        date_column="grant_date",
        condition=invention_granted_in,
        drilldown="grant",
    ),
    IndicatorDef(
        code="valid_inventions",
        name="有效发明专利拥有量",
        unit="件",
        subject=Subject.PATENT,
        measure=Measure.STOCK,
        definition=("统计期末仍维持有效的发明专利件数：授权公告日不晚于期末，且期末时尚未失效"
                    "（失效日期为空或晚于期末），法律状态不是驳回、撤回；法律状态为无权但缺少失效日期的不计入。"
                    + TERRITORY),
        formula="COUNT(发明 且 授权公告日 ≤ 期末 且 (失效日 > 期末 或 (失效日为空 且 状态 ≠ 无权)) 且 状态 ∉ {驳回, 撤回})",
        sources=("patent",),
        date_column="grant_date",
        condition=invention_valid_at,
        drilldown="valid",
    ),
    IndicatorDef(
        code="high_value_inventions_per_10k",
        name="每万人口高价值发明专利拥有量",
        unit="件/万人",
        subject=Subject.PATENT,
        measure=Measure.STOCK,
        definition=("期末有效发明专利中属于高价值发明专利的件数，除以常住人口（万人）。"
                    "按国家知识产权局口径，高价值发明专利为满足下列任一条件的有效发明专利，本系统按记录可支持的方式认定："
                    "(1) 战略性新兴产业的发明专利——以属于天津市 12 条重点产业链（任一 IPC 分类号落入产业链 IPC 范围）代替；"
                    "(2) 在海外有同族专利权的发明专利——以同族专利数 ≥ 2 代替（记录不区分同族成员所在国家）；"
                    "(3) 维持年限超过 10 年的发明专利——申请日早于期末前 10 年；"
                    "(4) 实现较高质押融资金额的发明专利——以发生过质押（质押次数 > 0）代替（记录无质押金额）。"
                    "常住人口为 2020 年第七次全国人口普查数（区人口可由工作人员更新）；无人口数据的区不计算。"
                    + TERRITORY),
        formula="COUNT(期末有效发明 且 (属重点产业链 或 同族数 ≥ 2 或 申请日 < 期末−10年 或 质押次数 > 0)) ÷ (常住人口 ÷ 10000)",
        sources=("patent", "patent_ipc", "district.population", "reference/data/tianjin_population_2020.csv"),
        date_column="grant_date",
        condition=high_value_invention_valid_at,
        uses_chains=True,
        per_10k_people=True,
        limitations=("无法认定：(5) 获得国家科学技术奖、中国专利奖的发明专利（记录中无获奖信息）；"
                     "海外同族、质押金额只能以近似条件代替。"),
    ),
    IndicatorDef(
        code="trademark_applications",
        name="商标申请量",
        unit="件",
        subject=Subject.TRADEMARK,
        measure=Measure.FLOW,
        definition="统计期内提出的商标注册申请件数（以申请日计入期间），按申请人地址归属。",
        formula="COUNT(期初 ≤ 申请日 ≤ 期末)",
        sources=("trademark",),
        date_column="filing_date",
        condition=trademark_filed_in,
    ),
    IndicatorDef(
        code="trademark_registrations",
        name="商标注册量",
        unit="件",
        subject=Subject.TRADEMARK,
        measure=Measure.FLOW,
        definition="统计期内核准注册的商标件数（以注册日计入期间），按申请人地址归属；其后被无效或期满的仍计入当期。",
        formula="COUNT(期初 ≤ 注册日 ≤ 期末)",
        sources=("trademark",),
        date_column="registration_date",
        condition=trademark_registered_in,
    ),
    IndicatorDef(
        code="valid_trademarks",
        name="有效注册商标量",
        unit="件",
        subject=Subject.TRADEMARK,
        measure=Measure.STOCK,
        definition=("统计期末仍有效的注册商标件数：注册日不晚于期末，专用权期限届满日晚于期末"
                    "（届满日为空的须为已注册状态），且未被无效/撤销；按申请人地址归属。"),
        formula="COUNT(注册日 ≤ 期末 且 (届满日 > 期末 或 (届满日为空 且 状态 = 已注册)) 且 状态 ∉ {无效/撤销, 驳回})",
        sources=("trademark",),
        date_column="registration_date",
        condition=trademark_valid_at,
        limitations="无效/撤销没有日期记录，这类商标在所有期间都不计入。",
    ),
)
