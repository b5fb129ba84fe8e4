"""What a message asks: its question clauses, the kind of fact each asks for, and whether it leans on
the conversation ("咁幾時截止？", "what about lift maintenance?").

Everything here works on the folded form (NFKC, lower case, Simplified), so the cues are written
once in Simplified. Nothing here knows the knowledge base: the matcher decides what a clause is
about; this module only says how the message is built.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from bot.kb.text import fold

# -- kinds of ask -----------------------------------------------------------------------------------

AskKind = Literal[
    "what",
    "when",
    "deadline",
    "where",
    "who",
    "holder",
    "howmany",
    "how",
    "eligible",
    "why",
    "scope",
]


# A Latin word's edges: not inside another Latin word, but glued to Chinese as workers type it
# ("申请deadline", "RPL嘅fee"), where \b would not see an edge (Chinese characters are word characters).
LATIN_START = r"(?<![a-z0-9])"
LATIN_END = r"(?![a-z0-9])"


def _cues(*words: str) -> re.Pattern[str]:
    latin = sorted((w for w in words if w.isascii()), key=len, reverse=True)
    han = sorted((w for w in words if not w.isascii()), key=len, reverse=True)
    parts = []
    if latin:
        parts.append(
            LATIN_START
            + "(?:"
            + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in latin)
            + ")"
            + LATIN_END
        )
    if han:
        parts.append("|".join(re.escape(w) for w in han))
    return re.compile("|".join(parts))


# The question words of each kind, in the four ways workers write (folded to Simplified).
ASK_CUES: dict[AskKind, re.Pattern[str]] = {
    "what": _cues(
        "系咩",
        "系乜",
        "咩系",
        "乜嘢系",
        "系咩嚟",
        "咩嚟",
        "乜嘢嚟",
        "是什么",
        "是甚么",
        "什么是",
        "甚么是",
        "指什么",
        "指咩",
        "全名",
        "全称",
        "全写",
        "意思",
        "代表什么",
        "代表咩",
        "简介",
        "介绍",
        "是指",
        "做咩嘅",
        "干什么",
        "what is",
        "what's",
        "what are",
        "what does",
        "stand for",
        "stands for",
        "mean",
        "means",
        "meaning",
        "full name",
        "define",
        "definition",
        "tell me about",
        "explain",
    ),
    "when": _cues(
        "几时",
        "何时",
        "什么时候",
        "甚么时候",
        "哪一天",
        "哪天",
        "边日",
        "边一日",
        "几号",
        "哪年",
        "哪一年",
        "边年",
        "边一年",
        "日期",
        "年份",
        "几月",
        "哪个月",
        "时间",
        "时期",
        "when",
        "what date",
        "which date",
        "what year",
        "which year",
        "dates",
        "date",
        "what period",
        "which period",
        "over what period",
        "what time",
    ),
    "deadline": _cues(
        "截止",
        "几时完",
        "几时结束",
        "届满",
        "完结",
        "到期",
        "期限",
        "deadline",
        "until when",
        "expire",
        "expires",
        "end date",
        "closing date",
        "last day",
        "still apply",
        "still open",
    ),
    "where": _cues(
        "边度",
        "边区",
        "边个区",
        "哪里",
        "哪儿",
        "喺边",
        "哪个地方",
        "地点",
        "边个地方",
        "去边",
        "哪个区",
        "哪个城市",
        "边个城市",
        "哪座城市",
        "which city",
        "哪些地方",
        "where",
        "which district",
        "venue",
        "location",
    ),
    "who": _cues(
        "边个",
        "边位",
        "谁",
        "哪个机构",
        "边间",
        "哪位",
        "哪一位",
        "边一位",
        "由谁",
        "边个机构",
        "哪间",
        "哪个部门",
        "边个部门",
        "主办",
        "负责",
        "哪些部门",
        "哪些机构",
        "边啲部门",
        "边啲机构",
        "哪些人",
        "边啲人",
        "什么人",
        "咩人",
        "是哪一个",
        "是哪个",
        "是哪一间",
        "哪一个机构",
        "哪个单位",
        "边个单位",
        "哪间机构",
        "边间机构",
        "哪所",
        "who",
        "whom",
        "which organisation",
        "which organization",
        "which body",
        "which department",
        "which institution",
        "which institute",
        "which company",
        "which university",
        "which college",
    ),
    "holder": _cues(
        "主席",
        "会长",
        "署长",
        "总裁",
        "总经理",
        "局长",
        "院长",
        "校长",
        "负责人",
        "话事人",
        "主管",
        "chairman",
        "chairperson",
        "chairwoman",
        "chair",
        "chairs",
        "chaired",
        "heads",
        "director",
        "president",
        "head of",
        "ceo",
    ),
    "howmany": _cues(
        "几多",
        "多少",
        "几个",
        "几间",
        "几位",
        "几成",
        "几耐",
        "多久",
        "多长",
        "百分之",
        "比例",
        "占",
        "人数",
        "数目",
        "数量",
        "几次",
        "how many",
        "how much",
        "how long",
        "how often",
        "number of",
        "percentage",
        "proportion",
        "share",
        "%",
    ),
    "how": _cues(
        "点样",
        "如何",
        "怎样",
        "怎么",
        "点申请",
        "点报",
        "点做",
        "点攞",
        "程序",
        "手续",
        "方法",
        "步骤",
        "how to",
        "how do",
        "how can",
        "how does",
        "procedure",
        "steps",
        "process",
    ),
    "eligible": _cues(
        "资格",
        "可唔可以申请",
        "能否申请",
        "可否申请",
        "可以申请",
        "边个可以",
        "谁可以",
        "符合",
        "who can",
        "eligible",
        "eligibility",
        "qualify",
        "can i apply",
        "can i join",
    ),
    "why": _cues("点解", "为什么", "为何", "原因", "why", "reason"),
    # What something covers: its areas, fields, trades ("包括哪些範疇", "which areas").
    "scope": _cues(
        "哪些范畴",
        "哪些方面",
        "哪些领域",
        "哪些工种",
        "边啲范畴",
        "边啲方面",
        "边啲领域",
        "边啲工种",
        "咩范畴",
        "什么范畴",
        "什么领域",
        "涵盖",
        "范畴",
        "which areas",
        "what areas",
        "which fields",
        "what fields",
        "which trades",
        "which sectors",
        "what sectors",
        "areas covered",
    ),
}

# What an answer stating each kind of fact contains; matched on the folded answer text.
# English month names (the C locale's, which Python keeps unless a program sets another).
MONTHS = tuple(m.lower() for m in calendar.month_name[1:])
_MONTHS = "|".join(MONTHS)
_DATE = re.compile(
    rf"(?:19|20)\d\d\s*年|\d{{1,2}}\s*月\s*\d{{0,2}}\s*日?|\b\d{{1,2}}\s+(?:{_MONTHS})|(?:{_MONTHS})\s+\d{{1,2}}\b|"
    rf"\b(?:19|20)\d\d\b"
)
ASK_EVIDENCE: dict[AskKind, re.Pattern[str]] = {
    "when": re.compile(
        rf"\d{{1,2}}月|\d{{4}}年|(?:19|20)\d\d|{_MONTHS}|今年|去年|明年|last year|this year|年内|周年"
    ),
    "deadline": re.compile(
        rf"截止|至\d|到\d|\d{{4}}年\d{{1,2}}月\d{{1,2}}日|until|deadline|{_MONTHS}"
    ),
    "howmany": re.compile(
        r"\d|[一二两三四五六七八九十百千万]+(?:个|位|间|项|名|人|份|所|成|倍|年|类|则|次|个月|万)|"
        r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|hundred|thousand|dozen)\b"
    ),
}


# "Which Guangdong institution", "哪兩間學院": a kind of organisation after a which-word and a
# word or two, beside the fixed cues above.
_ORGS_EN = r"organi[sz]ations?|institutions?|institutes?|bod(?:y|ies)|departments?|compan(?:y|ies)|universit(?:y|ies)|colleges?|schools?|agenc(?:y|ies)|partners?"
_ORGS_ZH = r"机构|学院|部门|单位|公司|大学|学校|团体|组织|院校|伙伴"
ASK_CUES["who"] = re.compile(
    ASK_CUES["who"].pattern
    + rf"|{LATIN_START}(?:which|what)\s+(?:[a-z&-]+\s+){{0,2}}(?:{_ORGS_EN}){LATIN_END}"
    + rf"|(?:哪|边)[一两二三几]?(?:个|间|所|些|啲)?.{{0,4}}?(?:{_ORGS_ZH})"
)
# "哪幾個機構", "邊幾間": which ones, not how many; "第幾個": which in order.
ASK_CUES["howmany"] = re.compile(rf"(?<![哪边第])(?:{ASK_CUES['howmany'].pattern})")


@lru_cache(maxsize=4096)
def ask_kinds(folded: str) -> tuple[AskKind, ...]:
    """The kinds of fact a (folded) clause asks for, in a stable order. Cached: one answer reads the
    same sentence as a whole, as a clause and again for a follow-up."""
    return tuple(kind for kind, cue in ASK_CUES.items() if cue.search(folded))


_PERSON = r"先生|女士|博士|教授|议员|\b(?:mr|ms|mrs|dr|prof|ir|sbs|jp|bbs|mh)\b"
ASK_EVIDENCE["holder"] = re.compile(_PERSON)
ASK_EVIDENCE["who"] = re.compile(
    _PERSON + r"|学院|大学|科学院|研究院|局|署|协会|学会|公司|机构|委员会|集团|"
    r"academy|university|institute|college|council|association|bureau|department|"
    r"company|committee|board|group|society|agency"
)
# A place: a district, a building, a city or region by name.
PLACES = (
    "香港",
    "九龙",
    "新界",
    "深圳",
    "广州",
    "东莞",
    "佛山",
    "珠海",
    "中山",
    "江门",
    "肇庆",
    "惠州",
    "澳门",
    "广东",
    "广西",
    "北京",
    "上海",
    "浙江",
    "福建",
    "山东",
    "重庆",
    "四川",
    "新加坡",
    "hong kong",
    "kowloon",
    "shenzhen",
    "guangzhou",
    "dongguan",
    "foshan",
    "zhuhai",
    "macao",
    "macau",
    "guangdong",
    "guangxi",
    "beijing",
    "shanghai",
    "zhejiang",
    "fujian",
    "shandong",
    "chongqing",
    "sichuan",
    "singapore",
)
_DISTRICTS = (
    "沙田",
    "将军澳",
    "葵青",
    "屯门",
    "铜锣湾",
    "九龙湾",
    "观塘",
    "荃湾",
    "元朗",
    "大埔",
    "湾仔",
    "中环",
    "葵涌",
    "sha tin",
    "tseung kwan o",
    "kwai tsing",
    "tuen mun",
    "causeway bay",
    "kowloon bay",
    "kwun tong",
)
# Trades a question may name ("物流業RPL", "logistics RPL"), each with the words that name it,
# folded; English ones match as whole words. Words that also stand in other names are left out
# (人力資源 is in 人力資源和社會保障局, "security" in Social Security, 航空 in 國泰航空).
SECTORS: tuple[tuple[str, ...], ...] = (
    ("安老", "护老", "老人院", "elderly care", "elderly"),
    ("物流", "logistics"),
    ("汽车", "车辆", "车房", "automotive", "vehicle", "motor"),
    ("保安", "security guard"),
    ("银行", "banking"),
    ("保险", "insurance"),
    ("零售", "retail"),
    ("印刷", "printing"),
    ("物业管理", "property management"),
    ("资讯及通讯科技", "ict"),
    ("服装", "时装", "fashion", "garment"),
    ("进出口", "import and export"),
    ("美容", "beauty"),
    ("美发", "hairdressing"),
    ("饮食", "餐饮", "catering"),
    ("酒店", "hotel"),
    ("旅游", "tourism"),
    ("建造", "construction"),
    ("电子业", "electronics"),
    ("钟表", "watch and clock"),
    ("珠宝", "jewellery"),
    ("纺织", "textile"),
    ("制造", "manufacturing"),
    ("升降机", "电梯", "lift", "lifts", "elevator", "escalator"),
    ("制冷", "空调", "冷气", "refrigeration", "air-conditioning", "air conditioning"),
)
# One pattern of every trade's words (longest first), and which trade each word names: a text is
# scanned once, and literal alternatives scan fast.
_SECTOR_OF = {w: f"s{i}" for i, words in enumerate(SECTORS) for w in words}
_SECTOR = re.compile(
    r"(?<![a-z])(?:"
    + "|".join(re.escape(w) for w in sorted(_SECTOR_OF, key=len, reverse=True) if w.isascii())
    + r")(?![a-z])|"
    + "|".join(re.escape(w) for w in sorted(_SECTOR_OF, key=len, reverse=True) if not w.isascii())
)
LISTED = 3  # a text naming this many trades lists them: it answers "does it include …"


def sectors_named(folded: str) -> dict[str, str]:
    """The trades a folded text names (by group), each with the words that first named it."""
    named: dict[str, str] = {}
    for m in _SECTOR.finditer(folded):
        named.setdefault(_SECTOR_OF[m.group(0)], m.group(0))
    return named


ASK_EVIDENCE["where"] = re.compile(
    "|".join(re.escape(p) for p in PLACES + _DISTRICTS if p not in ("香港", "hong kong"))
    + r"|路|街|大楼|大厦|总部|会场|校园|中心|馆|"
    r"\b(?:district|road|street|headquarters|hall|campus|venue|mainland|centre|"
    r"center|park)\b|内地"
)
# "幾多個註冊技工", "how many trainees": the thing counted, so that a figure about something else
# in the same entry is not taken for it.
_COUNTED_ZH = re.compile(
    r"(?:几多|多少)(个|位|名|间|家|项|份|所|则|次|人|条|张|场|届|类|种|批|座|队|组)?([\u4e00-\u9fff]{2,8})"
)
_COUNTED_EN = re.compile(r"\bhow many ([a-z]+(?: [a-z]+)?)")


@lru_cache(maxsize=16384)
def has_evidence(kind: AskKind, folded_answer: str) -> bool:
    """Whether an answer text states the kind of fact asked (only kinds with a visible form).
    Cached: the same entry texts are checked for the same kinds question after question."""
    pattern = ASK_EVIDENCE.get(kind)
    if pattern is None:
        return True
    if kind == "howmany":
        folded_answer = _DATE.sub(" ", folded_answer)  # a date is not a count
    return bool(pattern.search(folded_answer))


_RUN_ON = re.compile(
    r"(?:可以|可|要|系|係|有|会|能|先|呀|啊|咗|了|的|嘅|去|参加|申请|报读|俾|畀|给|让|供|比).*$"
)


def counted(folded_question: str) -> str | None:
    """What a "how many" question counts: a few characters or words after 幾多/多少/how many."""
    m = _COUNTED_ZH.search(folded_question)
    if m:
        # "幾多個資歷俾人揀" counts 資歷: the words that run on after the noun are not it.
        noun = _RUN_ON.sub("", m.group(2))
        if not noun and m.group(1) == "人":
            return "人"  # "幾多人參加過": people
        # "幾多所高職和高中": the first of things joined is counted with the figure.
        first = re.split(r"[和及与同或、]", noun or m.group(2))[0]
        return (first if len(first) >= 2 else noun or m.group(2))[:4]
    m = _COUNTED_EN.search(folded_question)
    if m:
        # As asked: "members" is a plural noun, "attended" is not; of "internship places", the
        # plural is what is counted.
        words = m.group(1).split()
        return next((w for w in words if w.endswith("s") and len(w) > 3), words[0])
    return None


def count_stated(noun: str, folded_answer: str) -> bool:
    """A figure stands near the counted thing: "400位教職員", "more than 400 staff"."""
    text = _DATE.sub(" ", folded_answer)
    for m in re.finditer(re.escape(noun), text):
        before = text[max(0, m.start() - 30) : m.start()]
        if re.search(
            r"\d|[一二两三四五六七八九十百千万]|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|"
            r"hundred|thousand|dozen)\b",
            before,
        ):
            return True
    return False


# -- message structure -----------------------------------------------------------------------------

# Greetings, thanks and filler around a question carry nothing to match on.
_FILLER = re.compile(
    r"^(?:hi+|hello|hey|dear|早晨|早安|你好|您好|哈佬|hello呀|喂|各位|请问下?|想问下?|想请问|问下|问一下|唔该|"
    r"不好意思|打扰|sorry|excuse me|麻烦|thx|thanks?|thank you|多谢晒?|唔该晒?|谢谢|感谢|pls|please)[\s,，!！~.。]*",
)
_TRAILING_FILLER = re.compile(
    r"[\s,，!！~.。]*(?:thx|thanks?(?: a lot)?|thank you|多谢晒?|唔该晒?|谢谢(?:你)?|感谢|pls|please|先|呀|啊|啦|喇|🙏)+[\s!！~.。]*$"
)
# Emoji and symbols before a question ("🙏 想問…").
_SYMBOLS = re.compile(r"^[^\w?？]+")
# Sentences end at Chinese and English stops; an English full stop only before a space and a word,
# and not after a title or a common abbreviation ("mr. sit", "e.g. lifts").
_SENTENCE = re.compile(
    r"(?<=[？?！!。；;])|\n+|(?<=[\U0001F300-\U0001FAFF\u2600-\u27BF])\s+|"
    r"(?<!\bmr)(?<!\bms)(?<!\bdr)(?<!\bno)(?<!\bst)(?<!\bvs)(?<!\bir)(?<!\bprof)(?<!e\.g)(?<!i\.e)"
    r"(?<=[a-z0-9)\"'\]])\.\s+(?=[a-z])"
)
# Where one sentence holds two asks: "…，佔幾多%", "… and how many …", "…又…", "…同埋…".
_JOINER = re.compile(
    r"[，,、]\s*(?:另外|仲有|同埋|以及|还有|and also|and|also)?\s*|\s+(?:and|also)\s+(?=(?:what|when|where|who|how|which|is|are|does|do|can)\b)|"
    r"(?:另外|同埋|以及|还有|仲有)|\s*(?<![一再])又(?=[^\s]{2})"
)
# Requests about the reply's language are not questions: the language is read from the text itself.
_META = re.compile(
    r"(?:can (?:you|u)|could (?:you|u)|pls|please|sorry)?\s*(?:answer|reply|respond|speak|write)?\s*"
    r"(?:in )?(?:english|eng)\s*(?:pls|please|thx|thanks)?\s*[.。!！,，:：]|"
    r"(?:可唔可以|可否|请|唔该)?(?:用|讲)(?:中文|广东话|繁体|简体|英文)(?:答|回答|回复|讲)?(?:得唔得|吖|啦|呀|唔该)?[.。!！,，?？]?"
)
# "份報告有冇講？", "does the report say?" after an ask: whether the documents say it, which the
# answer tells anyway; not an ask of its own.
_SAYS_IT = re.compile(
    r"(?:份|篇|个|那份|这份|呢份)?(?:报告|文章|文件|通讯|资料)(?:入面|里面|里)?"
    r"(?:有冇|有没有|有无|有否|有)(?:讲|提|提到|提及|说|写|讲到)(?:过|到)?(?:呀|啊|吗|㗎|嘛)?[?？]|"
    r"(?:does|do|did) (?:the|that|this) (?:report|article|document|newsletter)s? (?:say|mention)"
    r"(?: (?:it|that|so))?\s*[?？]"
)
# "换个话题", "another question": start afresh.
_RESET = re.compile(
    r"换个话题|转个话题|换话题|转话题|唔讲呢样住|唔讲呢个住|讲第样|另一个问题|另外一个问题|问第样|"
    r"\b(?:another question|new question|change (?:the )?(?:topic|subject)|different topic|"
    r"something else|unrelated)\b"
)
# "咁 X 呢？", "what about X?", "and X?", "那 X 呢": only a subject, the ask is the last one's.
_SUBJECT_ONLY = re.compile(
    r"^(?:咁|噉|那|那么|那个|另外|and|what about|how about|and what about|what of|same for|and for|as for|for)\s*(.+?)\s*(?:呢|又点|又如何|又点样|又怎样|as well|too)?[?？]*$|"
    r"^(.+?)\s*(?:呢|又点|又点样|又如何|又怎样)[?？]*$"
)
# Pronouns that point back at the last subject.
_POINTER = re.compile(
    r"佢哋|佢|他们|她们|它们|他|她|它|(?:呢|嗰|这|那)(?:个|条|种|项|份|间|次)|嗰日|嗰度|嗰阵|那天|那日|当日|当天|该|此|\b(?:it|its|they|them|their|this|that|"
    r"those|these|the scheme|the one)\b"
)
# Words of a follow-up that carry no subject: "咁", "and", "then"...
_LEAD = re.compile(r"^(?:咁|噉|那么|那|而|另外|又|and|so|then|ok|okay|好)[\s,，]*")


@dataclass(frozen=True)
class Clause:
    text: str  # the clause, folded
    asks: tuple[AskKind, ...] = ()


@dataclass(frozen=True)
class Reading:
    """How a message is built: its question clauses and the story around them."""

    folded: str  # the whole message, folded, filler removed
    clauses: list[Clause] = field(default_factory=list)
    context: str = ""  # story sentences that ask nothing
    reset: bool = False  # "换个话题": the conversation starts afresh
    subject_only: str | None = None  # "咁 X 呢": the X
    pointer: bool = False  # "佢哋", "they": leans on the last subject

    @property
    def asks(self) -> list[AskKind]:
        return list(dict.fromkeys(a for c in self.clauses for a in c.asks))


def strip_filler(folded: str) -> str:
    text = folded.strip()
    for _ in range(3):
        text = _SYMBOLS.sub("", text).strip()
        new = _FILLER.sub("", text).strip()
        new = _TRAILING_FILLER.sub("", new).strip() or new
        if new == text:
            break
        text = new
    return text


# Words that ask. A sentence closed by a full stop asks only with one of them: "我負責屋苑啲機電。"
# says what the asker does, though "負責" is also how one asks who is in charge.
_ASKING = re.compile(
    r"边|哪|谁|什么|甚么|咩|几时|几多|几耐|几钱|几号|几点|几位|几间|多少|点样|点解|点先|如何|怎|为何|为什么|吗|嘛|呢|请问|想问|想知|想了解|"
    r"告诉我|讲下|介绍|\b(?:what|when|where|who|whom|which|why|how|tell me|please|explain)\b"
)


def _is_question(sentence: str) -> bool:
    stripped = sentence.rstrip()
    if stripped.endswith(("。", ".", "!", "！")) and not _ASKING.search(sentence):
        return False
    return (
        stripped.endswith(("?", "？"))
        or bool(ask_kinds(sentence))
        or bool(
            re.search(
                r"吗|嘛|呢[?？]?$|未[?？]?$|系咪|系唔系|有冇|可唔可以|会唔会|使唔使|得唔得|能否|是否|"
                r"^(?:is|are|does|do|did|can|could|will|would|should|has|have|may)\b",
                sentence,
            )
        )
    )


def read(text: str) -> Reading:
    """Split a message into its question clauses (each with its asks) and its story."""
    folded = strip_filler(_SAYS_IT.sub(" ", _META.sub(" ", strip_filler(fold(text)))))
    reset = bool(_RESET.search(folded))
    if reset:
        folded = strip_filler(_RESET.sub(" ", folded).strip(" ,，:：。.!！"))
    sentences = [s.strip() for s in _SENTENCE.split(folded) if s and any(ch.isalnum() for ch in s)]
    questions = [s for s in sentences if _is_question(s)]
    context = " ".join(s for s in sentences if s not in questions)
    if not questions:
        questions = sentences[-1:] if sentences else []
        context = " ".join(sentences[:-1])
    clauses: list[Clause] = []
    for sentence in questions:
        clauses += _split_asks(sentence)
    body = _LEAD.sub("", folded)
    m = _SUBJECT_ONLY.match(body) if len(clauses) <= 1 else None
    subject_only = None
    if m:
        subject = (m.group(1) or m.group(2) or "").strip(" ?？")
        if subject and not ask_kinds(subject) and len(subject) <= 40:
            subject_only = subject
    return Reading(folded, clauses, context, reset, subject_only, bool(_POINTER.search(folded)))


def _split_asks(sentence: str) -> list[Clause]:
    """One sentence, or its parts when it joins two asks ("…，佔幾多%", "… and how many …")."""
    pieces = [p.strip() for p in _JOINER.split(sentence) if p and p.strip()]
    asked = [(p, tuple(ask_kinds(p))) for p in pieces]
    # Only split where every part asks something of its own; otherwise the commas are just commas.
    if len(asked) >= 2 and sum(1 for _, a in asked if a) >= 2:
        out: list[Clause] = []
        pending = ""
        for piece, kinds in asked:
            if not kinds:
                pending = f"{pending} {piece}".strip()  # a part that only names the subject
                continue
            out.append(Clause(f"{pending} {piece}".strip(), kinds))
            pending = ""
        if pending and out:
            last = out[-1]
            out[-1] = Clause(f"{last.text} {pending}", last.asks)
        return out
    return [Clause(sentence, tuple(ask_kinds(sentence)))]


# "份通訊入面，…", "機電署篇文章講到…", "in the VTC article, …": the question
# names the document it read and then asks about something in it. The part after the reference is
# what is asked about; the reference only says where to look.
_DOCUMENT = (
    r"报告|文章|通讯|新闻稿|新闻|演讲|讲话|发言|致辞|备忘录内容|"
    r"(?<![a-z])(?:report|article|newsletter|speech|press release)(?![a-z])"
)
_INSIDE = r"入面|里面|里头|当中|之中|中|里|内|提到|提及|所讲|讲|说|话|写|讲到|mentions?|says?"
_DOCUMENT_REFERENCE = re.compile(
    rf"^(?P<ref>.{{0,24}}?(?:{_DOCUMENT})\s*(?:(?:{_INSIDE}){{1,2}}(?:的|嘅|咗|了)?|的|嘅))[\s,，:：]*(?P<rest>.+)$"
)
_DOCUMENT_REFERENCE_EN = re.compile(
    rf"^(?:in|according to|from)\s+(?P<ref>(?:the|this|that|your)?\s*[^,]{{0,40}}?(?:{_DOCUMENT}))\s*,\s*(?P<rest>.+)$"
)
REST_MIN = 4  # characters a question must keep after its document reference to stand alone


def document_reference(folded: str) -> tuple[str, str] | None:
    """(the reference, the rest) when a question opens by naming the document it read."""
    m = _DOCUMENT_REFERENCE.match(folded) or _DOCUMENT_REFERENCE_EN.match(folded)
    if m is None or len(m.group("rest").strip()) < REST_MIN:
        return None
    return m.group("ref").strip(), m.group("rest").strip()


# "那個諮委會", "that committee": a demonstrative and the words of the thing it points at.
_DEMONSTRATIVE = re.compile(
    r"(?:那个|这个|呢个|嗰个|那间|呢间|嗰间|该)\s*([\u4e00-\u9fff]{2,8})|\b(?:that|this)\s+([a-z]{4,})\b"
)
_NOT_A_THING = frozenset({"year", "month", "week", "time", "round", "stage"})


def demonstrated(folded: str, last_text: str) -> str:
    """The thing the question points at with "那個" / "that" when the last subject's text names it
    (two characters of it at least, or an English word): it asks about the one talked about."""
    for m in _DEMONSTRATIVE.finditer(folded):
        zh, en = m.group(1), m.group(2)
        if zh:
            thing = next((zh[:n] for n in range(len(zh), 1, -1) if zh[:n] in last_text), "")
            if thing:
                return thing
        if en and en not in _NOT_A_THING and re.search(rf"\b{en}\b", last_text):
            return str(en)
    return ""


def without_pointers(folded: str) -> str:
    return _POINTER.sub(" ", folded)


def _spaced(name: str) -> str:
    """A pattern for a compact (spaceless) name as a text may write it, spaces inside allowed."""
    return r"\s*".join(re.escape(ch) for ch in name)


def without_names(folded: str, names: list[str]) -> str:
    """The clause with the given (compact, folded) names taken out, spaces inside them allowed."""
    for name in names:
        folded = re.sub(_spaced(name), " ", folded)
    return " ".join(folded.split())


def as_written(folded: str, name: str) -> str:
    """A compact name as the folded text writes it, spaces and all ("qf promotional vehicle")."""
    m = re.search(_spaced(name), folded)
    return m.group(0) if m else name
