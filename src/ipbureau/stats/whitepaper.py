"""The annual white paper (天津市知识产权发展状况白皮书) as Word and PDF, computed from records.

``build()`` asks the indicator engine (``stats.engine``) for every figure and assembles ONE
content model: a tree of dataclasses (sections of paragraphs, tables and chart series). No
figure is typed in: each number printed in sections 一 to 四 is a :class:`Fact` that carries
the value it shows and the engine call that produced it (indicator, year, district or
chain, field), so a test can recompute it independently. ``to_docx()`` (python-docx) and
``to_pdf()`` (reportlab) only lay the model out; charts are PNGs drawn once by matplotlib
and embedded in both, so the two formats cannot disagree.

Chinese text in the PNG charts needs a CJK font on the machine (Debian: fonts-wqy-microhei,
installed by scripts/ensure-system-deps.sh); without one we refuse with a clear message
rather than draw empty boxes. The PDF embeds the same font (subset) so any reader shows
it; reportlab's built-in CID font STSong-Light (no font file, but resolved by the reader's
Asian font pack) is the fallback for fonts reportlab cannot embed. The renderers import python-docx,
reportlab and matplotlib when they run: they are heavy, and only a download or the CLI needs them.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from ipbureau.core.errors import AppError
from ipbureau.enums import Dataset
from ipbureau.stats import engine
from ipbureau.stats.catalogue import BY_CODE, CATALOGUE
from ipbureau.stats.enums import Subject, YoyNote
from ipbureau.stats.schemas import IndicatorValue

TREND_YEARS = 10
AUTHOR = "天津市知识产权局"
DEMO_MARK = "演示数据"
DEMO_STATEMENT = "本白皮书依据系统生成的演示数据编制，仅用于功能演示，其中数字不代表天津市知识产权的真实状况。"
NO_DATA = "无数据"
FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "pdf": "application/pdf"}
MISSING_FONT = "缺少中文字体，请安装 fonts-wqy-microhei（Debian/Ubuntu：apt-get install fonts-wqy-microhei）"


class WhitePaperError(AppError, RuntimeError):
    """The white paper cannot be produced on this server (e.g. no Chinese font for the charts); zh-CN
    message. Not the user's fault, so not a 4xx: the service is unavailable until the font is installed."""

    status = 503


# --- the content model ------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    """One printed figure and the engine call behind it: ``engine.compute(code, year,
    district_code=…, chain_code=…)`` and then the attribute ``field`` of the result."""

    text: str
    value: int | float | None
    code: str
    year: int
    field: str = "value"  # value | previous_value | yoy_growth | record_count
    district_code: str | None = None
    chain_code: str | None = None


@dataclass
class Paragraph:
    text: str
    facts: list[Fact] = field(default_factory=list)
    style: str = "body"  # body | note


@dataclass
class Table:
    title: str
    header: list[str]
    # A cell is plain text (a label, a rank, "—") or a Fact printed as its text.
    rows: list[list[str | Fact]]
    note: str = ""


@dataclass
class Chart:
    title: str
    kind: str  # column (years) | line (years) | barh (a ranking, largest first)
    labels: list[str]
    values: list[int | float | None]
    unit: str
    # column/line: the period's data are not yet fully published (hatched, labelled 数据未完整公开);
    # barh: the highlighted row (Tianjin among the provinces).
    incomplete: list[bool] | None = None

    @property
    def has_data(self) -> bool:
        return any(v is not None for v in self.values)


Block = Paragraph | Table | Chart


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)

    def walk(self) -> Iterator[Block]:
        yield from self.blocks
        for sub in self.subsections:
            yield from sub.walk()


@dataclass
class WhitePaper:
    year: int
    dataset: str
    title: str
    author: str
    generated_on: date
    cover_notes: list[str]
    sections: list[Section]
    # 附：指标说明 (from the catalogue, not computed; kept apart from the figures' sections).
    appendix: Section

    @property
    def demo(self) -> bool:
        return self.dataset == Dataset.DEMO.value

    @property
    def running_head(self) -> str:
        """Printed at the top of every page (Word header, PDF page callback)."""
        return f"{self.title}" + (" · 非真实统计" if self.demo else "")

    def blocks(self) -> Iterator[Block]:
        for section in self.sections:
            yield from section.walk()

    def facts(self) -> list[Fact]:
        found: list[Fact] = []
        for block in self.blocks():
            if isinstance(block, Paragraph):
                found += block.facts
            elif isinstance(block, Table):
                found += [c for row in block.rows for c in row if isinstance(c, Fact)]
        return found

    def charts(self) -> list[Chart]:
        return [b for b in self.blocks() if isinstance(b, Chart) and b.has_data]


# --- formatting ------------------------------------------------------------------------------------


def fmt(value: float | None) -> str:
    """Counts with thousands separators, per-10,000 figures with two decimals (as the engine rounds)."""
    if value is None:
        return NO_DATA
    if isinstance(value, float):
        return f"{value:,.2f}"
    return f"{value:,}"


def _fact(v: IndicatorValue, field_name: str = "value") -> Fact:
    value = getattr(v, field_name)
    return Fact(text=fmt(value), value=value, code=v.code, year=v.year, field=field_name,
                district_code=v.district_code, chain_code=v.chain_code)


def _cell(v: IndicatorValue) -> str | Fact:
    """A table cell: the figure, or why there is none."""
    if v.value is None:
        if v.note == engine.NOTE_NO_DATA or v.note is None:
            return NO_DATA
        return f"—（{v.note}）"
    return _fact(v)


def _yoy_cell(v: IndicatorValue) -> str | Fact:
    if v.yoy_growth is None:
        return "—"
    return Fact(text=f"{v.yoy_growth:+.1f}%", value=v.yoy_growth, code=v.code, year=v.year, field="yoy_growth",
                district_code=v.district_code, chain_code=v.chain_code)


def _yoy_sentence(v: IndicatorValue) -> tuple[str, list[Fact]]:
    """“同比增长59.2%” / “同比下降3.0%” / “与上年持平” / why no rate."""
    if v.yoy_growth is None:
        if v.yoy_note == YoyNote.ZERO_BASE:
            return "上年同期为零，不计算同比增速", []
        return "上年无可比数据", []
    if v.yoy_growth == 0:
        return "与上年持平", []
    fact = Fact(text=f"{abs(v.yoy_growth):.1f}%", value=v.yoy_growth, code=v.code, year=v.year, field="yoy_growth",
                district_code=v.district_code, chain_code=v.chain_code)
    return f"同比{'增长' if v.yoy_growth > 0 else '下降'}{fact.text}", [fact]


def _value_sentence(v: IndicatorValue, subject: str) -> Paragraph:
    """“{year}年，{subject}{indicator}为X件，同比增长Y%。” or the reason there is no figure."""
    if v.value is None:
        reason = v.note or NO_DATA
        text = f"{v.year}年{subject}{v.name}：{NO_DATA}" + ("" if reason == NO_DATA else f"（{reason}）") + "。"
        return Paragraph(text)
    value = _fact(v)
    facts = [value]
    when = f"{v.year}年末" if BY_CODE[v.code].measure.value == "stock" else f"{v.year}年"
    text = f"{when}，{subject}{v.name}为{value.text}{v.unit}"
    if BY_CODE[v.code].per_10k_people and v.record_count is not None:
        count = _fact(v, "record_count")
        facts.append(count)
        text += f"（高价值发明专利{count.text}件）"
    yoy_text, yoy_facts = _yoy_sentence(v)
    return Paragraph(f"{text}，{yoy_text}。", facts + yoy_facts)


def _ranks(values: Sequence[int | float | None]) -> list[int | None]:
    """Competition ranking (1, 2, 2, 4), largest first; no rank without a figure."""
    return [None if v is None else 1 + sum(1 for w in values if w is not None and w > v) for v in values]


# --- building ----------------------------------------------------------------------------------------


def build(session: Session, year: int, *, dataset: str | Dataset = Dataset.REAL,
          today: date | None = None) -> WhitePaper:
    """The white paper of ``year`` for one dataset (real and demo records are never mixed)."""
    ds = Dataset(dataset.value if isinstance(dataset, Dataset) else dataset)
    engine.check_year(year)
    demo = ds == Dataset.DEMO
    title = f"天津市{year}年知识产权发展状况白皮书" + (f"（{DEMO_MARK}）" if demo else "")
    generated_on = today or date.today()
    years = engine.trend_years(year, TREND_YEARS)

    figures = engine.compute_many(session, [d.code for d in CATALOGUE], year, dataset=ds)
    trends = {code: engine.series(session, code, years, dataset=ds)
              for code in ("invention_grants", "valid_inventions", "trademark_applications",
                           "trademark_registrations", "valid_trademarks")}
    districts = {code: engine.by_district(session, code, year, dataset=ds)
                 for code in ("invention_grants", "valid_inventions", "high_value_inventions_per_10k")}
    chains = {code: engine.by_chain(session, code, year, dataset=ds) for code in ("invention_grants", "valid_inventions")}

    cover = [f"数据类别：{ds.label}", "本白皮书中的数字均由系统根据所存记录按“附：指标说明”所列口径自动计算，未经人工填写。"]
    if demo:
        cover.insert(0, DEMO_STATEMENT)
    core = [f for f in figures if BY_CODE[f.code].subject in CORE_SUBJECTS]
    sections = [
        _overview(year, core),
        _patents(year, core, trends, districts),
        _chains(year, chains),
        _trademarks(year, core, trends),
    ]
    work = _work(year, [f for f in figures if BY_CODE[f.code].subject not in CORE_SUBJECTS])
    if work is not None:
        sections.append(work)
    computed = {(v.code, v.year): v.value for series in trends.values() for v in series}
    computed |= {(f.code, f.year): f.value for f in figures}
    sections.append(_official(session, year, ds, computed, sections))
    cover[1] = (f"除“{sections[-1].title}”所列官方公布数外，本白皮书中的数字均由系统根据所存记录按“附：指标说明”"
                "所列口径自动计算，未经人工填写；正文引用的是计算值。")
    return WhitePaper(year=year, dataset=ds.value, title=title, author=AUTHOR, generated_on=generated_on,
                      cover_notes=cover, sections=sections, appendix=_appendix())


def _overview(year: int, figures: list[IndicatorValue]) -> Section:
    section = Section("一、总体情况")
    if all(f.value is None for f in figures):
        section.blocks.append(Paragraph(f"所选数据集在{year}年{NO_DATA}：各项指标均无法计算，以下各部分相应标注“{NO_DATA}”。"))
    else:
        section.blocks.append(Paragraph(f"{year}年全市知识产权主要指标如下（全市按第一申请人地址在天津统计，"
                                        "同比为与上年同期比较）。"))
    for f in figures:
        section.blocks.append(_value_sentence(f, "全市"))
    section.blocks.append(_figures_table(
        f"表1  {year}年全市知识产权主要指标", year, figures,
        note="同比增速 =（本期 − 上年同期）÷ 上年同期 × 100%；上年同期为零或无数据时不计算，以“—”表示。"))
    return section


def _figures_table(title: str, year: int, figures: list[IndicatorValue], note: str = "") -> Table:
    """One row per indicator: this year, last year and the YoY growth."""
    return Table(
        title=title, header=["指标", "单位", f"{year}年", f"{year - 1}年", "同比"],
        rows=[[f.name, f.unit, _cell(f), _fact(f, "previous_value") if f.previous_value is not None else NO_DATA,
               _yoy_cell(f)] for f in figures],
        note=note)


def _trend_table(title: str, series: dict[str, list[IndicatorValue]], codes: Sequence[str]) -> Table:
    header = ["年份"]
    for code in codes:
        defn = BY_CODE[code]
        header += [f"{defn.name}（{defn.unit}）", "同比"]
    rows: list[list[str | Fact]] = []
    for i, y in enumerate(series[codes[0]]):
        row: list[str | Fact] = [str(y.year)]
        for code in codes:
            v = series[code][i]
            row += [_cell(v), _yoy_cell(v)]
        rows.append(row)
    return Table(title=title, header=header, rows=rows)


def _patents(year: int, figures: list[IndicatorValue], trends: dict[str, list[IndicatorValue]],
             districts: dict[str, list[IndicatorValue]]) -> Section:
    first = engine.trend_years(year, TREND_YEARS)[0]
    grants, valid = trends["invention_grants"], trends["valid_inventions"]
    trend = Section("（一）近十年发明专利授权与拥有情况")
    start, end = next((v for v in valid if v.value is not None), None), valid[-1]
    if start is not None and end.value is not None and start.year < end.year:
        a, b = _fact(start), _fact(end)
        trend.blocks.append(Paragraph(f"全市有效发明专利拥有量由{start.year}年末的{a.text}件变为{end.year}年末的{b.text}件。",
                                      [a, b]))
    elif all(v.value is None for v in grants + valid):
        trend.blocks.append(Paragraph(f"所选数据集在{first}—{year}年{NO_DATA}。"))
    trend.blocks.append(_trend_table(f"表2  {first}—{year}年全市发明专利授权量与有效发明专利拥有量", trends,
                                     ("invention_grants", "valid_inventions")))
    trend.blocks.append(Chart(f"图1  {first}—{year}年全市发明专利授权量", "column",
                              [str(v.year) for v in grants], [v.value for v in grants], "件"))
    trend.blocks.append(Chart(f"图2  {first}—{year}年全市有效发明专利拥有量（年末）", "line",
                              [str(v.year) for v in valid], [v.value for v in valid], "件"))

    by_district = Section("（二）各区情况")
    g, vi, hv = (districts[c] for c in ("invention_grants", "valid_inventions", "high_value_inventions_per_10k"))
    ranks = _ranks([v.value for v in g])
    order = sorted(range(len(g)), key=lambda i: (ranks[i] is None, ranks[i] or 0, g[i].district_code or ""))
    ranked = [g[i] for i in order if g[i].value]
    if ranked:
        top = ranked[:3]
        facts = [_fact(v) for v in top]
        names = "、".join(f"{v.label}（{f.text}件）" for v, f in zip(top, facts, strict=True))
        by_district.blocks.append(Paragraph(f"{year}年发明专利授权量居前{'三' if len(top) == 3 else '列'}位的区为：{names}。",
                                            facts))
    else:
        by_district.blocks.append(Paragraph(f"{year}年各区发明专利授权量{NO_DATA if g and g[0].value is None else '均为零'}。"))
    by_district.blocks.append(Table(
        title=f"表3  {year}年各区发明专利主要指标（按发明专利授权量排名）",
        header=["排名", "区", "发明专利授权量（件）", "有效发明专利拥有量（件）", "每万人口高价值发明专利拥有量（件/万人）"],
        rows=[[str(ranks[i]) if ranks[i] is not None else "—", g[i].label or g[i].district_code or "",
               _cell(g[i]), _cell(vi[i]), _cell(hv[i])] for i in order],
        note=("各区按第一申请人地址所在区统计；申请人地址未能归属到区的记录只计入全市，故各区之和可能小于全市。"
              "每万人口指标以区常住人口计算，无人口数据的区不计算，以“—”并注明原因表示。")))
    by_district.blocks.append(Chart(f"图3  {year}年各区发明专利授权量", "barh",
                                    [g[i].label or "" for i in order], [g[i].value for i in order], "件"))
    section = Section("二、专利")
    section.blocks.append(_value_sentence(figures[0], "全市"))
    section.subsections = [trend, by_district]
    return section


def _chains(year: int, chains: dict[str, list[IndicatorValue]]) -> Section:
    grants, valid = chains["invention_grants"], chains["valid_inventions"]
    section = Section("三、重点产业链")
    section.blocks.append(Paragraph("专利的任一IPC分类号落入某条重点产业链的IPC范围即计入该产业链；一件专利可同时计入多条产业链，"
                                    "各产业链之和不等于全市总量。", style="note"))
    best = max((v for v in grants if v.value), key=lambda v: v.value or 0, default=None)
    if best is not None:
        fact = _fact(best)
        section.blocks.append(Paragraph(f"{year}年，重点产业链中发明专利授权量最多的是{best.label}（{fact.text}件）。", [fact]))
    else:
        section.blocks.append(Paragraph(f"{year}年重点产业链发明专利授权量"
                                        f"{NO_DATA if grants and grants[0].value is None else '均为零'}。"))
    order = sorted(range(len(grants)), key=lambda i: (grants[i].value is None, -(grants[i].value or 0)))
    section.blocks.append(Table(
        title=f"表4  {year}年重点产业链发明专利情况",
        header=["产业链", "发明专利授权量（件）", "同比", "有效发明专利拥有量（件）"],
        rows=[[grants[i].label or "", _cell(grants[i]), _yoy_cell(grants[i]), _cell(valid[i])] for i in order]))
    section.blocks.append(Chart(f"图4  {year}年重点产业链发明专利授权量", "barh",
                                [grants[i].label or "" for i in order], [grants[i].value for i in order], "件"))
    return section


def _trademarks(year: int, figures: list[IndicatorValue], trends: dict[str, list[IndicatorValue]]) -> Section:
    first = engine.trend_years(year, TREND_YEARS)[0]
    section = Section("四、商标")
    for f in figures:
        if f.code in ("trademark_applications", "trademark_registrations", "valid_trademarks"):
            section.blocks.append(_value_sentence(f, "全市"))
    section.blocks.append(_trend_table(f"表5  {first}—{year}年全市商标主要指标", trends,
                                       ("trademark_applications", "trademark_registrations", "valid_trademarks")))
    apps = trends["trademark_applications"]
    section.blocks.append(Chart(f"图5  {first}—{year}年全市商标申请量", "column",
                                [str(v.year) for v in apps], [v.value for v in apps], "件"))
    return section


def _published(value: float | None) -> str:
    """An official figure as published: counts without decimals (the table stores them as floats)."""
    if value is None:
        return NO_DATA
    return fmt(int(value)) if float(value).is_integer() else f"{value:,.1f}"


def _signed(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{int(value):+,}" if float(value).is_integer() else f"{value:+,.2f}"


def _numbered(sections: list[Section], kind: type) -> int:
    """The next table (or chart) number after those of the sections built so far."""
    return 1 + sum(1 for section in sections for block in section.walk() if isinstance(block, kind))


def _official(session: Session, year: int, dataset: Dataset, computed: dict[tuple[str, int], Any],
              before: list[Section]) -> Section:
    """与官方统计数据对照及省际比较: each computed figure that has an official counterpart (the mapping
    ``stats.official.comparison.COUNTERPARTS``) beside it, with the difference; then Tianjin among the provinces
    in each official by-province table. The figures quoted in sections 一 to 五 are the computed ones."""
    from ipbureau.stats.official import comparison

    number = "一二三四五六七八九"[len(before)]
    table_no, chart_no = _numbered(before, Table), _numbered(before, Chart)
    section = Section(f"{number}、与官方统计数据对照及省际比较")
    section.blocks.append(Paragraph(
        "本白皮书正文引用的是系统根据所存记录按“附：指标说明”口径计算的数字，而非官方公布数。为便于核对，"
        "下表列出国家知识产权局统计年报与月报、天津市知识产权局及新闻发布中与计算指标口径相近的官方数字及其来源，"
        "并给出差异（计算值 − 官方数）与差异率（差异 ÷ 官方数）。官方指标按公布名称列示，不同口径不合并；"
        "标注“约数”的官方数为以万件四舍五入公布的数字。"))
    first = engine.trend_years(year, TREND_YEARS)[0]
    rows = [c for c in comparison.comparisons(session, dataset=dataset, computed=computed) if first <= c.year <= year]
    if dataset == Dataset.DEMO:
        section.blocks.append(Paragraph("所选数据为演示数据，与官方数字的差异没有意义，仅演示对照方式。", style="note"))
    if rows:
        section.blocks.append(Table(
            title=f"表{table_no}  {first}—{year}年计算指标与官方统计数据对照",
            header=["计算指标", "年份", "计算值", "官方指标（口径）", "官方数", "差异", "差异率", "来源"],
            rows=[[c.name, str(c.year), fmt(c.computed), f"{c.official_indicator}（{c.official_scope}，{c.official_period}）",
                   _published(c.official) + ("（约数）" if c.rounded else ""), _signed(c.difference),
                   "—" if c.difference_pct is None else f"{c.difference_pct:+.1f}%", c.source_url] for c in rows],
            note="差异为正表示计算值高于官方数。口径差异：" + "；".join(
                sorted({f"{c.name}↔{c.official_indicator}：{c.definition_note}" for c in rows}))))
        table_no += 1
    else:
        section.blocks.append(Paragraph(f"{first}—{year}年没有可与计算指标对照的天津市官方统计数据"
                                        "（官方统计数据可在“统计分析 → 官方统计数据”中导入）。"))
    peers = comparison.latest_peer_tables(session)
    if peers:
        section.blocks.append(Paragraph("省际比较：以下为国家知识产权局分省统计表中天津市与各省（区、市）的比较，"
                                        "数字均为官方公布数，排名按数值从大到小。"))
    for peer in peers:
        rank = f"天津市居第 {peer.tianjin_rank} 位" if peer.tianjin_rank else "表中无天津市"
        shown = [r for r in peer.rows if r.rank <= 10 or r.tianjin]
        section.blocks.append(Table(
            title=f"表{table_no}  {peer.indicator}（{peer.scope}，{peer.period}）分省比较：{rank}",
            header=["排名", "地区", f"数值（{peer.unit}）"],
            rows=[[str(r.rank), r.region, _published(r.value)] for r in shown],
            note=f"共 {len(peer.rows)} 个省（区、市）；中位数 {_published(peer.median)}。来源：{'；'.join(peer.source_urls)}"))
        table_no += 1
        section.blocks.append(Chart(f"图{chart_no}  {peer.indicator}（{peer.scope}，{peer.period}）分省比较", "barh",
                                    [r.region for r in peer.rows], [r.value for r in peer.rows], peer.unit,
                                    [r.tianjin for r in peer.rows]))
        chart_no += 1
    return section


CORE_SUBJECTS = (Subject.PATENT, Subject.TRADEMARK)
WORK_SECTION_NUMBERS = "一二三四五六七八九"


def _work(year: int, figures: list[IndicatorValue]) -> Section | None:
    """五、知识产权运用、保护与服务: one subsection and table per subject (运营交易、保护、导航、服务),
    from the indicators the bureau's own work records produce."""
    groups: dict[Subject, list[IndicatorValue]] = {}
    for f in figures:
        groups.setdefault(BY_CODE[f.code].subject, []).append(f)
    if not groups:
        return None
    section = Section("五、知识产权运用、保护与服务")
    section.blocks.append(Paragraph("本部分指标由局各业务系统（交易运营平台、保护中心与执法办案、专利导航、企业培育与服务）"
                                    "办理记录按口径计算，与专利、商标统计口径不同，详见“附：指标说明”。", style="note"))
    for number, (subject, values) in enumerate(groups.items()):
        part = Section(f"（{WORK_SECTION_NUMBERS[number]}）{subject.label}")
        for v in values:
            part.blocks.append(_value_sentence(v, "全市"))
        part.blocks.append(_figures_table(f"表{6 + number}  {year}年{subject.label}主要指标", year, values))
        section.subsections.append(part)
    return section


def _appendix() -> Section:
    section = Section("附：指标说明")
    for d in CATALOGUE:
        section.blocks.append(Paragraph(f"{d.name}（{d.unit}）"))
        section.blocks.append(Paragraph(f"定义：{d.definition}", style="note"))
        section.blocks.append(Paragraph(f"计算公式：{d.formula}", style="note"))
        if d.limitations:
            section.blocks.append(Paragraph(f"说明：{d.limitations}", style="note"))
    section.blocks.append(Paragraph("同比增速 =（本期 − 上年同期）÷ 上年同期 × 100%；上年同期为零时不计算（基期为零），"
                                    "所选数据集不覆盖上年同期时不计算（上年无可比数据）。", style="note"))
    return section


# --- charts (PNG, shared by both renderers) ---------------------------------------------------------

_CJK_FAMILY_HINTS = ("noto sans cjk", "noto serif cjk", "source han", "wenquanyi", "wqy", "droid sans fallback",
                     "ar pl", "simhei", "simsun", "microsoft yahei", "pingfang", "heiti", "songti")


@lru_cache
def cjk_font() -> str:
    """Path of an installed font that covers Chinese, or WhitePaperError. Fonts whose name
    suggests CJK are tried first, but each is checked for the glyphs we draw (中文 digits)."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    entries = font_manager.fontManager.ttflist
    hinted = [e.fname for e in entries if any(h in e.name.lower() for h in _CJK_FAMILY_HINTS)]
    known = hinted + [e.fname for e in entries if e.fname not in hinted]
    # matplotlib's font list is cached on disk and misses fonts installed after it was
    # built (e.g. fonts-wqy-microhei installed later): scan the system's font files too.
    on_disk = [p for p in font_manager.findSystemFonts() if p not in known]
    for path in known + sorted(on_disk, key=lambda p: not any(h in p.lower() for h in ("cjk", "wqy", "han"))):
        try:
            font = FT2Font(path)
        except Exception:  # noqa: BLE001, S112 - an unreadable font file is just skipped
            continue
        if all(font.get_char_index(ord(ch)) for ch in "天津专利件年"):
            return path
    raise WhitePaperError(MISSING_FONT)


def chart_png(chart: Chart, *, width_cm: float = 16, dpi: int = 150) -> bytes:
    """The chart as PNG; None values are drawn as gaps labelled “无数据”."""
    out = io.BytesIO()
    chart_figure(chart, width_cm=width_cm, dpi=dpi).savefig(out, format="png", dpi=dpi)
    return out.getvalue()


def chart_figure(chart: Chart, *, width_cm: float = 16, dpi: int = 150) -> Any:
    """The matplotlib Figure of a chart (value axis from 0; incomplete periods hatched)."""
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    path = cjk_font()
    font_manager.fontManager.addfont(path)
    prop = font_manager.FontProperties(fname=path)
    rows = len(chart.labels)
    height_cm = max(7.0, 0.55 * rows + 2) if chart.kind == "barh" else 7.5
    fig = Figure(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=dpi)
    ax = fig.add_subplot()
    # No bar below the zero baseline: a negative value (no count has one) is drawn as 0.
    values = [max(v, 0) if v is not None else 0 for v in chart.values]
    labels_text = [fmt(v) for v in chart.values]
    marked = list(chart.incomplete or [False] * rows)
    if chart.kind == "barh":
        positions = list(range(rows))[::-1]  # largest at the top
        ax.barh(positions, values, color=["#1d4ed8" if m else "#c0392b" for m in marked])
        ax.set_yticks(positions, chart.labels, fontproperties=prop, fontsize=8)
        top = max(values) or 1
        for pos, v, text in zip(positions, values, labels_text, strict=True):
            ax.text(v + top * 0.01, pos, text, va="center", fontproperties=prop, fontsize=7)
        ax.set_xlim(0, top * 1.15)
        ax.set_xlabel(chart.unit, fontproperties=prop, fontsize=8)
    else:
        xs = list(range(rows))
        if chart.kind == "column":
            bars = ax.bar(xs, values, color=["#f3c4be" if m else "#c0392b" for m in marked], width=0.6)
            for bar, lagging in zip(bars, marked, strict=True):
                if lagging:
                    bar.set_hatch("///")
                    bar.set_edgecolor("#c0392b")
            heights = values
        else:
            ys = [float("nan") if v is None else max(v, 0) for v in chart.values]
            ax.plot(xs, ys, marker="o", color="#1d4ed8")
            heights = [0 if v is None else max(v, 0) for v in chart.values]
        if any(marked):
            labels_text = [t + ("\n数据未完整公开" if m else "") for t, m in zip(labels_text, marked, strict=True)]
        top = max(heights) or 1
        for x, h, text in zip(xs, heights, labels_text, strict=True):
            ax.text(x, h + top * 0.02, text, ha="center", va="bottom", fontproperties=prop, fontsize=7)
        ax.set_xticks(xs, chart.labels, fontproperties=prop, fontsize=8)
        ax.set_ylim(0, top * 1.18)
        ax.set_ylabel(chart.unit, fontproperties=prop, fontsize=8)
    for tick in ax.get_xticklabels() + ax.get_yticklabels():
        tick.set_fontproperties(prop)
        tick.set_fontsize(8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def _chart_images(paper: WhitePaper) -> dict[int, bytes]:
    return {id(c): chart_png(c) for c in paper.charts()}


def _cell_text(cell: str | Fact) -> str:
    return cell.text if isinstance(cell, Fact) else cell


def _date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- Word -------------------------------------------------------------------------------------------


def set_east_asian_font(style_or_run: Any, name: str) -> None:
    """Set a python-docx style's or run's font, including the eastAsia font: Word picks Chinese
    glyphs from that one, not from font.name."""
    from docx.oxml.ns import qn

    style_or_run.font.name = name
    r_pr = style_or_run.element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(r_fonts)
    r_fonts.set(qn("w:eastAsia"), name)


def to_docx(paper: WhitePaper) -> bytes:
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt, RGBColor

    images = _chart_images(paper)
    doc = Document()

    east_asian = set_east_asian_font

    east_asian(doc.styles["Normal"], "宋体")
    doc.styles["Normal"].font.size = Pt(12)
    for level in (1, 2):
        style = doc.styles[f"Heading {level}"]
        east_asian(style, "黑体")
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.size = Pt(16 if level == 1 else 14)
    for section in doc.sections:
        section.header.paragraphs[0].text = paper.running_head
        section.header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    props = doc.core_properties
    props.title, props.author, props.language = paper.title, paper.author, "zh-CN"

    # Cover
    for _ in range(6):
        doc.add_paragraph()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(paper.title)
    run.bold = True
    run.font.size = Pt(24)
    east_asian(run, "黑体")
    for text in ("", paper.author, _date_text(paper.generated_on)):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for note in paper.cover_notes:
        p = doc.add_paragraph(note)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def add_blocks(blocks: list[Block]) -> None:
        for block in blocks:
            if isinstance(block, Paragraph):
                p = doc.add_paragraph(block.text)
                if block.style == "note":
                    for r in p.runs:
                        r.font.size = Pt(10.5)
                else:
                    p.paragraph_format.first_line_indent = Pt(24)
            elif isinstance(block, Table):
                caption = doc.add_paragraph(block.title)
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
                caption.runs[0].bold = True
                table = doc.add_table(rows=1, cols=len(block.header))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                    cell.text = text
                    cell.paragraphs[0].runs[0].bold = True
                for row in block.rows:
                    cells = table.add_row().cells
                    for cell, value in zip(cells, row, strict=True):
                        cell.text = _cell_text(value)
                for row in table.rows:
                    for cell in row.cells:
                        for r in cell.paragraphs[0].runs:
                            r.font.size = Pt(9)
                if block.note:
                    note = doc.add_paragraph(f"注：{block.note}")
                    note.runs[0].font.size = Pt(9)
            elif isinstance(block, Chart):
                if block.has_data:
                    doc.add_picture(io.BytesIO(images[id(block)]), width=Cm(15))
                    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                    caption = doc.add_paragraph(block.title)
                else:
                    caption = doc.add_paragraph(f"{block.title}：{NO_DATA}，不绘制图表。")
                caption.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def add_section(section: Section, level: int) -> None:
        doc.add_heading(section.title, level=level)
        add_blocks(section.blocks)
        for sub in section.subsections:
            add_section(sub, level + 1)

    for section in paper.sections:
        add_section(section, 1)
    doc.add_section(WD_SECTION.NEW_PAGE)  # the appendix starts on its own page; the header carries over
    add_section(paper.appendix, 1)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------------

PDF_FONT = "STSong-Light"
PDF_EMBEDDED_FONT = "ipbureau-cjk"


def _pdf_font() -> str:
    """The PDF's font. Preferably the CJK TrueType font the charts use, embedded (subset) so
    that every reader shows the text: a non-embedded CID font such as STSong-Light depends on
    the reader's Asian font pack (poppler without poppler-data draws nothing, Acrobat asks to
    download one). reportlab cannot embed CFF-outline fonts (e.g. Noto Sans CJK .ttc); then,
    and only then, the built-in STSong-Light is used."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    registered = pdfmetrics.getRegisteredFontNames()
    if PDF_EMBEDDED_FONT in registered:
        return PDF_EMBEDDED_FONT
    try:
        pdfmetrics.registerFont(TTFont(PDF_EMBEDDED_FONT, cjk_font(), subfontIndex=0))
        return PDF_EMBEDDED_FONT
    except Exception:  # noqa: BLE001 - any font reportlab cannot embed: fall back to the CID font
        if PDF_FONT not in registered:
            pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
        return PDF_FONT


def to_pdf(paper: WhitePaper) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Image,
        PageBreak,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Paragraph as P
    from reportlab.platypus import Table as T

    images = _chart_images(paper)
    font = _pdf_font()
    # wordWrap="CJK": Chinese has no spaces, so lines may break between any two characters.
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=18, firstLineIndent=22, wordWrap="CJK",
                          spaceAfter=4)
    note = ParagraphStyle("note", parent=body, fontSize=9, leading=13, firstLineIndent=0)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK")
    caption = ParagraphStyle("caption", parent=body, alignment=TA_CENTER, firstLineIndent=0, fontSize=10)
    h1 = ParagraphStyle("h1", fontName=font, fontSize=15, leading=22, spaceBefore=10, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=h1, fontSize=13, leading=18)
    cover_title = ParagraphStyle("cover", parent=h1, fontSize=22, leading=32, alignment=TA_CENTER, wordWrap="CJK")
    cover_text = ParagraphStyle("cover_text", parent=caption, fontSize=12, leading=20)

    story: list = [Spacer(1, 6 * cm), P(escape(paper.title).replace(f"（{DEMO_MARK}）", f"<br/>（{DEMO_MARK}）"), cover_title), Spacer(1, 1.5 * cm),
                   P(escape(paper.author), cover_text), P(_date_text(paper.generated_on), cover_text),
                   Spacer(1, 1 * cm)]
    story += [P(escape(n), cover_text) for n in paper.cover_notes]
    story.append(PageBreak())
    width = A4[0] - 4 * cm

    def add_blocks(blocks: list[Block]) -> None:
        for block in blocks:
            if isinstance(block, Paragraph):
                story.append(P(escape(block.text), note if block.style == "note" else body))
            elif isinstance(block, Table):
                story.append(P(escape(block.title), caption))
                data = [[P(f"<b>{escape(h)}</b>", cell) for h in block.header]]
                data += [[P(escape(_cell_text(c)), cell) for c in row] for row in block.rows]
                table = T(data, colWidths=[width / len(block.header)] * len(block.header), repeatRows=1)
                table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                                           ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
                story.append(table)
                if block.note:
                    story.append(P(escape(f"注：{block.note}"), note))
                story.append(Spacer(1, 6))
            elif isinstance(block, Chart):
                if block.has_data:
                    image = Image(io.BytesIO(images[id(block)]))
                    scale = (15 * cm) / image.imageWidth
                    image.drawWidth, image.drawHeight = 15 * cm, image.imageHeight * scale
                    story.extend([image, P(escape(block.title), caption)])
                else:
                    story.append(P(escape(f"{block.title}：{NO_DATA}，不绘制图表。"), caption))

    def add_section(section: Section, level: int) -> None:
        story.append(P(escape(section.title), h1 if level == 1 else h2))
        add_blocks(section.blocks)
        for sub in section.subsections:
            add_section(sub, level + 1)

    for section in paper.sections:
        add_section(section, 1)
    story.append(PageBreak())
    add_section(paper.appendix, 1)

    def page(canvas, doc) -> None:  # every page: running head (with the demo mark) and page number
        canvas.saveState()
        canvas.setFont(font, 9)
        if paper.demo:
            canvas.setFillColor(colors.HexColor("#b42318"))
        canvas.drawCentredString(A4[0] / 2, A4[1] - 1.2 * cm, paper.running_head)
        canvas.setFillColor(colors.black)
        canvas.drawCentredString(A4[0] / 2, 1.2 * cm, f"— {doc.page} —")
        canvas.restoreState()

    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2.2 * cm,
                                 bottomMargin=2 * cm, title=paper.title, author=paper.author, lang="zh-CN")
    document.build(story, onFirstPage=page, onLaterPages=page)
    return out.getvalue()


def render(paper: WhitePaper, fmt_name: str) -> bytes:
    if fmt_name == "docx":
        return to_docx(paper)
    if fmt_name == "pdf":
        return to_pdf(paper)
    raise engine.StatsInputError("格式", f"白皮书格式“{fmt_name}”无效（应为 docx 或 pdf）")


def filename(paper: WhitePaper, fmt_name: str) -> str:
    # The demo mark is in the file name too, so a demo file is not mistaken for the real one.
    return f"whitepaper-{paper.year}{'-demo' if paper.demo else ''}.{fmt_name}"
