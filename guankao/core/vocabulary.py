"""One look for one meaning: every status on every page, export and map is shown with
one of these tones — a symbol, a colour (CSS class `tone-…`) and always a word — so that
「落後」 looks the same on the scorecard, the board, the case page and the map.

| tone      | symbol | colour | words (plans / controlled cases)                  |
|-----------|--------|--------|---------------------------------------------------|
| done      | ✔      | green  | 達成, 已核定, 已解除列管                           |
| ok        | ●      | green  | 進度正常, 風險低, 列管中                           |
| watch     | ◆      | amber  | 需注意, 風險中                                    |
| behind    | ▲      | orange | 落後 (both the scorecard's and a case's)          |
| serious   | ■      | red    | 嚴重落後, 風險高                                   |
| failed    | ✘      | red    | 未達成, 逾期不予受理                               |
| pending   | ◐      | blue   | 待核定, 申請解除列管中                             |
| returned  | ↩      | amber  | 已退回                                            |
| none      | ○      | grey   | 無資料, 尚未填報                                   |
| muted     | –      | grey   | 未訂目標值                                        |
| late      | ⏰      | red    | 逾期                                              |
"""

from django.utils.html import format_html

SYMBOLS = {
    "done": "✔",
    "ok": "●",
    "watch": "◆",
    "behind": "▲",
    "serious": "■",
    "failed": "✘",
    "pending": "◐",
    "returned": "↩",
    "none": "○",
    "muted": "–",
    "late": "⏰",
}
# The map's markers use the same colours as the chips' borders (tracking/map.js).
COLOURS = {
    "done": "#1e6b35",
    "ok": "#1e6b35",
    "watch": "#8a6100",
    "behind": "#c25e00",
    "serious": "#a61b1b",
    "failed": "#a61b1b",
    "pending": "#0b5394",
    "returned": "#8a6100",
    "none": "#6b6b6b",
    "muted": "#6b6b6b",
    "late": "#a61b1b",
}


def chip(tone: str, word, suffix: str = ""):
    """<span class="chip tone-behind"><span aria-hidden="true">▲</span> 落後</span>"""
    symbol = SYMBOLS.get(tone, "?")
    return format_html(
        '<span class="chip tone-{}"><span aria-hidden="true">{}</span> {}{}</span>',
        tone if tone in SYMBOLS else "none",
        symbol,
        word,
        suffix,
    )


def text(tone: str, word) -> str:
    """The same in plain text (exports, map tooltips): 「▲ 落後」."""
    return f"{SYMBOLS.get(tone, '?')} {word}"
