"""Publication lag: filing periods within 18 months (inventions) / 6 months (utility models, designs) of the
data's newest publication date are marked 数据未完整公开, never stated as a fall, and left out of strengths and
gaps; charts never draw below zero and hatch incomplete periods."""

from __future__ import annotations

import re
from datetime import date

from ipbureau.navigation import report
from ipbureau.stats import charts, whitepaper
from ipbureau.stats.publication_lag import INCOMPLETE, PublicationLag, months_before, publication_lag
from tests.navigation.test_navigation import add_patent


def test_rule_dates():
    assert months_before(date(2026, 8, 31), 18) == date(2025, 2, 28)
    assert months_before(date(2026, 11, 20), 6) == date(2026, 5, 20)
    lag = PublicationLag(date(2026, 11, 20), 18)
    assert lag.cutoff == date(2025, 5, 20)
    assert lag.incomplete_years(range(2022, 2027)) == [2025, 2026] and lag.last_complete_year == 2024
    # Cutoff 2024-12-30: a filing on 2024-12-31 may still be unpublished, so 2024 is not complete.
    assert PublicationLag(date(2026, 6, 30), 18).last_complete_year == 2023
    assert PublicationLag(date(2026, 6, 30), 6).last_complete_year == 2024
    assert PublicationLag(date(2026, 7, 1), 18).incomplete_years([2024, 2025]) == [2025]
    assert PublicationLag(None, 18).incomplete_years([2026]) == []


def _lagged_chain(db):
    """xinchuang patents filed 2022–2026 (Tianjin), many in 2024–2025, none in 2026 yet published, and the
    data's newest publication on 2026-11-20: 2025 and 2026 are incomplete (18-month rule)."""
    counts = {2022: 2, 2023: 3, 2024: 4, 2025: 1, 2026: 0}
    for year, n in counts.items():
        for i in range(n):
            add_patent(db, ipc=("G06F21/60",), filed=date(year, 3 + i, 1))
    newest = add_patent(db, ipc=("A01B1/00",), filed=date(2024, 1, 1))
    newest.publication_date = date(2026, 11, 20)
    db.commit()
    return counts


def test_navigation_report_states_no_fall_for_lagged_years(db):
    counts = _lagged_chain(db)
    assert publication_lag(db, "real").cutoff == date(2025, 5, 20)
    model = report.build(db, "xinchuang", dataset="real", year_from=2022, year_to=2026)
    f = model.figures
    assert f["trends"]["chain_filed"] == [counts[y] for y in range(2022, 2027)]
    assert f["incomplete_years"] == [2025, 2026] and f["growth_year"] == 2024
    assert f["growth"] == (4 - 3) / 3
    text = "\n".join(b.text for s in model.sections for b in s.blocks if isinstance(b, report.Paragraph))
    assert "2024 年申请量同比增长 33.3%" in text
    assert not re.search(r"202[56] 年申请量同比", text) and "下降 100.0%" not in text
    assert f"2025、2026 年的申请{INCOMPLETE}" in text and "18 个月" in text
    chart = next(b for s in model.sections for b in s.blocks if isinstance(b, report.Chart) and "图 1" in b.title)
    assert chart.incomplete == [False, False, False, True, True]
    table = next(b for s in model.sections for b in s.blocks if isinstance(b, report.Table) and "逐年" in b.title)
    assert [row[0] for row in table.rows][-2:] == [f"2025（{INCOMPLETE}）", f"2026（{INCOMPLETE}）"]
    # Strengths and gaps are judged on 2022–2024 only, and say so.
    gaps = next(b for s in model.sections if s.title.startswith("四") for b in s.blocks if isinstance(b, report.Paragraph))
    assert "2022—2024 年" in gaps.text and f"{INCOMPLETE}，不计入" in gaps.text
    segment = next(s for s in f["segments"] if s["name"] == "信息安全")
    assert segment["all_complete"] == 2 + 3 + 4 and segment["all"] == sum(counts.values())


def test_navigation_page_draws_lagged_years_hatched(client, db, users):
    _lagged_chain(db)
    from tests.conftest import login

    login(client, "bureau_staff_user")
    page = client.get("/navigation/xinchuang", params={"dataset": "real", "year_from": 2022, "year_to": 2026})
    assert page.status_code == 200
    assert page.text.count('class="bar incomplete"') >= 2 and INCOMPLETE in page.text
    assert "下降 100.0%" not in page.text


def _y_axis(svg: str) -> tuple[list[str], float]:
    """The grid labels (top to bottom) and the y of the baseline (the last grid line)."""
    labels = re.findall(r'text-anchor="end" fill="#667085">([^<]*)</text>', svg)
    lines = [float(y) for y in re.findall(r'<line x1="[\d.]+" y1="([\d.]+)"', svg)]
    return labels, max(lines)


def test_column_and_line_charts_start_at_zero_and_never_go_below():
    for values in ([0, 0, 0], [0, None, 0], [5, -3, 0]):
        for draw in (charts.column_chart, charts.line_chart):
            svg = draw(["2024", "2025", "2026"], values, title="t")
            labels, baseline = _y_axis(svg)
            assert labels[-1] == "0", (draw, values, labels)
            for y, h in re.findall(r'<rect class="bar[^"]*" x="[\d.]+" y="([-\d.]+)" width="[\d.]+" height="([-\d.]+)"',
                                   svg):
                assert float(h) >= 0 and abs(float(y) + float(h) - baseline) < 0.2
            for cy in re.findall(r'<circle cx="[\d.]+" cy="([-\d.]+)"', svg):
                assert float(cy) <= baseline + 0.01
    ranking = charts.bar_ranking(["a", "b"], [-2, 0], title="t")
    assert "<rect" not in ranking


def test_incomplete_periods_are_hatched_and_labelled():
    svg = charts.column_chart(["2024", "2025"], [4, 1], title="t", incomplete=[False, True])
    assert svg.count('class="bar incomplete"') == 1 and INCOMPLETE in svg and "url(#hatch-incomplete)" in svg
    assert INCOMPLETE not in charts.column_chart(["2024"], [4], title="t")


def test_white_paper_png_axes_start_at_zero():
    zero = whitepaper.Chart("t", "column", ["2024", "2025"], [0, 0], "件", [False, True])
    figure = whitepaper.chart_figure(zero)
    axes = figure.axes[0]
    assert axes.get_ylim()[0] == 0
    assert [p.get_hatch() for p in axes.patches] == [None, "///"]
    negative = whitepaper.Chart("t", "line", ["2024", "2025"], [-5, 3], "件")
    assert whitepaper.chart_figure(negative).axes[0].get_ylim()[0] == 0
    ranking = whitepaper.Chart("t", "barh", ["a", "b"], [0, 0], "件")
    assert whitepaper.chart_figure(ranking).axes[0].get_xlim()[0] == 0
