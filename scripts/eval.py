"""Answer quality on question sets, scored by the rules in ../shared/eval/README.md, with two baselines.

    python -m scripts.eval ../shared/eval/dev.jsonl [more.jsonl ...] [--show-fails]

Scores with the referee's own functions (../shared/eval/grade.py). Runs in process over the same index
as the bot: the engine, (a) jieba + BM25 returning the top entry with no threshold, and (b) rapidfuzz
WRatio over the sample questions alone. Rows with a "chat" field are one conversation per chat, in
file order (the engine keeps it; the baselines read every line alone). "first" is the share of passing
in-scope replies whose first expected key starts within the first 120 characters; "p90" the 90th
percentile of reply length.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType

from rapidfuzz import fuzz, process

from bot.assistant import Answer, Assistant
from bot.config import Config
from bot.dialogue import Conversations
from bot.kb.text import detect_lang, fold

REFEREE = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "grade.py"


def _referee() -> ModuleType:
    """The evaluation's own grade.py, so this script scores exactly as the referee does."""
    spec = importlib.util.spec_from_file_location("grade", REFEREE)
    if spec is None or spec.loader is None:
        raise SystemExit(f"the referee {REFEREE} is not there (../shared beside this checkout)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_grade = _referee()
norm: Callable[[str], str] = _grade.norm
script_ok: Callable[[str, str], bool] = _grade.script_ok
LANG_ORDER = ("zh-Hant", "yue", "zh-Hans", "en")


FIRST_CHARS = 120


def first_key_at(text: str, expect: list[list[str]]) -> int:
    """Where the first expected group's earliest alternative starts in the normalised reply."""
    n = norm(text)
    spots = [n.find(norm(alt)) for alt in expect[0] if norm(alt) in n]
    return min(spots) if spots else len(n)


def score(rows: list[dict], answer: Callable[[str, str | None], Answer]) -> dict:
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    ins, dec, scr, first = [0, 0], [0, 0], [0, 0], [0, 0]
    lengths: list[int] = []
    fails = []
    for r in rows:
        a = answer(r["q"], r.get("chat"))
        lengths.append(len(a.text))
        if r.get("none"):
            ok = not a.answered
            dec[0] += ok
            dec[1] += 1
        else:
            n = norm(a.text)
            ok = a.answered and all(any(norm(alt) in n for alt in g) for g in r["expect"])
            ins[0] += ok
            ins[1] += 1
            if ok:
                first[0] += first_key_at(a.text, r["expect"]) < FIRST_CHARS
                first[1] += 1
            s_ok = script_ok(r["lang"], a.text)
            scr[0] += s_ok
            scr[1] += 1
            if not s_ok:
                fails.append((r, a, "script"))
        per[r["lang"]][0] += ok
        per[r["lang"]][1] += 1
        if not ok:
            fails.append((r, a, "wrong"))
    lengths.sort()
    p90 = lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))] if lengths else 0
    return {
        "in_scope": ins,
        "declines": dec,
        "script": scr,
        "first": first,
        "p90": p90,
        "per_lang": dict(per),
        "fails": fails,
    }


def pct(x: list[int]) -> str:
    return f"{100.0 * x[0] / x[1]:5.1f}% ({x[0]}/{x[1]})" if x[1] else "    –"


class Baselines:
    """The two naive matchers the engine must beat, over the same knowledge and rendering."""

    def __init__(self, assistant: Assistant) -> None:
        self.a = assistant
        self.questions: list[str] = []
        self.owners: list[str] = []
        for entry in assistant.kb.entries.values():
            for q in entry.questions.all():
                self.questions.append(fold(q))
                self.owners.append(entry.id)

    def _reply(self, q: str, entry_id: str | None, score: float) -> Answer:
        lang = detect_lang(q)
        if entry_id is None:
            return self.a.decline(q, lang)
        entry = self.a.kb.entries[entry_id]
        return Answer(
            query=q,
            answered=True,
            lang=lang,
            text=self.a.render_entry(entry, lang),
            kind="answer",
            entries=[entry_id],
            score=score,
        )

    def bm25(self, q: str) -> Answer:
        hits = self.a.index.search(self.a.index.segmenter.tokens(q), limit=1)
        return self._reply(q, hits[0][0] if hits else None, hits[0][1] if hits else 0.0)

    def wratio(self, q: str) -> Answer:
        best = process.extractOne(fold(q), self.questions, scorer=fuzz.WRatio)
        return self._reply(q, self.owners[best[2]] if best else None, best[1] if best else 0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="+")
    ap.add_argument("--show-fails", action="store_true")
    args = ap.parse_args(argv)
    config = Config()
    assistant = Assistant.open(Path(config.knowledge_dir), config.index_path)

    def engine(chats: Conversations, question: str, chat: str | None) -> Answer:
        return assistant.answer(question, conversation=chats.get(chat) if chat else None)

    base = Baselines(assistant)
    for path in args.files:
        rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
        chats = Conversations()
        systems: dict[str, Callable[[str, str | None], Answer]] = {
            "engine": partial(engine, chats),
            "bm25-top1": lambda q, chat: base.bm25(q),
            "wratio-questions": lambda q, chat: base.wratio(q),
        }
        print(f"\n## {Path(path).name} ({len(rows)} questions)\n")
        langs = [lang for lang in LANG_ORDER if any(r["lang"] == lang for r in rows)]
        print(
            "| system | in scope | declines | script | first | p90 | " + " | ".join(langs) + " |"
        )
        print("|---|---|---|---|---|---|" + "---|" * len(langs))
        results = {}
        for name, fn in systems.items():
            res = results[name] = score(rows, fn)
            cells = [
                pct(res["in_scope"]),
                pct(res["declines"]),
                pct(res["script"]),
                pct(res["first"]),
                str(res["p90"]),
            ]
            cells += [pct(res["per_lang"].get(lang, [0, 0])) for lang in langs]
            print(f"| {name} | " + " | ".join(cells) + " |")
        if args.show_fails:
            for r, a, why in results["engine"]["fails"]:
                print(
                    f"--- {r['id']} [{r['lang']}] {why}: {r['q']}\n    expect {r.get('expect', 'decline')}"
                    f"\n    got answered={a.answered} {a.entries} {a.score:.3f} {a.text[:160]!r}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
