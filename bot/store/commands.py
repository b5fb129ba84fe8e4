"""`python bot.py migrate` and `python bot.py doctor`: the state store and the bot's setup, checked.

migrate [--fresh]   apply pending migrations to the state database (SQLite or DATABASE_URL) and
                    print the version; --fresh accepts an empty or different database where
                    DATA_DIR shows an earlier one (STATE_START_FRESH=1 does the same for `run`).
doctor              checks, one line each, and exits 1 if any fails: the settings, the state
                    database (reachable, migrated, the one DATA_DIR names, the salt's file
                    private), who sends broadcasts (with DATABASE_URL), the bot token (getMe:
                    the bot's name, never the token), and the webhook (getWebhookInfo against
                    WEBHOOK_URL: set, pending updates, Telegram's last error).
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from bot.config import Config

OK, FAIL, WARN = "ok", "FAIL", "warn"


def register(sub: Any) -> None:
    """Add the commands to bot/cli.py's subparsers."""
    migrate = sub.add_parser("migrate", help="apply the state database's pending migrations")
    migrate.add_argument(
        "--fresh",
        action="store_true",
        help="accept an empty or different database although DATA_DIR shows an earlier one",
    )
    migrate.set_defaults(func=cmd_migrate)
    sub.add_parser(
        "doctor", help="check the state database, the token and the webhook"
    ).set_defaults(func=cmd_doctor)


def cmd_migrate(config: Config, args: argparse.Namespace) -> int:
    from bot.store import StateError, Store

    try:
        store = Store.from_config(config, fresh=bool(args.fresh or config.state_start_fresh))
    except StateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        applied = store.applied
        print(
            f"state database {store.backend.description}: version {store.version}"
            + (f" (applied {', '.join(map(str, applied))})" if applied else " (up to date)")
        )
    finally:
        store.close()
    return 0


def cmd_doctor(config: Config, args: argparse.Namespace) -> int:
    results: list[tuple[str, str, str]] = []

    def report(status: str, what: str, detail: str) -> None:
        results.append((status, what, detail))
        print(f"[{status:4}] {what}: {detail}", flush=True)

    check_store(config, report)
    check_telegram(config, report)
    failed = sum(1 for status, _, _ in results if status == FAIL)
    print(f"{len(results)} checks, {failed} failed")
    return 1 if failed else 0


def check_store(config: Config, report: Callable[[str, str, str], None]) -> None:
    from bot.store import MARKER_FILE, SALT_FILE
    from bot.store.backend import open_backend
    from bot.store.migrations import MIGRATIONS

    target = config.database_url.get_secret_value() or config.state_path
    try:
        backend = open_backend(target)
    except Exception as exc:  # noqa: BLE001 - any failure is the finding
        report(FAIL, "state database", f"cannot open {_where(config)}: {_one_line(exc)}")
        return
    try:
        tables = backend.table_names()
        if "migrations" not in tables:
            report(
                FAIL,
                "state database",
                f"{backend.description} is empty: run `python bot.py migrate`",
            )
            return
        done = {r[0] for r in backend.execute("SELECT version FROM migrations").fetchall()}
        pending = [v for v, _ in MIGRATIONS if v not in done]
        newer = sorted(v for v in done if v > len(MIGRATIONS))
        if newer:
            report(
                FAIL,
                "state database",
                f"{backend.description} has migrations {newer} this code does not know",
            )
        elif pending:
            report(
                WARN,
                "state database",
                f"{backend.description}: migrations {pending} pending "
                "(`python bot.py migrate`, or the bot applies them at start)",
            )
        else:
            report(
                OK,
                "state database",
                f"{backend.description} ({backend.dialect}), version {max(done)}",
            )
        row = backend.execute("SELECT value FROM meta WHERE key = 'instance_id'").fetchone()
        marker = config.data_dir / MARKER_FILE
        recorded = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
        if row is not None and recorded is not None and recorded != row[0]:
            report(
                FAIL,
                "database identity",
                f"{marker} names another database: the bot would refuse to start",
            )
        else:
            report(
                OK,
                "database identity",
                "the database DATA_DIR knows" if recorded else "first use from this DATA_DIR",
            )
        if config.user_hash_salt:
            report(OK, "user-hash salt", "from USER_HASH_SALT")
        else:
            salt = config.data_dir / SALT_FILE
            if salt.is_file():
                mode = stat.S_IMODE(os.stat(salt).st_mode)
                report(
                    OK if not mode & 0o077 else WARN,
                    "user-hash salt",
                    f"{salt} (mode {mode:o}{'' if not mode & 0o077 else ': others can read it, chmod 600'})",
                )
            else:
                report(OK, "user-hash salt", f"{salt} is made at the first start")
        if "leases" in tables:
            now = time.time()
            leases = backend.query("SELECT name, holder, expires_at FROM leases")
            live = [
                r
                for r in leases
                if r["name"].startswith("process:") and (r["expires_at"] or 0) >= now
            ]
            sender = next((r for r in leases if r["name"] == "sender"), None)
            if not config.database_url:
                report(OK, "processes", _sqlite_holder(config))
            else:
                who = (
                    f"{sender['holder']} (lease {'live' if (sender['expires_at'] or 0) >= now else 'expired'})"
                    if sender
                    else "nobody yet"
                )
                report(
                    OK, "processes", f"{len(live)} live; broadcasts and reminders sent by {who}"
                )
    except Exception as exc:  # noqa: BLE001
        report(FAIL, "state database", f"{backend.description}: {_one_line(exc)}")
    finally:
        backend.close()


def check_telegram(config: Config, report: Callable[[str, str, str], None]) -> None:
    import httpx

    token = config.telegram_bot_token.get_secret_value()
    if not token:
        report(WARN, "bot token", "TELEGRAM_BOT_TOKEN is not set: `make run` starts the console")
        return
    base = (config.telegram_api_base_url or "https://api.telegram.org/bot").rstrip("/")
    where = urlsplit(base).netloc

    def call(method: str) -> dict:
        response = httpx.post(f"{base}{token}/{method}", timeout=10)
        try:
            body = response.json()
        except json.JSONDecodeError:
            body = {
                "ok": False,
                "description": f"HTTP {response.status_code}, not a Bot API answer",
            }
        return body

    try:
        me = call("getMe")
    except httpx.HTTPError as exc:
        report(FAIL, "bot token", f"cannot reach the Bot API at {where}: {type(exc).__name__}")
        return
    if not me.get("ok"):
        report(
            FAIL,
            "bot token",
            f"the Bot API at {where} refused it ({_scrub(me.get('description'), token)}): "
            "check TELEGRAM_BOT_TOKEN (from @BotFather)",
        )
        return
    report(OK, "bot token", f"accepted: the bot is @{me['result'].get('username')}")
    try:
        info = call("getWebhookInfo").get("result") or {}
    except httpx.HTTPError as exc:
        report(FAIL, "webhook", f"getWebhookInfo failed: {type(exc).__name__}")
        return
    url = info.get("url") or ""
    pending = info.get("pending_update_count", 0)
    error = _scrub(info.get("last_error_message"), token)
    if config.webhook_url:
        if url == config.webhook_url:
            report(
                WARN if error else OK,
                "webhook",
                f"set to WEBHOOK_URL; {pending} update(s) pending"
                + (f"; Telegram's last error: {error}" if error else ""),
            )
        else:
            report(
                WARN,
                "webhook",
                f"Telegram has {url or 'none'}, WEBHOOK_URL is {config.webhook_url}: "
                "the bot sets it at start",
            )
    elif url:
        report(
            WARN,
            "webhook",
            f"Telegram has a webhook ({url}) but WEBHOOK_URL is empty: "
            "the bot removes it when it starts polling",
        )
    else:
        report(OK, "webhook", f"none (long polling); {pending} update(s) pending")


def _sqlite_holder(config: Config) -> str:
    """Whether a bot process holds DATA_DIR's lock (SQLite mode), without disturbing it."""
    from bot.store import StateError
    from bot.store.lock import DataDirLock

    try:
        DataDirLock(config.data_dir).acquire().release()
    except StateError as exc:
        pid = str(exc).split("(pid ", 1)[-1].split(")", 1)[0]
        return f"a bot process is running on this DATA_DIR (pid {pid})"
    return "no bot process is running on this DATA_DIR"


def _where(config: Config) -> str:
    from bot.store.backend import redact_url

    url = config.database_url.get_secret_value()
    return redact_url(url) if url else str(config.state_path)


def _scrub(text: Any, token: str) -> str:
    return str(text or "").replace(token, "<token>") if text else ""


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
