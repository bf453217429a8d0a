"""The item page's S-curve: planned against actual progress by month, drawn on the server
as SVG (no script, no CDN). It has a <title> and a <desc> for screen readers, and the page
shows the same figures in a table beside it. The two lines differ by dash and marker
shape as well as colour."""

import math
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 600, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 34, 40
PLANNED_COLOUR, ACTUAL_COLOUR = "#555555", "#0b5394"  # both ≥ 4.5:1 on white
ORIGINAL_COLOUR = "#8a4b08"  # ≥ 4.5:1 on white
MAX_LABELS = 12


# How each series is drawn: (colour, dash, marker). Dash and marker tell the lines apart
# without colour. With two series: planned then actual; with three: the original
# baseline, the current baseline, actual.
STYLES = {
    2: [(PLANNED_COLOUR, "7 4", "square"), (ACTUAL_COLOUR, "", "circle")],
    3: [
        (ORIGINAL_COLOUR, "2 3", "diamond"),
        (PLANNED_COLOUR, "7 4", "square"),
        (ACTUAL_COLOUR, "", "circle"),
    ],
}


def s_curve(
    points: list[tuple],
    *,
    title: str,
    desc: str,
    legend: tuple[str, ...],
    id_prefix: str = "curve",
) -> str:
    """points: (month label, value of each series in %...) oldest first, one per month on
    an even time axis (a month without a figure: None). legend: the series' names (planned,
    actual; or original baseline, current baseline, actual). Every text is escaped here,
    so the page may output the result with |safe."""
    if not any(v is not None for row in points for v in row[1:]):
        return ""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(points) > 1 else plot_w / 2)

    def y(value) -> float:
        return TOP + plot_h - float(value) / 100 * plot_h

    t, d = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{t} {d}" class="chart" focusable="false">'
        f'<title id="{t}">{escape(title)}</title><desc id="{d}">{escape(desc)}</desc>'
    ]
    for level in (0, 25, 50, 75, 100):
        parts.append(
            f'<line x1="{LEFT}" y1="{y(level):.1f}" x2="{WIDTH - RIGHT}" y2="{y(level):.1f}" '
            f'stroke="{"#767676" if level == 0 else "#dddddd"}"/>'
            f'<text x="{LEFT - 6}" y="{y(level) + 4:.1f}" font-size="11" text-anchor="end">'
            f"{level}%</text>"
        )
    every = math.ceil(len(points) / MAX_LABELS)
    for i, (label, *_values) in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for column, (name, style) in enumerate(zip(legend, STYLES[len(legend)], strict=True), 1):
        parts.append(_series(points, column, x, y, name, *style))
    parts.append(_legend(legend))
    parts.append("</svg>")
    return "".join(parts)  # every text in it is escaped


def _series(points, column: int, x, y, name: str, colour: str, dash: str, marker: str) -> str:
    """One line, broken where a month has no figure, with a marker on every figure."""
    out, run = [], []
    runs = []
    for i, row in enumerate(points):
        value = row[column]
        if value is None:
            if run:
                runs.append(run)
            run = []
            continue
        run.append((x(i), y(value), row[0], value))
    if run:
        runs.append(run)
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    for segment in runs:
        if len(segment) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _l, _v in segment)
            out.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2.5"{dashed} '
                f'points="{path}"/>'
            )
        for px, py, label, value in segment:
            tip = f"<title>{escape(name)} {escape(label)}: {fmt(value)}%</title>"
            out.append(_marker(marker, px, py, colour, tip))
    return "".join(out)


def _marker(shape: str, px: float, py: float, colour: str, inner: str = "") -> str:
    if shape == "square":
        return (
            f'<rect x="{px - 3.5:.1f}" y="{py - 3.5:.1f}" width="7" height="7" '
            f'fill="#fff" stroke="{colour}" stroke-width="2">{inner}</rect>'
        )
    if shape == "diamond":
        return (
            f'<polygon points="{px:.1f},{py - 4.5:.1f} {px + 4.5:.1f},{py:.1f} {px:.1f},'
            f'{py + 4.5:.1f} {px - 4.5:.1f},{py:.1f}" fill="{colour}">{inner}</polygon>'
        )
    return f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{colour}">{inner}</circle>'


def _legend(legend: tuple[str, ...]) -> str:
    parts = ['<g font-size="12" aria-hidden="true">']
    width = (WIDTH - LEFT - RIGHT) // len(legend)
    for n, (name, (colour, dash, marker)) in enumerate(
        zip(legend, STYLES[len(legend)], strict=True)
    ):
        x0 = LEFT + n * width
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{x0}" y1="14" x2="{x0 + 28}" y2="14" stroke="{colour}" '
            f'stroke-width="2.5"{dashed}/>{_marker(marker, x0 + 14, 14, colour)}'
            f'<text x="{x0 + 34}" y="18">{escape(name)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def fmt(value) -> str:
    """42.50 -> 42.5, 60.00 -> 60."""
    value = Decimal(value).quantize(Decimal("0.01")).normalize()
    return f"{value:f}"


def month_axis(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    """Every (year, month) from first to last inclusive (at most 20 years of months)."""
    (y, m), months = first, []
    while (y, m) <= last and len(months) < 240:
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months
