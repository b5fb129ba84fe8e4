"""Text handling shared by the index and the matcher: normalising, script detection, conversion, cutting.

Matching happens on one folded form (NFKC, lower case, Simplified characters), so a question typed
in Traditional, Simplified or a mix finds the same entries; replies are converted back to the
asker's script.
"""

from __future__ import annotations

import contextlib
import logging
import marshal
import os
import re
import sys
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from hashlib import md5
from pathlib import Path
from types import ModuleType
from typing import Literal, TypeGuard

import opencc

logger = logging.getLogger(__name__)

Lang = Literal["zh-Hant", "zh-Hans", "en"]
LANGS: tuple[Lang, ...] = ("zh-Hant", "zh-Hans", "en")


def is_lang(code: object) -> TypeGuard[Lang]:
    """Whether `code` is one of LANGS (a stored choice or a button's code, say)."""
    return code in LANGS


@cache
def converter(config: str) -> opencc.OpenCC:
    """An OpenCC converter, built on first use: s2t alone takes 0.06-0.08 s to load, and most
    processes (and most replies) never need it.

    hk2s also folds Hong Kong variants (衞) that t2s leaves alone; t2s is what readers of
    Simplified expect in replies; s2t puts folded words back in Traditional.
    """
    return opencc.OpenCC(config)


# The Han characters (_HAN) that s2t rewrites: script detection reads them from this file instead of
# loading s2t (tests/test_startup.py checks the file against OpenCC; scripts/simplified_only.py
# writes it).
SIMPLIFIED_ONLY_FILE = Path(__file__).with_name("simplified_only.txt")
HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))  # as _HAN below


def _read_simplified_only() -> frozenset[str]:
    lines = SIMPLIFIED_ONLY_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset("".join(line for line in lines if not line.startswith("#")))


def s2t_changed() -> str:
    """Every Han character that s2t rewrites, in code point order, as OpenCC says now."""
    s2t = converter("s2t")
    return "".join(
        c for lo, hi in HAN_RANGES for c in map(chr, range(lo, hi + 1)) if s2t.convert(c) != c
    )


_SIMPLIFIED_ONLY = _read_simplified_only()

MAX_QUERY_CHARS = 300
FOLD_CACHE = 16384  # folded texts kept: every entry's texts and names, and recent questions
# Controls, zero-widths, bidi marks, and lone surrogates (which no encoder, OpenCC's included, accepts).
_CONTROL = re.compile(
    r"[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)
_HAN_CHARS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = re.compile(f"[{_HAN_CHARS}]")
_ALL_HAN = re.compile(f"[{_HAN_CHARS}]+")
_LATIN_WORD = re.compile(r"[a-zA-Z]+")
# Runs of Han characters, or of Latin letters/digits (with inner &.-+ as in E&M, BIM-AM, 4.0).
_RUN = re.compile(rf"[{_HAN_CHARS}]+|[a-z0-9]+(?:[&.+'-][a-z0-9]+)*")

# Words that carry no topic: question words and particles in the four forms workers write.
# Kept small on purpose; rarer function words are discounted by their document frequency.
STOPWORDS = frozenset(
    """
    的 了 吗 呢 吧 啊 呀 嘛 啦 喇 咩 呀 嘅 咗 嗎 是 系 有 在 喺 和 与 及 或 我 你 他 她 佢 我们 你们 佢哋 我哋
    什么 甚么 乜 乜嘢 咩嘢 嘢 怎么 怎样 点 点样 点解 为什么 为何 如何 哪 哪里 哪些 边 边度 边个 边啲 谁 几 几多 多少
    几时 何时 时候 甚么时候 什么时候 可以 可唔可以 能 能否 会 会唔会 要 使 使唔使 需要 想 请问 请 唔该 吓 下 个 啲
    这 这个 那 那个 呢个 嗰个 该 其 之 吗 么 唔 冇 没有 无 不 都 也 就 还 又 同 跟 给 畀 俾 对 得 着 过 来 去 到 上
    点算 好耐 做咗 咁 噉 喺度 冇得 有冇得 得唔得 有冇 系咪 系唔系 啱 咪 先 啦 嘞 喎 㗎 架 囉 啰 呀 吖
    what who whom whose which when where why how is are was were be been do does did can could would should will
    shall may might must the a an of to in on at for by with from about as and or not no yes i me my we our you your
    it its this that these those there their they them he she his her any some much many tell please know want
    """.split()
)


def normalise(text: str) -> str:
    """A message as read: NFKC (full-width to half-width), control characters out, spaces
    collapsed, length capped."""
    return _clean(text)[:MAX_QUERY_CHARS]


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = _CONTROL.sub(" ", text)
    return " ".join(text.split())


@lru_cache(maxsize=FOLD_CACHE)
def fold(text: str) -> str:
    """The matching form: normalised (so capped like a message), lower case, Simplified characters.
    Cached: entry texts and names are folded again at every question that reads them."""
    return _fold(normalise(text))


def fold_whole(text: str) -> str:
    """fold() without the length cap: an entry's whole text, to check it for the fact asked (its
    English half starts past the cap)."""
    return _fold(_clean(text))


# Variant characters Hong Kong input methods type that OpenCC leaves as they are (廣吿 for 廣告).
_VARIANTS = str.maketrans(
    {"吿": "告", "淸": "清", "靑": "青", "囘": "回", "濶": "阔", "擧": "举", "𠮶": "嗰"}
)


def _fold(text: str) -> str:
    # hk2s turns Cantonese 嗰 ("that") into the rare 𠮶; keep the form every cue is written with.
    return converter("hk2s").convert(text.lower()).translate(_VARIANTS)


def to_simplified(text: str) -> str:
    return converter("t2s").convert(text)


def in_script(text: str, lang: Lang) -> str:
    """Folded (Simplified) words of a question, back in the reader's script."""
    return converter("s2t").convert(text) if lang == "zh-Hant" else text


@lru_cache(maxsize=65536)
def _char_script(char: str) -> int:
    """+1 for a Traditional-only character, -1 for a Simplified-only one, 0 for shared."""
    if converter("t2s").convert(char) != char:
        return 1
    if char in _SIMPLIFIED_ONLY:
        return -1
    if _HAN.fullmatch(char):
        return 0  # a Han character s2t leaves as it is
    return -1 if converter("s2t").convert(char) != char else 0


def han_count(text: str) -> int:
    return len(_HAN.findall(text))


# Characters that only a Chinese sentence has: particles and question words, not names. A Hong Kong
# question with English terms in it ("RPL 嘅 exemption period 幾時完") is still a Chinese question.
_CHINESE_GRAMMAR = re.compile(
    r"[嘅的咗係是嗎吗呢咩嗰啲乜點点幾几冇唔想問问請请我你佢喺邊边哪甚什麼么怎]"
)


def detect_lang(text: str, default_chinese: Lang = "zh-Hant", prefer: Lang | None = None) -> Lang:
    """The asker's language and script.

    Chinese when Han characters outweigh Latin words (so "RPL 幾時截止?" is Chinese but an
    English sentence naming 機電署 stays English); Simplified only when Simplified-only characters
    outnumber Traditional-only ones, since most characters are shared and Hong Kong writes Traditional.
    """
    text = normalise(text)
    hans = _HAN.findall(text)
    words = len(_LATIN_WORD.findall(text))
    if not hans:
        # "RPL?" alone says nothing about the asker's language: their usual one, if known.
        latin = _LATIN_WORD.findall(text)
        bare = len(latin) <= 2 and all(
            len(w) <= 5 for w in latin
        )  # "RPL?", "QF VQP": no sentence to go by
        return prefer if prefer is not None and prefer != "en" and bare else "en"
    if len(hans) * 2 < words * 3 and not (len(hans) >= 2 and _CHINESE_GRAMMAR.search(text)):
        return "en"
    if prefer in ("zh-Hant", "zh-Hans"):
        default_chinese = prefer
    score = sum(_char_script(c) for c in hans)
    if score < 0:
        return "zh-Hans"
    if score > 0:
        return "zh-Hant"
    return default_chinese


def runs(folded: str) -> list[str]:
    return _RUN.findall(folded)


def is_han(token: str) -> bool:
    return bool(_HAN.match(token))


def all_han(text: str) -> bool:
    """Every character Chinese (a name to mend by its character pairs)."""
    return bool(_ALL_HAN.fullmatch(text))


def stem(word: str) -> str:
    """A light English stemmer: plurals and -ing/-ed forms meet their base word (provinces → province).

    Deliberately crude and applied the same way to questions and knowledge, so it only has to be
    consistent, not linguistically right.
    """
    if word.endswith(("'s", "’s")):
        word = word[:-2]  # possessive: sector's → sector
    if len(word) <= 4 or not word.isalpha():
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if word.endswith("ing") and len(word) > 6:
        return word[:-3]
    if word.endswith("ed") and len(word) > 5:
        return word[:-2]
    return word


def _import_jieba() -> ModuleType:
    """jieba, imported when first needed (tools that never cut text do not pay for it), without
    pkg_resources: jieba imports it only to open its own data files, which it opens directly when
    pkg_resources is missing, and importing pkg_resources costs 0.1-0.2 s of start-up."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import fails: jieba falls back
    try:
        import jieba
    finally:
        if sys.modules.get("pkg_resources", ...) is None:
            del sys.modules["pkg_resources"]
    return jieba


def _cache_name(dictionary: Path) -> str:
    """jieba's file name for its cache of a dictionary: made from the dictionary's absolute path."""
    return (
        f"jieba.u{md5(os.path.abspath(dictionary).encode('utf-8', 'replace')).hexdigest()}.cache"
    )


class Segmenter:
    """jieba with a small generated dictionary, so a fresh process starts in a fraction of a second.

    The dictionary (built by `write_dictionary`) holds jieba's most frequent words plus every name
    and alias in the knowledge base and a list of Cantonese words, all folded to Simplified.
    """

    def __init__(self, dictionary: Path, cache_dir: Path) -> None:
        jieba = _import_jieba()
        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer(dictionary=str(dictionary))
        self._tk.tmp_dir = str(cache_dir)
        self._tk.cache_file = _cache_name(dictionary)  # the name jieba would give it, spelled out
        if not self._load_cache(Path(cache_dir) / self._tk.cache_file):
            self._tk.initialize()  # builds the prefix dictionary (about a second) and caches it

    def _load_cache(self, cache: Path) -> bool:
        """Read jieba's cache of the prefix dictionary when jieba itself would trust it (newer than
        the dictionary). jieba's `marshal.load` from an open file reads it piece by piece, which takes
        five times as long as decoding the bytes read at once: 0.2 s of every start-up."""
        try:
            if cache.stat().st_mtime <= Path(self._tk.dictionary).stat().st_mtime:
                return False
            freq, total = marshal.loads(cache.read_bytes())
        except (OSError, ValueError, EOFError, TypeError):
            return False  # missing, stale or unreadable: jieba rebuilds it
        self._tk.FREQ, self._tk.total, self._tk.initialized = freq, total, True
        return True

    def save_cache(self, dictionary: Path, cache_dir: Path) -> None:
        """Write this segmenter's prefix dictionary as jieba's cache of `dictionary`, a copy of the one
        it was made from (an index build cuts with a dictionary under a temporary name): the first
        process to open the new index then reads it instead of building it (about a second)."""
        cache = Path(cache_dir) / _cache_name(dictionary)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(marshal.dumps((self._tk.FREQ, self._tk.total)))
            os.replace(tmp, cache)  # written after the dictionary, so newer than it
        except OSError:
            logger.warning("could not write the jieba cache %s", cache, exc_info=True)
            tmp.unlink(missing_ok=True)

    def units(self, folded: str) -> list[tuple[str, list[str]]]:
        """Words of an already folded text, each with its search-mode pieces (known sub-words, then itself).

        Like jieba's cut_for_search, kept grouped: a name like 僱員再培訓局 is one word of the
        question however many pieces it has.
        """
        out: list[tuple[str, list[str]]] = []
        freq = self._tk.FREQ
        for run in runs(folded):
            if not is_han(run):
                word = stem(run)
                # "2024-2025" in the knowledge and "2024至2025年" in a question meet on the years.
                parts = (
                    [p for p in re.split(r"[-/]", word) if p]
                    if re.fullmatch(r"\d+(?:[-/]\d+)+", word)
                    else []
                )
                out.append((word, [*parts, word]))
                continue
            for w in self._tk.cut(run, HMM=True):
                if not w.strip():
                    continue
                pieces = []
                if len(w) > 2:
                    # Every character pair, known word or not: the asker's 安老從業員 and the
                    # knowledge's 安老服務業 then share 安老 even though jieba cuts them differently.
                    pieces += [w[i : i + 2] for i in range(len(w) - 1)]
                if len(w) > 3:
                    pieces += [w[i : i + 3] for i in range(len(w) - 2) if freq.get(w[i : i + 3])]
                pieces.append(w)
                out.append((w, pieces))
        return out

    def cut(self, folded: str) -> list[str]:
        """Search-mode tokens of an already folded text: long words and their known sub-words."""
        return [piece for _, pieces in self.units(folded) for piece in pieces]

    def tokens(self, text: str) -> list[str]:
        return self.cut(fold(text))


def _jieba_dictionary() -> Path:
    return Path(_import_jieba().__file__ or "").with_name("dict.txt")


def _kept_top(cache_dir: Path, base_top: int) -> Path:
    """Where a build keeps jieba's most frequent words: named after jieba's dictionary as installed."""
    stat = _jieba_dictionary().stat()
    return cache_dir / f"jieba-top-{base_top}-{stat.st_size}-{stat.st_mtime_ns}.txt"


_TOP: dict[int, str] = {}  # this process's list, by size: every later build reuses it


def _jieba_top(base_top: int, cache_dir: Path | None = None) -> str:
    """The `base_top` most frequent lines of jieba's dictionary, most frequent first. Reading and
    sorting its 349,000 lines takes about a second: once per process, and kept in `cache_dir`
    for the next process (a reload, a teach) to read instead."""
    kept = _kept_top(cache_dir, base_top) if cache_dir else None
    if base_top not in _TOP and kept is not None:
        with contextlib.suppress(OSError):
            _TOP[base_top] = kept.read_text(encoding="utf-8")
    if base_top not in _TOP:
        rows = []
        for line in _jieba_dictionary().read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                rows.append((int(parts[1]), parts[0], parts[2] if len(parts) > 2 else "x"))
        rows.sort(reverse=True)
        _TOP[base_top] = "".join(f"{w} {f} {t}\n" for f, w, t in rows[:base_top])
    if kept is not None and not kept.exists():
        _keep(kept, _TOP[base_top], f"jieba-top-{base_top}-*.txt")
    return _TOP[base_top]


def _keep(path: Path, text: str, older: str) -> None:
    """Write `text` to `path` whole, first removing files matching `older` (of a jieba installed
    before); a read-only or full disk leaves nothing behind, and the next build sorts again."""
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        for old in path.parent.glob(older):
            old.unlink()
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def write_dictionary(path: Path, extra_words: Iterable[str], base_top: int = 60000) -> None:
    """Write the trimmed jieba dictionary: the `base_top` most frequent jieba words plus `extra_words`."""
    words: dict[str, tuple[int, str]] = {}
    for line in _jieba_top(base_top, path.parent).splitlines():
        w, f, t = line.split(" ")
        words[w] = (int(f), t)
    for word in extra_words:
        w = fold(word).replace(" ", "")
        if len(w) >= 2 and all(is_han(c) or c.isalnum() for c in w):
            # Frequent enough to win over a split into two common words.
            words[w] = (max(words.get(w, (0, "n"))[0], 2000), "nz")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        "".join(f"{w} {f} {t}\n" for w, (f, t) in sorted(words.items())), encoding="utf-8"
    )
    tmp.replace(path)
