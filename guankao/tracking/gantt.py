"""The item page's Gantt view of its milestones (查核點) against today, drawn on the server
as SVG like the S-curves: a <title> and a <desc>, and the page shows the same figures in a
table. Each milestone is a bar from the one before it (or the start) to its due date; done
ones end in a filled diamond on the day they were done, overdue ones are hatched and, when a
new date is expected, run on dashed to it. A dashed vertical line marks today."""

import datetime as dt
from html import escape

from guankao.lib.roc import format_roc

WIDTH, ROW, LEFT, RIGHT, TOP, BOTTOM = 640, 26, 170, 16, 30, 30
DONE, OPEN, LATE, TODAY = "#2e6b30", "#0b5394", "#a61b1b", "#333333"  # ≥ 4.5:1 on white


def state(milestone, today: dt.date) -> str:
    if milestone.done_on:
        return "done_late" if milestone.done_on > milestone.due else "done"
    return "overdue" if milestone.due < today else "open"


def gantt(
    milestones,
    *,
    start: dt.date | None,
    today: dt.date,
    title: str,
    desc: str,
    labels: dict[str, str],
    id_prefix: str,
) -> str:
    """milestones: ordered by due date. labels: the legend's words (done, open, overdue,
    today). Every text is escaped here."""
    rows = list(milestones)
    if not rows:
        return ""
    days = [m.due for m in rows] + [today]
    days += [m.done_on for m in rows if m.done_on] + [m.expected_on for m in rows if m.expected_on]
    first = min([start, *days] if start else days)
    last = max(days)
    span = max((last - first).days, 1)
    plot = WIDTH - LEFT - RIGHT
    height = TOP + ROW * len(rows) + BOTTOM

    def x(day: dt.date) -> float:
        return LEFT + (day - first).days / span * plot

    t, d = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{t} {d}" class="chart" focusable="false">'
        f'<title id="{t}">{escape(title)}</title><desc id="{d}">{escape(desc)}</desc>'
        '<defs><pattern id="' + id_prefix + '-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" '
        f'stroke="{LATE}" stroke-width="3"/></pattern></defs>'
    ]
    for tick in (first, first + (last - first) / 2, last):
        parts.append(
            f'<text x="{x(tick):.1f}" y="{height - 10}" font-size="11" text-anchor="middle">'
            f"{escape(format_roc(tick))}</text>"
        )
    previous = start or first
    for i, m in enumerate(rows):
        y = TOP + i * ROW
        kind = state(m, today)
        begin = min(previous, m.due)
        colour = {"done": DONE, "done_late": DONE, "open": OPEN, "overdue": LATE}[kind]
        fill = f"url(#{id_prefix}-hatch)" if kind == "overdue" else colour
        tip = f"<title>{escape(m.title)}: {escape(format_roc(m.due))}</title>"
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 16}" font-size="12" text-anchor="end">'
            f"{escape(m.title[:14])}</text>"
            f'<rect x="{x(begin):.1f}" y="{y + 6}" width="{max(x(m.due) - x(begin), 3):.1f}" '
            f'height="12" fill="{fill}" stroke="{colour}" stroke-width="1.5">{tip}</rect>'
        )
        if m.done_on:
            cx, cy = x(m.done_on), y + 12
            parts.append(
                f'<polygon points="{cx:.1f},{cy - 7} {cx + 7:.1f},{cy} {cx:.1f},{cy + 7} '
                f'{cx - 7:.1f},{cy}" fill="{DONE}"/>'
            )
        elif m.expected_on and m.expected_on > m.due:
            parts.append(
                f'<line x1="{x(m.due):.1f}" y1="{y + 12}" x2="{x(m.expected_on):.1f}" '
                f'y2="{y + 12}" stroke="{LATE}" stroke-width="2" stroke-dasharray="4 3"/>'
            )
        previous = m.due
    tx = x(today)
    parts.append(
        f'<line x1="{tx:.1f}" y1="{TOP - 8}" x2="{tx:.1f}" y2="{height - BOTTOM + 4}" '
        f'stroke="{TODAY}" stroke-width="1.5" stroke-dasharray="5 3"/>'
        f'<text x="{tx:.1f}" y="{TOP - 12}" font-size="11" text-anchor="middle">'
        f"{escape(labels['today'])}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)  # every text in it is escaped
