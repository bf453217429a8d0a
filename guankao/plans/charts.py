"""Small server-drawn SVG charts: no script, no CDN, readable by a screen reader
(role="img" with a title and a description; the page also shows the numbers in a table)."""

import hashlib
from decimal import Decimal
from html import escape

WIDTH, HEIGHT, PAD, LEFT = 560, 220, 36, 64
TICKS = 5


def nice_ticks(largest: Decimal) -> list[Decimal]:
    """0 and 4–6 round steps (1, 2, 2.5 or 5 × 10ⁿ) reaching at least `largest`."""
    largest = Decimal(largest) if largest > 0 else Decimal(1)
    raw = largest / TICKS
    magnitude = Decimal(10) ** (raw.adjusted())
    step = next(m * magnitude for m in (1, 2, Decimal("2.5"), 5, 10) if m * magnitude >= raw)
    count = int((largest / step).to_integral_value(rounding="ROUND_CEILING"))
    return [step * i for i in range(count + 1)]


def line_chart(
    title: str, labels: list[str], series: list[tuple[str, list, str]], target=None
) -> str:
    """series: (name, values (None for a gap), colour). target: a horizontal reference line."""
    values = [v for _, vs, _ in series for v in vs if v is not None]
    if target is not None:
        values.append(target)
    if not values or not labels:
        return ""
    ticks = nice_ticks(max(max(values), Decimal(0)))
    top = ticks[-1]
    step = (WIDTH - LEFT - PAD) / max(len(labels) - 1, 1)

    def x(i):
        return LEFT + i * step

    def y(v):
        return HEIGHT - PAD - float(v) / float(top) * (HEIGHT - 2 * PAD)

    title_id = "chart-" + hashlib.sha256(title.encode()).hexdigest()[:8]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{title_id}" class="chart"><title id="{title_id}">{escape(title)}'
        "</title>",
    ]
    for tick in ticks:
        parts.append(
            f'<line x1="{LEFT}" y1="{y(tick):.1f}" x2="{WIDTH - PAD}" y2="{y(tick):.1f}" '
            f'stroke="{"#767676" if tick == 0 else "#dddddd"}"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" font-size="11" text-anchor="end">'
            f"{escape(_fmt(tick))}</text>"
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x(i):.0f}" y="{HEIGHT - 12}" font-size="11" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    if target is not None:
        parts.append(
            f'<line x1="{LEFT}" y1="{y(target):.1f}" x2="{WIDTH - PAD}" y2="{y(target):.1f}" '
            f'stroke="#a61b1b" stroke-dasharray="6 4"/>'
        )
    for name, vs, colour in series:
        points = [(x(i), y(v)) for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{path}"/>'
            )
        for px, py in points:
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" '
                f'fill="{colour}"><title>{escape(name)}</title></circle>'
            )
    parts.append("</svg>")
    return "".join(parts)


def _fmt(value: Decimal) -> str:
    if value == value.to_integral():
        return f"{int(value):,}"
    return f"{value.normalize():f}"
