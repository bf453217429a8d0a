"""Server-rendered SVG bar charts for the petitions overview: received and closed side by
side, with a y-axis of ticks; the data table beside each chart carries the same figures."""

from dataclasses import dataclass

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 240, 40, 40, 10


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    tone: str


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: list
    ticks: list  # (y, label)
    labels: list  # (x, text)
    left: int
    base: int


def _step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if top / step <= 5:
            return step
    return max(1, top // 5)


def bars(rows: list[tuple[str, int, int]], *, title: str) -> Chart:
    """rows: (label, received, closed)."""
    top = max([r[1] for r in rows] + [r[2] for r in rows] + [1])
    step = _step(top)
    top = ((top + step - 1) // step) * step
    plot = HEIGHT - BOTTOM - TOP
    base = HEIGHT - BOTTOM
    slot = (WIDTH - LEFT - 10) / max(len(rows), 1)
    width = max(slot * 0.35, 2)
    out, labels = [], []
    for i, (label, received, closed) in enumerate(rows):
        x = LEFT + i * slot + slot * 0.12
        for j, (value, tone) in enumerate(((received, "received"), (closed, "closed"))):
            h = plot * value / top
            out.append(
                Bar(
                    round(x + j * width, 1),
                    round(base - h, 1),
                    round(width, 1),
                    round(h, 1),
                    value,
                    tone,
                )
            )
        labels.append((round(x + width, 1), label[:6]))
    ticks = [(round(base - plot * v / top, 1), v) for v in range(0, top + 1, step)]
    return Chart(title, WIDTH, HEIGHT, out, ticks, labels, LEFT, base)
