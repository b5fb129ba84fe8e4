"""Validate the knowledge files and build the index, in a process of its own.

`python -m bot.kb.rebuild KNOWLEDGE_DIR INDEX_PATH` is what a running bot's /reload and SIGHUP
start (bot/telegram/operations.py Reloader): loading and validating thousands of entries and
building the index is seconds of CPU that, in a thread of the bot, would hold the GIL and stall
every answer. The result is one JSON object on stdout:

    {"ok": true, "entries": N, "digest": "..."}            the new index is in place
    {"ok": false, "total": N, "errors": [{file, entry, field, message}, ...]}   nothing changed

At most MAX_ERRORS errors are listed (`total` counts them all); `bot.py check-knowledge` prints
every one. The index is built beside the live one and swapped in atomically (bot/kb/index.py),
so the running bot never sees half of one; it then loads it (Assistant.refresh_if_rebuilt).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict
from pathlib import Path

MAX_ERRORS = 100
NICENESS = 10


def rebuild(knowledge_dir: Path, index_path: Path) -> dict:
    from bot.kb.index import build_index
    from bot.kb.loader import KnowledgeInvalid, load_knowledge

    try:
        kb = load_knowledge(knowledge_dir)
    except KnowledgeInvalid as exc:
        return {
            "ok": False,
            "total": len(exc.errors),
            "errors": [asdict(e) for e in exc.errors[:MAX_ERRORS]],
        }
    try:
        build_index(kb, knowledge_dir, index_path)
        # jieba's cache of the new dictionary, where the bot will look for it: loading the new index
        # in the bot then reads it instead of building it (seconds of work under the GIL).
        from bot.kb.index import DICT_NAME
        from bot.kb.text import Segmenter

        Segmenter(index_path.with_name(f"{index_path.stem}.{DICT_NAME}"), index_path.parent)
    except Exception as exc:  # noqa: BLE001 - a full disk or the like: the live index is untouched
        logging.getLogger(__name__).exception("could not build the index")
        error = {
            "file": "index",
            "entry": None,
            "field": None,
            "message": f"could not build the index: {exc}",
        }
        return {"ok": False, "total": 1, "errors": [error]}
    return {"ok": True, "entries": len(kb.entries), "digest": kb.digest}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m bot.kb.rebuild KNOWLEDGE_DIR INDEX_PATH", file=sys.stderr)
        return 2
    if hasattr(os, "nice"):
        try:
            os.nice(NICENESS)  # background work: the bot's answers come first for the CPU
        except OSError:
            pass
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    result = rebuild(Path(args[0]), Path(args[1]))
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
