"""Small server-side SVG charts (no JavaScript, no internet): vertical bars, a line, and
horizontal bars. Text stays text, so the browser renders the Chinese labels with its fonts.

Each function returns an SVG string; values of None are drawn as gaps and labelled "—". The value axis
always starts at 0 and no bar is drawn below it (a negative value, which no count can have, is drawn as 0).
Periods whose data are not yet fully published (``incomplete``, see ``stats.publication_lag``) are drawn
hatched and lighter and labelled 数据未完整公开, so that a lagging last year is not read as a fall.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

BAR = "#e06c5f"
BAR_HIGHLIGHT = "#1d4ed8"
LINE = "#1d4ed8"
INK = "#1f2328"
MUTED = "#667085"
GRID = "#e4e7ec"
INCOMPLETE = "数据未完整公开"
HATCH_ID = "hatch-incomplete"
FONT = 'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"'


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def _height(value: float | int | None) -> float:
    """The drawn size of a value: never below the zero baseline."""
    return max(float(value), 0.0) if value is not None else 0.0


def _nice_max(values: Sequence[float | int | None]) -> float:
    top = max((_height(v) for v in values), default=0) or 1
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


def _hatch(svg: list[str], colour: str) -> None:
    """The pattern incomplete bars are filled with (diagonal stripes on a light ground)."""
    svg.append(f'<defs><pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="6" height="6" '
               f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fbe3e0"/>'
               f'<line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" stroke-width="2"/></pattern></defs>')


def _incomplete_legend(svg: list[str], x: float, y: float) -> None:
    svg.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="10" fill="url(#{HATCH_ID})" stroke="{BAR}" '
               f'stroke-width="0.5"/><text class="incomplete-legend" x="{x + 16:.1f}" y="{y:.1f}" fill="{MUTED}" '
               f'font-size="11">{INCOMPLETE}</text>')


def _link(svg: list[str], href: str | None, inner: str) -> None:
    svg.append(f'<a href="{escape(href, {chr(34): "&quot;"})}">{inner}</a>' if href else inner)


def column_chart(labels: Sequence[str], values: Sequence[float | int | None], *, title: str,
                 links: Sequence[str | None] | None = None, incomplete: Sequence[bool] | None = None,
                 width: int = 560, height: int = 240) -> str:
    """Vertical bars, one per label (e.g. a year), with the value above each bar; ``incomplete`` bars hatched."""
    lagging = list(incomplete or [False] * len(values))
    left, right, top, bottom = 44, 10, 16 + (14 if any(lagging) else 0), 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(values)
    svg = _open(width, height, title)
    if any(lagging):
        _hatch(svg, BAR)
        _incomplete_legend(svg, left, 12)
    _grid(svg, left, width - right, top, plot_h, top_value)
    slot = plot_w / max(len(values), 1)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + slot * i + slot * 0.15
        bar_w = slot * 0.7
        cx = x + bar_w / 2
        h = plot_h * _height(value) / top_value
        if value is not None:
            fill, note = (f"url(#{HATCH_ID})", f"（{INCOMPLETE}）") if lagging[i] else (BAR, "")
            bar = (f'<rect class="bar{" incomplete" if lagging[i] else ""}" x="{x:.1f}" y="{top + plot_h - h:.1f}" '
                   f'width="{bar_w:.1f}" height="{h:.1f}" fill="{fill}" stroke="{BAR if lagging[i] else "none"}">'
                   f'<title>{escape(label)}：{_fmt(value)}{note}</title></rect>')
            _link(svg, links[i] if links else None, bar)
        svg.append(f'<text x="{cx:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" '
                   f'fill="{MUTED if lagging[i] else INK}">{_fmt(value)}</text>')
        svg.append(f'<text x="{cx:.1f}" y="{height - 8}" text-anchor="middle" fill="{MUTED}">{escape(label)}'
                   f'{"*" if lagging[i] else ""}</text>')
    svg.append("</svg>")
    return "".join(svg)


def line_chart(labels: Sequence[str], values: Sequence[float | int | None], *, title: str,
               incomplete: Sequence[bool] | None = None, width: int = 560, height: int = 240) -> str:
    """A line with a dot and value at each point; None breaks the line; ``incomplete`` points are hollow and
    joined by a dashed line."""
    lagging = list(incomplete or [False] * len(values))
    left, right, top, bottom = 52, 16, 18 + (14 if any(lagging) else 0), 28
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(values)
    svg = _open(width, height, title)
    if any(lagging):
        _hatch(svg, BAR)
        _incomplete_legend(svg, left, 12)
    _grid(svg, left, width - right, top, plot_h, top_value)
    step = plot_w / max(len(values) - 1, 1)
    points: list[tuple[float, float] | None] = []
    for i, value in enumerate(values):
        points.append(None if value is None else (left + step * i, top + plot_h - plot_h * _height(value) / top_value))
    for i in range(1, len(points)):
        a, b = points[i - 1], points[i]
        if a is not None and b is not None:
            dash = ' stroke-dasharray="4 3" stroke-opacity="0.6"' if lagging[i] else ""
            svg.append(f'<line class="line" x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{b[0]:.1f}" y2="{b[1]:.1f}" '
                       f'stroke="{LINE}" stroke-width="2"{dash}/>')
    for i, (label, value, point) in enumerate(zip(labels, values, points, strict=True)):
        x = left + step * i
        if point is not None:
            fill, note = ("#ffffff", f"（{INCOMPLETE}）") if lagging[i] else (LINE, "")
            svg.append(f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="3" fill="{fill}" stroke="{LINE}">'
                       f'<title>{escape(label)}：{_fmt(value)}{note}</title></circle>')
            svg.append(f'<text x="{x:.1f}" y="{point[1] - 7:.1f}" text-anchor="middle" fill="{INK}" '
                       f'font-size="11">{_fmt(value)}</text>')
        svg.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="{MUTED}">{escape(label)}'
                   f'{"*" if lagging[i] else ""}</text>')
    svg.append("</svg>")
    return "".join(svg)


def bar_ranking(labels: Sequence[str], values: Sequence[float | int | None], *, title: str,
                links: Sequence[str | None] | None = None, highlight: Sequence[bool] | None = None,
                width: int = 560, row: int = 22) -> str:
    """Horizontal bars sorted from the largest value down (None last), label left, value right; ``highlight``
    rows (e.g. Tianjin among the provinces) in another colour and bold."""
    order = sorted(range(len(values)), key=lambda i: (values[i] is None, -(values[i] or 0)))
    # Room for the longest label at 12px (a CJK character is about 12px wide), e.g. 汽车及新能源汽车.
    left = max(84, 13 * max((len(label) for label in labels), default=0) + 10)
    right, top = 64, 4
    height = top * 2 + row * len(values)
    plot_w = width - left - right
    top_value = max((_height(v) for v in values), default=0) or 1
    marked = list(highlight or [False] * len(values))
    svg = _open(width, height, title)
    for rank, i in enumerate(order):
        y = top + rank * row
        value = values[i]
        weight = ' font-weight="bold"' if marked[i] else ""
        svg.append(f'<text x="{left - 6}" y="{y + row * 0.7:.1f}" text-anchor="end" fill="{INK}"{weight}>'
                   f'{escape(labels[i])}</text>')
        if value is not None and value > 0:
            w = max(plot_w * value / top_value, 1.5)
            bar = (f'<rect class="bar{" highlight" if marked[i] else ""}" x="{left}" y="{y + 3}" width="{w:.1f}" '
                   f'height="{row - 7}" fill="{BAR_HIGHLIGHT if marked[i] else BAR}">'
                   f'<title>{escape(labels[i])}：{_fmt(value)}</title></rect>')
            _link(svg, links[i] if links else None, bar)
        else:
            w = 0
        svg.append(f'<text x="{left + w + 4:.1f}" y="{y + row * 0.7:.1f}" fill="{INK}">{_fmt(value)}</text>')
    svg.append("</svg>")
    return "".join(svg)
