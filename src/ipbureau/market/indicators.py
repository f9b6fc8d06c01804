"""The marketplace's indicators (运营交易) for the statistics catalogue.

Territory: the marketplace is the city's platform, so every record on it counts for the city
(``province_code = '12'``); the district is the holder's (挂牌方/许可方/出质人) district. The
dataset is the holder's: demo enterprises' listings are demo records.
Dates are the UTC day of the event's timestamp (published, done) or its recorded date
(pledge registration).
"""

from __future__ import annotations

from sqlalchemy import FromClause, literal, select, union_all

from ipbureau.enterprises.models import Enterprise
from ipbureau.market.enums import DealStatus
from ipbureau.market.models import (
    Deal,
    Demand,
    Licence,
    Listing,
    OpenLicence,
    Pledge,
    Push,
    listing_patent,
)
from ipbureau.stats.definitions import (
    IndicatorDef,
    Measure,
    Subject,
    dated_in,
    dated_in_where,
    day_of,
)

CITY = literal("12")
TERRITORY = "平台业务全部计入全市；区为挂牌方（许可方、出质人）企业所在区。演示企业的记录属于演示数据。"


def _holder_columns():
    return (Enterprise.dataset.label("dataset"), CITY.label("province_code"), Enterprise.district_code.label("district_code"))


def listings_source() -> FromClause:
    return (select(Listing.id.label("id"), *_holder_columns(),
                   day_of(Listing.published_at).label("published_on"), Listing.kind.label("kind"))
            .join(Enterprise, Enterprise.id == Listing.holder_enterprise_id)
            .where(Listing.published_at.is_not(None)))


def deals_source() -> FromClause:
    return (select(Deal.id.label("id"), *_holder_columns(),
                   day_of(Deal.done_at).label("done_on"), Deal.amount_yuan.label("amount_yuan"),
                   Deal.free_licence.label("free_licence"), Deal.kind.label("kind"))
            .join(Enterprise, Enterprise.id == Deal.holder_enterprise_id)
            .where(Deal.status == DealStatus.DONE.value, Deal.done_at.is_not(None)))


def open_licences_source() -> FromClause:
    return (select(OpenLicence.id.label("id"), *_holder_columns(),
                   day_of(OpenLicence.published_at).label("published_on"), OpenLicence.patent_id.label("patent_id"))
            .join(Enterprise, Enterprise.id == OpenLicence.holder_enterprise_id))


def licences_source() -> FromClause:
    return (select(Licence.id.label("id"), *_holder_columns(),
                   day_of(Licence.created_at).label("granted_on"), Licence.free.label("free"),
                   Licence.open_licence_id.label("open_licence_id"))
            .join(Enterprise, Enterprise.id == Licence.licensor_enterprise_id))


def pledges_source() -> FromClause:
    return (select(Pledge.id.label("id"), *_holder_columns(),
                   Pledge.registered_on.label("registered_on"), Pledge.amount_yuan.label("amount_yuan"))
            .join(Enterprise, Enterprise.id == Pledge.holder_enterprise_id))


def pushes_source() -> FromClause:
    """One row per push; the territory and dataset are the receiving enterprise's."""
    return (select(Push.id.label("id"), *_holder_columns(), day_of(Push.pushed_at).label("pushed_on"),
                   Push.enterprise_id.label("enterprise_id"))
            .join(Enterprise, Enterprise.id == Push.enterprise_id))


def demands_source() -> FromClause:
    """One row per demand; the territory and dataset are the demanding enterprise's."""
    return (select(Demand.id.label("id"), *_holder_columns(), day_of(Demand.posted_at).label("posted_on"))
            .join(Enterprise, Enterprise.id == Demand.enterprise_id))


def patents_operated_source() -> FromClause:
    """One row per (patent, event): shown in a published listing, declared for open licence,
    or traded in a completed deal (through its listing or its open licence)."""
    listed = (select(listing_patent.c.patent_id.label("patent_id"), *_holder_columns(),
                     day_of(Listing.published_at).label("event_on"))
              .join(Listing, Listing.id == listing_patent.c.listing_id)
              .join(Enterprise, Enterprise.id == Listing.holder_enterprise_id)
              .where(Listing.published_at.is_not(None)))
    declared = (select(OpenLicence.patent_id.label("patent_id"), *_holder_columns(),
                       day_of(OpenLicence.published_at).label("event_on"))
                .join(Enterprise, Enterprise.id == OpenLicence.holder_enterprise_id))
    done = Deal.status == DealStatus.DONE.value
    traded_listed = (select(listing_patent.c.patent_id.label("patent_id"), *_holder_columns(),
                            day_of(Deal.done_at).label("event_on"))
                     .join(listing_patent, listing_patent.c.listing_id == Deal.listing_id)
                     .join(Enterprise, Enterprise.id == Deal.holder_enterprise_id)
                     .where(done, Deal.done_at.is_not(None)))
    traded_open = (select(OpenLicence.patent_id.label("patent_id"), *_holder_columns(),
                          day_of(Deal.done_at).label("event_on"))
                   .join(OpenLicence, OpenLicence.id == Deal.open_licence_id)
                   .join(Enterprise, Enterprise.id == Deal.holder_enterprise_id)
                   .where(done, Deal.done_at.is_not(None)))
    union = union_all(listed, declared, traded_listed, traded_open).subquery("market_events")
    return select(union.c.patent_id.label("id"), union.c.patent_id, union.c.dataset, union.c.province_code,
                  union.c.district_code, union.c.event_on)


INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef(
        code="market_patents_operated",
        name="专利展示、交易、开放许可数量",
        unit="件",
        subject=Subject.MARKET,
        measure=Measure.FLOW,
        definition=("统计期内在平台上展示（挂牌发布）、完成交易或发布开放许可声明的专利件数；"
                    "同一专利在期内有多项活动的只计一次。对应 2023 年工作要点（十四）“专利展示、交易、开放许可数量达到1000件”。"
                    + TERRITORY),
        formula="COUNT(DISTINCT 专利 | 期内挂牌发布 ∪ 期内发布开放许可声明 ∪ 期内交易完成)",
        sources=("market_listing", "market_listing_patent", "market_open_licence", "market_deal"),
        date_column="event_on",
        condition=dated_in("event_on"),
        source=patents_operated_source,
        distinct_column="patent_id",
    ),
    IndicatorDef(
        code="market_listings_published",
        name="挂牌项目数",
        unit="项",
        subject=Subject.MARKET,
        measure=Measure.FLOW,
        definition="统计期内经审核发布的挂牌项目数（转让、许可、质押融资），以发布时间计入期间；其后下架或成交的仍计入当期。" + TERRITORY,
        formula="COUNT(挂牌项目 | 期初 ≤ 发布日 ≤ 期末)",
        sources=("market_listing",),
        date_column="published_on",
        condition=dated_in("published_on"),
        source=listings_source,
    ),
    IndicatorDef(
        code="market_deals_done",
        name="成交项目数",
        unit="项",
        subject=Subject.MARKET,
        measure=Measure.FLOW,
        definition="统计期内完成的交易（转让、许可，含开放许可下的实施许可），以交易完成时间计入期间；已取消的不计。" + TERRITORY,
        formula="COUNT(交易 | 状态 = 已完成 且 期初 ≤ 完成日 ≤ 期末)",
        sources=("market_deal",),
        date_column="done_on",
        condition=dated_in("done_on"),
        source=deals_source,
    ),
    IndicatorDef(
        code="market_deal_amount",
        name="成交金额",
        unit="万元",
        subject=Subject.MARKET,
        measure=Measure.FLOW,
        definition="统计期内完成交易的合同金额合计（元折算为万元，保留两位小数）；免费许可与未填金额的按 0 计。" + TERRITORY,
        formula="SUM(合同金额 | 状态 = 已完成 且 期初 ≤ 完成日 ≤ 期末) ÷ 10000",
        sources=("market_deal",),
        date_column="done_on",
        condition=dated_in("done_on"),
        source=deals_source,
        sum_column="amount_yuan",
        scale=10000,
    ),
    IndicatorDef(
        code="market_open_licence_patents",
        name="开放许可专利数",
        unit="件",
        subject=Subject.MARKET,
        measure=Measure.FLOW,
        definition="统计期内发布开放许可声明的专利件数（专利法第五十条），以公告时间计入期间；其后撤回的仍计入当期。" + TERRITORY,
        formula="COUNT(DISTINCT 专利 | 期初 ≤ 开放许可声明公告日 ≤ 期末)",
        sources=("market_open_licence",),
        date_column="published_on",
        condition=dated_in("published_on"),
        source=open_licences_source,
        distinct_column="patent_id",
    ),
    IndicatorDef(
        code="market_free_licences",
        name="免费许可数",
        unit="项",
        subject=Subject.MARKET,
        measure=Measure.FLOW,
        definition="统计期内达成的免费专利实施许可（许可使用费为零，含开放许可下的免费许可），以许可记录生成日计入期间。" + TERRITORY,
        formula="COUNT(许可 | 免费 且 期初 ≤ 生成日 ≤ 期末)",
        sources=("market_licence",),
        date_column="granted_on",
        condition=dated_in_where("granted_on", lambda t: t.c.free.is_(True)),
        source=licences_source,
    ),
    IndicatorDef(
        code="market_pledges",
        name="专利质押登记数",
        unit="笔",
        subject=Subject.MARKET,
        measure=Measure.FLOW,
        definition="统计期内办理的专利权质押登记笔数，以登记日计入期间。" + TERRITORY,
        formula="COUNT(质押登记 | 期初 ≤ 登记日 ≤ 期末)",
        sources=("market_pledge",),
        date_column="registered_on",
        condition=dated_in("registered_on"),
        source=pledges_source,
    ),
    IndicatorDef(
        code="market_pledge_amount",
        name="专利质押融资金额",
        unit="万元",
        subject=Subject.MARKET,
        measure=Measure.FLOW,
        definition="统计期内登记的专利权质押担保的融资金额合计（元折算为万元），以登记日计入期间。" + TERRITORY,
        formula="SUM(质押金额 | 期初 ≤ 登记日 ≤ 期末) ÷ 10000",
        sources=("market_pledge",),
        date_column="registered_on",
        condition=dated_in("registered_on"),
        source=pledges_source,
        sum_column="amount_yuan",
        scale=10000,
    ),
    IndicatorDef(
        code="market_demands_posted",
        name="技术需求发布数",
        unit="项",
        subject=Subject.MARKET,
        measure=Measure.FLOW,
        definition="统计期内企业在平台上发布的技术需求项数，以发布时间计入期间；其后关闭的仍计入当期。"
                   "区为发布需求的企业所在区。演示企业的需求属于演示数据。",
        formula="COUNT(技术需求 | 期初 ≤ 发布日 ≤ 期末)",
        sources=("market_demand",),
        date_column="posted_on",
        condition=dated_in("posted_on"),
        source=demands_source,
    ),
    IndicatorDef(
        code="market_smes_pushed",
        name="企业匹配推送数",
        unit="家",
        subject=Subject.MARKET,
        measure=Measure.FLOW,
        definition="统计期内工作人员向其推送过匹配专利（需求匹配结果或专利推荐）的企业家数；同一企业在期内多次推送只计一次。"
                   "区为接收推送的企业所在区。演示企业属于演示数据。",
        formula="COUNT(DISTINCT 企业 | 期初 ≤ 推送日 ≤ 期末)",
        sources=("market_push", "market_push_patent"),
        date_column="pushed_on",
        condition=dated_in("pushed_on"),
        source=pushes_source,
        distinct_column="enterprise_id",
    ),
)
