"""Command line: run | console | ask | check-knowledge | build-index | reload | export-queries | settings.

`ask` is a contract other tools rely on (see README): plain text, `--json` or `--jsonl FILE|-`.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import TextIO

from bot.config import SETTINGS, Config
from bot.startup import open_assistant

logger = logging.getLogger(__name__)


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)


def cmd_check(config: Config, args: argparse.Namespace) -> int:
    from bot.kb.loader import KnowledgeInvalid, load_knowledge

    try:
        kb = load_knowledge(Path(config.knowledge_dir))
    except KnowledgeInvalid as exc:
        for err in exc.errors:
            print(err)
        print(f"{len(exc.errors)} error(s)", file=sys.stderr)
        return 1
    rules = len(kb.rules.rules) if kb.rules is not None else 0
    print(
        f"ok: {len(kb.entries)} entries, {len(kb.sources)} sources, {len(kb.topics)} topics, {rules} rules"
    )
    return 0


def cmd_build(config: Config, args: argparse.Namespace) -> int:
    from bot.kb.index import build_index, ensure_index
    from bot.kb.loader import KnowledgeInvalid, load_knowledge

    try:
        if args.force:
            build_index(
                load_knowledge(Path(config.knowledge_dir)),
                Path(config.knowledge_dir),
                config.index_path,
            )
            print(f"index rebuilt: {config.index_path}")
        else:
            rebuilt = ensure_index(Path(config.knowledge_dir), config.index_path)
            print(f"index {'rebuilt' if rebuilt else 'up to date'}: {config.index_path}")
    except KnowledgeInvalid as exc:
        for err in exc.errors:
            print(err, file=sys.stderr)
        if config.index_path.exists():
            # A broken edit never takes answers down: the bot starts on the last good index.
            print(
                f"the knowledge files have {len(exc.errors)} error(s); keeping the last good index",
                file=sys.stderr,
            )
            return 0
        return 1
    return 0


def cmd_reload(config: Config, args: argparse.Namespace) -> int:
    """Validate and rebuild the index; a running bot notices the new index and swaps it in."""
    from bot.kb.index import build_index
    from bot.kb.loader import KnowledgeInvalid, load_knowledge

    try:
        kb = load_knowledge(Path(config.knowledge_dir))
    except KnowledgeInvalid as exc:
        for err in exc.errors:
            print(err)
        print("reload refused: the running bot keeps its current knowledge", file=sys.stderr)
        return 1
    build_index(kb, Path(config.knowledge_dir), config.index_path)
    print(
        f"index rebuilt with {len(kb.entries)} entries; a running bot picks it up within seconds"
    )
    return 0


def _lines(source: str) -> TextIO:
    return sys.stdin if source == "-" else open(source, encoding="utf-8")


def cmd_ask(config: Config, args: argparse.Namespace) -> int:
    from bot.dialogue import Conversations

    assistant = open_assistant(config)
    if args.jsonl:
        # Lines with the same "chat" are one conversation, in file order; lines without it stand alone.
        chats = Conversations()
        with _lines(args.jsonl) as stream:
            for line in stream:
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError:
                    item = {"q": line.rstrip("\n")}
                if not isinstance(item, dict):
                    item = {"q": item}
                q = item.get("q")
                question = q if isinstance(q, str) else "" if q is None else str(q)
                chat = item.get("chat")
                conversation = (
                    chats.get(str(chat)) if isinstance(chat, (str, int)) and chat != "" else None
                )
                try:
                    out = assistant.answer(question, conversation=conversation).as_json()
                except Exception as exc:  # one bad line must not cost the rest of the batch
                    logger.exception("could not answer line %r", line[:200])
                    out = {
                        "q": question,
                        "answered": False,
                        "lang": None,
                        "text": "",
                        "entries": [],
                        "score": 0.0,
                        "error": type(exc).__name__,
                    }
                if "id" in item:
                    out = {"id": item["id"], **out}
                print(json.dumps(out, ensure_ascii=False), flush=True)
        return 0
    question = " ".join(args.question)
    answer = assistant.answer(question)
    print(json.dumps(answer.as_json(), ensure_ascii=False) if args.json else answer.text)
    return 0


def cmd_console(config: Config, args: argparse.Namespace) -> int:
    """A terminal chat. Typing the number of a listed topic opens it, as a button would."""
    from bot.dialogue import Conversation
    from bot.i18n import t

    assistant = open_assistant(config)
    conversation = (
        Conversation()
    )  # the console is one conversation: follow-ups lean on the last turn
    interactive = sys.stdin.isatty()
    if interactive:
        print("Ask a question (Ctrl-D to quit). 請輸入問題（Ctrl-D 離開）。")
    options: list = []
    lang = None
    while True:
        if interactive:
            print("> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text.isdigit() and options and 1 <= int(text) <= len(options):
            answer = assistant.answer_entry(
                options[int(text) - 1].id, lang or "zh-Hant", conversation
            )
        else:
            answer = assistant.answer(text, conversation=conversation)
        if answer is None:
            continue
        lang = answer.lang
        print(answer.text)
        if answer.kind == "choose":
            options = answer.choices  # already numbered in the text
        else:
            options = answer.choices or answer.related
            if options:
                print(f"\n{t('also', lang)}")
                for i, choice in enumerate(options, 1):
                    print(f"  {i}. {choice.title}")
        print(flush=True)
    return 0


def cmd_run(config: Config, args: argparse.Namespace) -> int:
    if not config.telegram_bot_token:
        print("TELEGRAM_BOT_TOKEN is not set: starting the local console.", file=sys.stderr)
        return cmd_console(config, args)
    from bot.telegram.lifecycle import defer_sighup

    defer_sighup()  # before the slow imports: an early `kill -HUP` must not kill the bot
    from bot.telegram.app import run

    run(config)
    return 0


def cmd_export_queries(config: Config, args: argparse.Namespace) -> int:
    """The query log as CSV (user ids only as salted hashes), to a file or stdout."""
    from bot.store import Store

    if not config.database_url and not config.state_path.exists():
        print(f"no state database at {config.state_path}", file=sys.stderr)
        return 1
    store = Store.from_config(config)
    try:
        if args.out == "-":
            count = store.export_queries(sys.stdout, args.since)
        else:
            with open(args.out, "w", encoding="utf-8", newline="") as out:
                count = store.export_queries(out, args.since)
    finally:
        store.close()
    print(
        f"{count} queries written to {'stdout' if args.out == '-' else args.out}", file=sys.stderr
    )
    return 0


def cmd_settings(config: Config, args: argparse.Namespace) -> int:
    if args.markdown:
        from bot.config import settings_table

        print(settings_table())
        return 0
    for s in SETTINGS:
        value = getattr(config, s.name.lower())
        shown = ("(set)" if value else "(not set)") if s.secret else value
        print(f"{s.name:24} {shown!s:40} {s.help}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description="Vocational training assistant")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "run", help="Telegram bot if TELEGRAM_BOT_TOKEN is set, else the console"
    ).set_defaults(func=cmd_run)
    sub.add_parser("console", help="chat in the terminal; reads lines until EOF").set_defaults(
        func=cmd_console
    )
    ask = sub.add_parser("ask", help="answer one question, or a JSONL file of them")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--jsonl", metavar="FILE", help="JSON lines with 'q' (and 'id'); - for stdin")
    ask.set_defaults(func=cmd_ask)
    sub.add_parser("check-knowledge", help="validate the knowledge files").set_defaults(
        func=cmd_check
    )
    build = sub.add_parser("build-index", help="build the search index if stale")
    build.add_argument("--force", action="store_true")
    build.set_defaults(func=cmd_build)
    sub.add_parser(
        "reload", help="validate the knowledge and rebuild the index for a running bot"
    ).set_defaults(func=cmd_reload)
    export = sub.add_parser("export-queries", help="write the query log as CSV (user ids hashed)")
    export.add_argument(
        "--out",
        default="queries.csv",
        help="CSV file to write, - for stdout (default queries.csv)",
    )
    export.add_argument(
        "--since", help="only queries at or after this ISO date/time (UTC), e.g. 2026-03-01"
    )
    export.set_defaults(func=cmd_export_queries)
    settings = sub.add_parser("settings", help="list the settings and their values")
    settings.add_argument(
        "--markdown", action="store_true", help="the defaults as the README's table"
    )
    settings.set_defaults(func=cmd_settings)
    from bot.store.commands import register as register_store_commands

    register_store_commands(sub)  # migrate, doctor (bot/store/commands.py)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    config = Config()
    setup_logging(config.log_level)
    if hasattr(sys.stdout, "reconfigure"):
        # backslashreplace: a lone surrogate echoed back stays valid JSON instead of crashing the batch
        sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
    raise SystemExit(args.func(config, args))
