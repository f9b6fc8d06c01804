"""The marketplace's figures as an Excel workbook (汇总, 按月, 按区), as the statistics page shows them."""

from __future__ import annotations

from decimal import Decimal

from ipbureau.documents.spreadsheet import Sheet, workbook
from ipbureau.market.stats import MarketStats


def stats_workbook(stats: MarketStats) -> bytes:
    """The statistics page as an Excel workbook: 汇总, 按月, 按区."""
    summary = []
    for name, label, unit in (("patents_counted", stats.target_label, "件"), ("listed", "挂牌项目数", "项"),
                              ("open_licences", "开放许可专利数", "件"), ("deals_done", "成交项目数", "项"),
                              ("deals_amount", "成交金额", "元"), ("free_licences", "免费许可数", "项"),
                              ("pledges", "专利质押登记数", "笔"), ("pledge_amount", "专利质押融资金额", "元"),
                              ("demands", "技术需求发布数", "项"), ("smes_pushed", "企业匹配推送数", "家")):
        value = getattr(stats, name)
        summary.append([label, float(value) if isinstance(value, Decimal) else value, unit, stats.yoy.get(name)])
    summary.append([])
    summary.append(["2023年工作要点（十四）目标", stats.target, "件", None])
    summary.append(["完成比例（%）", round(stats.target_ratio * 100, 1), "%", None])
    months = ([f"{m.month}月", m.listed, m.open_licences, m.deals_done, float(m.amount), m.demands, m.smes_pushed,
               m.patents_cumulative] for m in stats.by_month)
    districts = ([d.name, d.patents, d.listed, d.open_licences, d.deals_done, float(d.amount), d.demands,
                  d.smes_pushed] for d in stats.by_district)
    return workbook(
        Sheet("汇总", ["指标", "数值", "单位", "同比增长（%）"], summary, widths={0: 34},
              caption=f"{stats.year}年知识产权展示交易统计（数据类别：{'演示数据' if stats.dataset == 'demo' else '真实数据'}）"),
        Sheet("按月", ["月份", "挂牌", "开放许可", "成交", "成交金额（元）", "技术需求", "推送企业", "累计专利（件）"], months,
              widths={0: 14}),
        Sheet("按区", ["区", "专利（件）", "挂牌", "开放许可", "成交", "成交金额（元）", "技术需求", "推送企业"], districts,
              widths={0: 14}))
