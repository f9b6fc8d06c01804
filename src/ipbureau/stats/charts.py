"""Small server-side SVG charts (no JavaScript, no internet): vertical bars, a line, and
horizontal bars. Text stays text, so the browser renders the Chinese labels with its fonts.

Each function returns an SVG string; values of None are drawn as gaps and labelled "—".
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

BAR = "#e06c5f"
LINE = "#1d4ed8"
INK = "#1f2328"
MUTED = "#667085"
GRID = "#e4e7ec"
FONT = 'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"'


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _nice_max(values: Sequence[float | int | None]) -> float:
    top = max((v for v in values if v is not None), default=0) or 1
    for step in (1, 2, 2.5, 5):
        magnitude = 10 ** (len(str(int(top))) - 1)
        if step * magnitude >= top:
            return step * magnitude
    return 10 * 10 ** (len(str(int(top))) - 1)


def _open(width: int, height: int, title: str) -> list[str]:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
            f'width="100%" {FONT} font-size="12"><title>{escape(title)}</title>')
    return [head]


def _grid(svg: list[str], left: float, right: float, top: float, plot_h: float, top_value: float) -> None:
    """Five horizontal grid lines with their values on the left (top_value at the top, 0 at the bottom)."""
    for i in range(5):
        y = top + plot_h * i / 4
        svg.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}"/>')
        svg.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}">'
                   f'{_fmt(top_value * (4 - i) / 4)}</text>')


def _link(svg: list[str], href: str | None, inner: str) -> None:
    svg.append(f'<a href="{escape(href, {chr(34): "&quot;"})}">{inner}</a>' if href else inner)


def column_chart(labels: Sequence[str], values: Sequence[float | int | None], *, title: str,
                 links: Sequence[str | None] | None = None, width: int = 560, height: int = 240) -> str:
    """Vertical bars, one per label (e.g. a year), with the value above each bar."""
    left, right, top, bottom = 44, 10, 16, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(values)
    svg = _open(width, height, title)
    _grid(svg, left, width - right, top, plot_h, top_value)
    slot = plot_w / max(len(values), 1)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + slot * i + slot * 0.15
        bar_w = slot * 0.7
        cx = x + bar_w / 2
        if value is not None:
            h = plot_h * value / top_value
            bar = (f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                   f'fill="{BAR}"><title>{escape(label)}：{_fmt(value)}</title></rect>')
            _link(svg, links[i] if links else None, bar)
        y_text = top + plot_h - (plot_h * value / top_value if value else 0) - 3
        svg.append(f'<text x="{cx:.1f}" y="{y_text:.1f}" text-anchor="middle" fill="{INK}">{_fmt(value)}</text>')
        svg.append(f'<text x="{cx:.1f}" y="{height - 8}" text-anchor="middle" fill="{MUTED}">{escape(label)}</text>')
    svg.append("</svg>")
    return "".join(svg)


def line_chart(labels: Sequence[str], values: Sequence[float | int | None], *, title: str,
               width: int = 560, height: int = 240) -> str:
    """A line with a dot and value at each point; None breaks the line."""
    left, right, top, bottom = 52, 16, 18, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(values)
    svg = _open(width, height, title)
    _grid(svg, left, width - right, top, plot_h, top_value)
    step = plot_w / max(len(values) - 1, 1)
    points: list[tuple[float, float] | None] = []
    for i, value in enumerate(values):
        points.append(None if value is None else (left + step * i, top + plot_h - plot_h * value / top_value))
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    for run in runs:
        if len(run) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            svg.append(f'<polyline class="line" points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    for i, (label, value, point) in enumerate(zip(labels, values, points, strict=True)):
        x = left + step * i
        if point is not None:
            svg.append(f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="3" fill="{LINE}">'
                       f'<title>{escape(label)}：{_fmt(value)}</title></circle>')
            svg.append(f'<text x="{x:.1f}" y="{point[1] - 7:.1f}" text-anchor="middle" fill="{INK}" '
                       f'font-size="11">{_fmt(value)}</text>')
        svg.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="{MUTED}">{escape(label)}</text>')
    svg.append("</svg>")
    return "".join(svg)


def bar_ranking(labels: Sequence[str], values: Sequence[float | int | None], *, title: str,
                links: Sequence[str | None] | None = None, width: int = 560, row: int = 22) -> str:
    """Horizontal bars sorted from the largest value down (None last), label left, value right."""
    order = sorted(range(len(values)), key=lambda i: (values[i] is None, -(values[i] or 0)))
    # Room for the longest label at 12px (a CJK character is about 12px wide), e.g. 汽车及新能源汽车.
    left = max(84, 13 * max((len(label) for label in labels), default=0) + 10)
    right, top = 64, 4
    height = top * 2 + row * len(values)
    plot_w = width - left - right
    top_value = max((v for v in values if v is not None), default=0) or 1
    svg = _open(width, height, title)
    for rank, i in enumerate(order):
        y = top + rank * row
        value = values[i]
        svg.append(f'<text x="{left - 6}" y="{y + row * 0.7:.1f}" text-anchor="end" fill="{INK}">'
                   f'{escape(labels[i])}</text>')
        if value:
            w = max(plot_w * value / top_value, 1.5)
            bar = (f'<rect class="bar" x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 7}" fill="{BAR}">'
                   f'<title>{escape(labels[i])}：{_fmt(value)}</title></rect>')
            _link(svg, links[i] if links else None, bar)
        else:
            w = 0
        svg.append(f'<text x="{left + w + 4:.1f}" y="{y + row * 0.7:.1f}" fill="{INK}">{_fmt(value)}</text>')
    svg.append("</svg>")
    return "".join(svg)
