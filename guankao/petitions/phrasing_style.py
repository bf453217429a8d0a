"""How a case text is worded around its problem, for `phrasing`: who is writing and what
happened before (a long letter), the formal 主旨/說明 of the mayor's mailbox, a call-taker's
curt note, Taiwanese-Mandarin particles and words, and the slips of phone and keyboard input
(同音字, 注音 endings, full-width digits, doubled or missing punctuation, an emoji).
"""

import random

WHO = [
    "我住在這裡二十幾年了，",
    "我是附近的店家，",
    "我每天送小孩上學都會經過，",
    "我是這裡的里民，",
    "本人為當地居民，",
    "我是騎機車上班的上班族，",
    "我家有老人家跟小孩，",
    "我是外地來的，回嘉義看爸媽，",
    "我是大樓的管委會主委，",
    "代替我家阿嬤打來的，",
    "我每天早上都在這附近運動，",
]
HISTORY = [
    "之前打過1999了，",
    "上個月就反映過一次，",
    "里長說會幫忙處理，結果都沒有下文，",
    "已經跟區公所講過了，",
    "上次說會派人來看，到現在都沒看到人，",
    "這不是第一次了，",
    "網路上也有很多人在抱怨，",
    "鄰居也都有打電話，",
]
FEELINGS = [
    "真的很誇張。",
    "大家都很不滿。",
    "我們很擔心。",
    "實在受不了了。",
    "不知道該找誰。",
    "希望不要等到出事才處理。",
    "拜託重視這個問題。",
    "納稅人的錢都用到哪裡去了？",
]
FORMAL_ASKS = [
    "敬請貴府惠予協助處理。",
    "懇請相關單位儘速派員查處。",
    "請貴單位研議改善，並惠予回覆。",
    "敬請卓處。",
    "請查明後依法處理。",
]
SUBJECTS = [
    "陳情",
    "市民反映",
    "請處理",
    "建議事項",
    "檢舉",
    "拜託處理",
    "市長信箱",
    "問題反映",
    "請協助",
    "急！",
]
# Taiwanese Mandarin and colloquial wording: (standard, as some say it).
TAIWANESE = [
    ("很危險", "足危險"),
    ("很危險", "真危險捏"),
    ("很臭", "有夠臭"),
    ("很吵", "吵死人"),
    ("很髒", "有夠髒"),
    ("不好意思", "歹勢"),
    ("不行", "母湯"),
    ("房子", "厝"),
    ("老先生", "阿伯"),
    ("老太太", "阿婆"),
    ("很多", "一大堆"),
    ("不要", "莫"),
    ("什麼", "啥"),
    ("這樣", "醬"),
    ("真的", "真ㄉ"),
    ("的", "ㄉ"),
    ("了", "惹"),
]
ENDINGS = ["啦", "欸", "喔", "ㄟ", "捏", "耶", "齁", "啊", "嘿", "吼"]
# Homophone and near-homophone slips of phone input (同音字), and a few of the keyboard.
TYPOS = [
    ("再", "在"),
    ("在", "再"),
    ("的", "得"),
    ("的", "地"),
    ("已經", "以經"),
    ("處理", "處裡"),
    ("危險", "危陷"),
    ("修", "休"),
    ("壞", "懷"),
    ("反映", "反應"),
    ("那", "哪"),
    ("做", "作"),
    ("需要", "須要"),
    ("路燈", "路登"),
    ("坑洞", "坑動"),
    ("垃圾", "拉圾"),
    ("噪音", "燥音"),
    ("違停", "違亭"),
    ("紅綠燈", "紅路燈"),
    ("號誌", "號志"),
    ("排水", "排氺"),
    ("補助", "補肋"),
    ("申請", "申清"),
    ("颱風", "台風"),
    ("臺", "台"),
    ("請", "情"),
    ("麻煩", "麻番"),
    ("謝謝", "謝"),
    ("附近", "付近"),
    ("停車", "亭車"),
]
EMOJI = ["😡", "🙏", "😭", "👍", "💢", "😢", "‼️"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def narrative(rng: random.Random, core: str, ask: str) -> str:
    """A long letter: who writes, the problem, what happened before, how they feel, the ask."""
    parts = [rng.choice(WHO)]
    if rng.random() < 0.5:
        parts += [core, "，", rng.choice(HISTORY)]
    else:
        parts += [rng.choice(HISTORY), core, "，"]
    parts += [rng.choice(FEELINGS), ask]
    return "".join(parts)


def formal(rng: random.Random, subject: str, core: str, why: str) -> str:
    """The mayor's mailbox in its formal register (主旨 / 說明)."""
    lines = [f"主旨：{core.split('，')[0]}，請查處。", "說明：", f"一、{core}。"]
    if why:
        lines.append(f"二、{why.rstrip('，。')}，{rng.choice(FORMAL_ASKS)}")
    else:
        lines.append(f"二、{rng.choice(FORMAL_ASKS)}")
    return "\n".join(lines)


def subject(rng: random.Random, core: str) -> str:
    """The subject line: a generic one now and then, otherwise the problem's first words."""
    if rng.random() < 0.25:
        return rng.choice(SUBJECTS)
    return core.split("，")[0][: rng.choice((8, 12, 20, 40))]


def roughen(rng: random.Random, text: str) -> str:
    """Slips and habits of how people type: the text still says the same thing."""
    if rng.random() < 0.25:
        for _ in range(rng.choice((1, 1, 2, 3))):
            wrong, right = rng.choice(TYPOS)
            text = text.replace(wrong, right, 1)
    if rng.random() < 0.2:
        standard, said = rng.choice(TAIWANESE)
        text = text.replace(standard, said, 1)
    if rng.random() < 0.15:
        text = text.rstrip("。！!") + rng.choice(ENDINGS) + rng.choice(("", "！", "～", "。"))
    shape = rng.random()
    if shape < 0.08:  # no punctuation at all, or spaces for it
        for mark in "，。！？、":
            text = text.replace(mark, rng.choice((" ", "")))
    elif shape < 0.16:  # half-width punctuation
        text = text.replace("，", ",").replace("？", "?").replace("！", "!")
    elif shape < 0.24:
        text = text.rstrip("。") + rng.choice(("！！！", "？？？", "。。。", "...", "!!", "～～"))
    if rng.random() < 0.1:
        text = text.translate(FULL_WIDTH)
    if rng.random() < 0.05:
        text += rng.choice(EMOJI) * rng.randint(1, 3)
    return text
