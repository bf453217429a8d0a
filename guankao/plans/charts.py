"""Small server-drawn SVG charts: no script, no CDN, readable by a screen reader
(role="img" with a title and a description; the page also shows the numbers in a table)."""

from decimal import Decimal
from html import escape

WIDTH, HEIGHT, PAD = 560, 220, 36


def line_chart(
    title: str, labels: list[str], series: list[tuple[str, list, str]], target=None
) -> str:
    """series: (name, values (None for a gap), colour). target: a horizontal reference line."""
    values = [v for _, vs, _ in series for v in vs if v is not None]
    if target is not None:
        values.append(target)
    if not values or not labels:
        return ""
    top = max(max(values), Decimal(0)) or Decimal(1)
    top = top * Decimal("1.1")
    step = (WIDTH - 2 * PAD) / max(len(labels) - 1, 1)

    def x(i):
        return PAD + i * step

    def y(v):
        return HEIGHT - PAD - float(v) / float(top) * (HEIGHT - 2 * PAD)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="t" class="chart"><title id="t">{escape(title)}</title>',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#767676"/>',
        f'<text x="4" y="{PAD - 6}" font-size="11">{escape(_fmt(top / Decimal("1.1")))}</text>',
    ]
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x(i):.0f}" y="{HEIGHT - 12}" font-size="11" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    if target is not None:
        parts.append(
            f'<line x1="{PAD}" y1="{y(target):.1f}" x2="{WIDTH - PAD}" y2="{y(target):.1f}" '
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
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:.1f}"
