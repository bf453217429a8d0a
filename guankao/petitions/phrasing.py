"""How citizens write to the city: the demo's case texts, varied the way real ones are.

Each category has its own ways of saying the problem; around them go an opening, when it
started, how bad it is, what the writer wants and a closing, each drawn from several
registers (polite, curt, angry, colloquial, Taiwanese Mandarin), with places and landmarks
of the city, and now and then a typo of the kind phone input makes (同音字). The things people
name and what is wrong with them come from `phrasing_topics`. Seeded, so a
demo is the same every time it loads. Not a model of the categories: tests of the
dispatch model use texts written apart from this file (tests/data).
"""

import random

from guankao.petitions import phrasing_style as style
from guankao.petitions.phrasing_more import sentences
from guankao.petitions.phrasing_topics import TOPICS

STREETS = [
    "中山路",
    "民族路",
    "垂楊路",
    "文化路",
    "新民路",
    "友愛路",
    "興業西路",
    "世賢路",
    "忠孝路",
    "林森西路",
    "民權路",
    "光彩街",
    "成仁街",
    "北港路",
    "博愛路",
    "大雅路",
    "吳鳳北路",
    "彌陀路",
    "仁愛路",
    "公明路",
    "長榮街",
    "延平街",
    "自由路",
    "竹圍路",
    "中正路",
    "國華街",
    "民生北路",
    "民生南路",
    "興業東路",
    "吳鳳南路",
    "林森東路",
    "保健街",
    "啟明路",
    "蘭井街",
    "公園街",
    "光華路",
    "玉山路",
    "湖子內路",
    "後湖街",
    "盧厝街",
    "王田路",
    "八德路",
    "芳安路",
    "嘉北街",
    "宣信街",
    "新生路",
    "四維路",
]
LANDMARKS = [
    "嘉義火車站",
    "文化路夜市",
    "嘉義公園",
    "檜意森活村",
    "蘭潭",
    "北門車站",
    "射日塔",
    "嘉義市立棒球場",
    "長庚醫院",
    "嘉基",
    "崇文國小",
    "興嘉國小",
    "家樂福",
    "秀泰影城",
    "耐斯廣場",
    "森林之歌",
    "中正公園",
    "文化公園",
    "港坪運動公園",
    "植物園",
    "東門圓環",
    "中央噴水池",
    "東市場",
    "西市場",
    "城隍廟",
    "地藏王廟",
    "嘉義大學",
    "嘉義高中",
    "嘉義女中",
    "嘉義高工",
    "北興國中",
    "玉山國中",
    "垂楊國小",
    "聖馬爾定醫院",
    "陽明醫院",
    "嘉義醫院",
    "市政府",
    "東區區公所",
    "西區區公所",
    "仁義潭",
    "八掌溪堤防",
    "鐵道藝術村",
    "嘉樂福夜市",
    "全聯",
    "7-11",
    "全家",
    "麥當勞",
    "中油加油站",
    "轉運站",
    "後驛",
    "高鐵站接駁車站",
]
VILLAGES = ["北興里", "頂庄里", "劉厝里", "湖內里", "後湖里", "短竹里", "興村里", "港坪里"]
VILLAGES += ["盧厝里", "新西里", "保福里", "竹村里", "王田里", "蘭潭里", "仁義里", "培元里"]
NEAR = ["旁邊", "附近", "對面", "前面", "後面", "那邊", "門口", "斜對面", "過去一點"]

PROBLEMS = {
    "road.pothole": [
        "{place}有一個很大的坑洞",
        "{place}路面破一個大洞，下雨積水根本看不到",
        "{place}的柏油凹下去一塊，機車騎過去會彈起來",
        "{place}補過的地方又塌了，坑坑洞洞",
        "{place}附近馬路有破洞，昨天有人騎車摔倒",
        "{place}一整段路面龜裂又有坑，開車很顛",
        "{place}前面路上有凹洞，晚上很危險",
    ],
    "road.sidewalk": [
        "{place}的人行道地磚翹起來",
        "{place}人行道磚塊鬆動，老人家差點絆倒",
        "{place}騎樓跟人行道高低差很大，推嬰兒車過不去",
        "{place}人行道破掉一大片，輪椅根本不能走",
        "{place}人行道被樹根頂起來變得凹凸不平",
    ],
    "road.ditch": [
        "{place}的水溝堵住了，一下雨就淹水",
        "{place}側溝很臭，好像都沒有清",
        "{place}水溝蓋破掉，有人腳踩下去",
        "{place}排水不良，每次下大雨門口都積水",
        "{place}溝裡面都是淤泥跟垃圾",
    ],
    "light.out": [
        "{place}的路燈不亮",
        "{place}路燈壞掉好幾天了，整條路黑漆漆",
        "{place}那支路燈一直閃爍，一下亮一下暗",
        "{place}附近有兩盞路燈都沒亮，晚上走路很怕",
        "{place}路燈白天一直亮著，晚上反而不亮",
        "{place}巷口的燈熄了，機車出入看不清楚",
    ],
    "env.litter": [
        "{place}有人亂丟垃圾堆成一座小山",
        "{place}空地被丟了一堆廢棄家具跟床墊",
        "{place}有髒亂點，垃圾一直沒有人來清",
        "{place}旁邊的空地都是垃圾，還有老鼠",
        "{place}有人半夜偷倒廢棄物",
        "{place}垃圾車沒來收，袋子堆在路邊發臭",
    ],
    "env.noise": [
        "{place}附近工地每天早上六點就開始施工很吵",
        "{place}有店家音響開很大聲到半夜",
        "{place}樓下的冷氣室外機噪音很大，整晚睡不著",
        "{place}有改裝車每天晚上在那邊催油門",
        "{place}的宮廟活動擴音器太大聲",
    ],
    "env.air": [
        "{place}有人在燒東西，煙很大很嗆",
        "{place}附近的工廠一直排出臭味",
        "{place}餐廳的油煙排到我們家裡",
        "{place}每天傍晚都有一股燒塑膠的味道",
    ],
    "env.dog": [
        "{place}有一群流浪狗會追機車",
        "{place}有狗咬人，小朋友很害怕",
        "{place}路上有一隻貓的屍體",
        "{place}附近有人餵流浪狗，狗越來越多還亂大便",
        "{place}有一隻受傷的狗倒在路邊",
    ],
    "traffic.parking": [
        "{place}每天都有車子違規停在紅線上",
        "{place}有車停在我家車庫門口擋住出入",
        "{place}轉角都是違停，視線被擋住很危險",
        "{place}公車站牌前面一直有人臨停",
        "{place}有廢棄車停了好幾個月都沒人管",
    ],
    "traffic.signal": [
        "{place}的紅綠燈壞了",
        "{place}路口號誌燈不亮，車子亂成一團",
        "{place}的行人秒數太短，老人家過不完",
        "{place}紅燈一直卡住不會變",
        "{place}路口的燈號一直閃黃燈",
    ],
    "traffic.bus": [
        "搭公車在{place}等了四十分鐘都沒有車",
        "{place}站的公車司機沒停就開走",
        "{place}的站牌時刻表跟實際差很多",
        "公車司機在{place}附近開很快還急煞",
    ],
    "traffic.marking": [
        "{place}的斑馬線都快看不到了",
        "{place}路口的反光鏡被撞歪了",
        "{place}標線畫錯，大家都不知道怎麼走",
        "{place}的交通標誌被樹擋住看不到",
    ],
    "park.facility": [
        "{place}的溜滑梯破了一個洞，小朋友會受傷",
        "{place}涼亭的屋頂在漏水",
        "{place}步道的木板斷掉",
        "{place}的盪鞦韆鐵鍊生鏽快斷了",
        "{place}公園廁所很髒而且門壞了",
    ],
    "park.tree": [
        "{place}的路樹樹枝垂下來擋住紅綠燈",
        "{place}有一棵樹快倒了，颱風來很危險",
        "{place}的樹枝伸到電線上面",
        "{place}路樹倒在人行道上",
        "{place}行道樹太茂密，路燈都被擋住",
    ],
    "social.subsidy": [
        "我想申請育兒津貼，可是{place}的公所說資料不齊",
        "中低收入戶的補助到現在都還沒入帳",
        "請問租屋補助要怎麼申請，住在{place}附近",
        "我失業了，想問有沒有什麼急難救助",
        "孩子的托育補助申請三個月了都沒有消息",
    ],
    "social.elder": [
        "我媽媽一個人住在{place}，需要有人去關心",
        "家裡長輩需要輪椅跟輔具，不知道要去哪裡申請",
        "長照的居家服務員常常沒有來",
        "住{place}附近的獨居老人好幾天沒出門了",
    ],
    "edu.school": [
        "{place}附近國小上下學時間交通很亂",
        "孩子在學校被同學欺負，老師都不處理",
        "學區的劃分不合理，我們住{place}卻要跑很遠",
        "學校午餐的菜色很差而且份量不夠",
        "學校的冷氣費用要家長出是合理的嗎",
    ],
    "tax.house": [
        "今年房屋稅突然漲很多，想問是怎麼算的",
        "房子在{place}已經出租，地價稅的稅率是不是算錯",
        "我已經繳了房屋稅，還收到催繳單",
        "自住的房子為什麼沒有用自住稅率",
    ],
    "tax.vehicle": [
        "我的機車已經報廢了還收到牌照稅單",
        "牌照稅單寄錯地址，我早就搬到{place}了",
        "身障車輛的牌照稅免稅要怎麼辦",
    ],
    "civil.register": [
        "戶政事務所的櫃台等太久了，只開兩個窗口",
        "想問遷戶口到{place}要準備什麼",
        "換身分證的預約系統一直登不進去",
    ],
    "civil.funeral": [
        "納骨塔的位置要怎麼申請",
        "殯儀館附近{place}的交通很亂",
        "火化預約排很久，家屬很著急",
    ],
    "health.food": [
        "在{place}附近的餐廳吃完拉肚子",
        "{place}的小吃攤衛生很差，有看到蟑螂",
        "買到過期的食品，店家還不處理",
        "{place}夜市的攤販用手直接抓食物",
    ],
    "health.mosquito": [
        "{place}附近積水容器很多，蚊子超多",
        "聽說{place}有登革熱病例，可以來噴藥嗎",
        "{place}的空屋裡面積水孳生蚊蟲",
    ],
    "build.illegal": [
        "{place}有人在頂樓加蓋鐵皮屋",
        "隔壁在{place}違建佔用防火巷",
        "{place}有店家把騎樓圍起來變成自己的",
    ],
    "culture.event": [
        "{place}的活動散場後垃圾沒人收",
        "想建議市府在{place}多辦一些親子活動",
        "藝文活動的報名網站一直當機",
    ],
}

OPENINGS = [
    "",
    "",
    "",
    "您好，",
    "市長好，",
    "你好，我想反映一下，",
    "不好意思打擾，",
    "請問一下，",
    "我要陳情！",
    "拜託一下，",
    "各位長官好：",
    "我是附近的居民，",
    "想要反映一件事：",
    "再次反映！",
    "第三次打來了，",
    "麻煩一下，",
]
SINCE = [
    "",
    "",
    "",
    "已經一個禮拜了，",
    "從上個月就這樣，",
    "好幾天了，",
    "昨天晚上開始，",
    "這個問題很久了，",
    "上次反映過還是沒改善，",
    "今天早上發現，",
]
WHY = [
    "",
    "",
    "很危險。",
    "真的很危險，",
    "附近很多小朋友上下學，",
    "老人家很容易跌倒，",
    "晚上騎車經過嚇死人，",
    "足危險欸，",
    "影響生活品質，",
    "大家都很困擾，",
    "差點出車禍，",
]
ASKS = [
    "請盡快處理。",
    "麻煩派人來看一下。",
    "希望市府可以改善。",
    "請相關單位處理，謝謝。",
    "到底什麼時候要處理？",
    "拜託趕快修。",
    "麥擱拖了！",
    "請給個說法。",
    "謝謝。",
    "可以幫忙嗎？",
    "請回覆處理結果。",
    "希望能儘速改善，感謝！",
    "",
]
CLOSINGS = ["", "", "", "謝謝市長。", "辛苦了。", "感恩。", "一個市民敬上", "謝謝！！"]


def place(rng: random.Random) -> tuple[str, str]:
    """A place as people say it, and the street address part for the case's location."""
    street = rng.choice(STREETS)
    shape = rng.random()
    if shape < 0.25:
        number = rng.randint(1, 600)
        said = rng.choice(
            (f"{street}{number}號", f"{street}{number}號前", f"嘉義市{street}{number}號")
        )
        return said, f"嘉義市{street}{number}號"
    if shape < 0.45:
        other = rng.choice([s for s in STREETS if s != street])
        joint = rng.choice(("和", "與", "跟", "、"))
        end = rng.choice(("口", "路口", "交叉口", "十字路口", ""))
        return f"{street}{joint}{other}{end}", f"嘉義市{street}與{other}口"
    if shape < 0.7:
        landmark = rng.choice(LANDMARKS)
        return f"{landmark}{rng.choice(NEAR)}", f"嘉義市{landmark}附近"
    if shape < 0.8:
        village = rng.choice(VILLAGES)
        return rng.choice((village, f"我們{village}", f"{village}{street}")), f"嘉義市{village}"
    if shape < 0.9:
        lane, alley = rng.randint(1, 300), rng.randint(1, 30)
        said = rng.choice((f"{street}{lane}巷", f"{street}{lane}巷{alley}弄", f"{lane}巷"))
        return said, f"嘉義市{street}{lane}巷"
    said = rng.choice(("我家門口", "家門前", "這條巷子", "我們社區", "我家附近", "公司前面"))
    return said, ""


def problem(category: str, where: str, rng: random.Random) -> str:
    """The problem itself: one of the category's sentences, or a thing and its fault."""
    draw = rng.random()
    if draw < 0.3 or category not in TOPICS:
        return rng.choice(PROBLEMS[category]).format(place=where)
    if draw < 0.6 and sentences(category):
        return rng.choice(sentences(category)).format(place=where)
    things, faults = TOPICS[category]
    thing, fault = rng.choice(things), rng.choice(faults)
    shape = rng.random()
    if shape < 0.4:
        return f"{where}的{thing}{fault}"
    if shape < 0.7:
        return f"{thing}{fault}，在{where}"
    return f"{thing}{fault}"


def case_text(category: str, rng: random.Random) -> tuple[str, str, str]:
    """(subject, text, location) for a case of `category`: a curt note, an ordinary call, a
    long letter or a formal one, then roughened the way people type."""
    where, location = place(rng)
    core = problem(category, where, rng)
    subject = style.subject(rng, core)
    shape = rng.random()
    if shape < 0.15:  # the call-taker's note, or a one-line message
        text = core
    elif shape < 0.27:
        text = style.narrative(rng, core, rng.choice(ASKS))
    elif shape < 0.35:
        text = style.formal(rng, subject, core, rng.choice(WHY))
    else:
        parts = [rng.choice(OPENINGS), rng.choice(SINCE), core, "，", rng.choice(WHY)]
        parts += [rng.choice(ASKS), rng.choice(CLOSINGS)]
        text = "".join(parts)
    text = text.replace("，，", "，").replace("，。", "。").strip("，")
    if rng.random() < 0.12:  # a second, unrelated matter in the same call
        other = rng.choice([c for c in PROBLEMS if c != category])
        aside = problem(other, place(rng)[0], rng)
        text += rng.choice(("另外，", "還有，", "順便說一下，", "對了，")) + aside + "。"
    return subject, style.roughen(rng, text), location
