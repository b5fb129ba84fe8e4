"""Every setting in one table, read from the environment or a .env file.

The CLI's `settings` command, the README table and the tests all read SETTINGS, so a new setting is
declared once. Secrets are never shown by repr(), logs or the settings listing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _ids(value: str) -> frozenset[int]:
    return frozenset(int(v) for v in value.replace(";", ",").split(",") if v.strip())


def _opt_int(value: str) -> int | None:
    return int(value) if value.strip() else None


def _flag(value: str) -> bool:
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off"):
        return False
    raise ValueError(f"expected 1 or 0, got {value!r}")


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    parse: Callable[[str], Any] = str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "TELEGRAM_BOT_TOKEN",
        "",
        "Bot token from @BotFather; without it `make run` starts the console.",
        secret=True,
    ),
    Setting(
        "TELEGRAM_API_BASE_URL",
        "",
        "Self-hosted Bot API server, e.g. http://127.0.0.1:8081/bot (PTB's base_url).",
    ),
    Setting("WEBHOOK_URL", "", "Public HTTPS URL for webhook mode; long polling when empty."),
    Setting(
        "WEBHOOK_SECRET", "", "Secret token Telegram sends with each webhook call.", secret=True
    ),
    Setting("WEBHOOK_LISTEN", "127.0.0.1", "Address the webhook server listens on."),
    Setting("WEBHOOK_PORT", "8443", "Port the webhook server listens on.", int),
    Setting(
        "ADMIN_IDS", "", "Comma-separated Telegram user ids allowed to use admin commands.", _ids
    ),
    Setting(
        "ADMIN_CHAT_ID", "", "Chat that receives reports and questions for a person.", _opt_int
    ),
    Setting("KNOWLEDGE_DIR", str(ROOT / "knowledge"), "Folder of the knowledge YAML files.", Path),
    Setting(
        "DATA_DIR", str(ROOT / "var"), "Folder for the derived index and the state database.", Path
    ),
    Setting("TIMEZONE", "Asia/Hong_Kong", "Time zone for dates, events and reminders."),
    Setting("FLOOD_MAX_MESSAGES", "8", "Questions one user may send per flood window.", int),
    Setting("FLOOD_WINDOW_SECONDS", "30", "Length of the flood window in seconds.", int),
    Setting(
        "REMINDER_DAYS",
        "7",
        "Days before an event or deadline that subscribed groups are reminded.",
        int,
    ),
    Setting(
        "REMINDER_HOUR", "10", "Local hour (0-23) from which the day's reminders are sent.", int
    ),
    Setting(
        "REMINDER_CHECK_SECONDS",
        "600",
        "How often the reminder job looks for reminders due.",
        float,
    ),
    Setting(
        "TELEGRAM_MAX_RATE",
        "30",
        "Messages per second to Telegram overall (its limit is about 30); broadcasts pace at it.",
        float,
    ),
    Setting(
        "BROADCAST_WORKERS",
        "4",
        "Broadcast deliveries in flight at once (they share TELEGRAM_MAX_RATE).",
        int,
    ),
    Setting(
        "BROADCAST_PROGRESS",
        "5",
        "Seconds between updates of a running broadcast's progress message.",
        float,
    ),
    Setting(
        "CONVERSATION_MINUTES",
        "30",
        "Minutes a conversation's subject is remembered for follow-up questions.",
        float,
    ),
    Setting(
        "SCHEDULE_CHECK_SECONDS",
        "20",
        "How often scheduled announcements are looked at (they fire at most this late).",
        float,
    ),
    Setting(
        "SCHEDULE_MAX_DELAY_MINUTES",
        "120",
        "A scheduled announcement found due later than this (the bot was down) is not sent; the admin is told.",
        float,
    ),
    Setting("LOG_LEVEL", "INFO", "Logging level."),
    # State store (issue 14: PostgreSQL for several processes; issue 15: the store's guarantees, privacy)
    Setting(
        "DATABASE_URL",
        "",
        "PostgreSQL for the state (postgresql://user:pass@host/db), shared by several bot processes; empty: SQLite in DATA_DIR.",
        secret=True,
    ),
    Setting(
        "STATE_START_FRESH",
        "0",
        "1: accept an empty or different state database although DATA_DIR shows an earlier one.",
        _flag,
    ),
    Setting(
        "USER_HASH_SALT",
        "",
        "Salt of the query log's user hashes; empty: a 0600 file user_hash.salt in DATA_DIR. Set the same value on every machine.",
        secret=True,
    ),
    Setting(
        "QUERY_TEXT_DAYS",
        "90",
        "Days question texts are kept in the query log and inbox; then only counts remain (0: forever).",
        int,
    ),
    Setting(
        "LEASE_SECONDS",
        "3",
        "With DATABASE_URL: the sender lease (broadcasts, reminders); every process renews or tries to take it every third of this, so a dead sender is replaced within that.",
        float,
    ),
)


def settings_table() -> str:
    """The Markdown table of every setting, its default and its help, as the README shows it."""
    rows = ["| setting | default | what it does |", "| --- | --- | --- |"]
    for s in SETTINGS:
        default = (
            s.default if not s.default.startswith(str(ROOT)) else s.default.replace(str(ROOT), ".")
        )
        rows.append(f"| `{s.name}` | {f'`{default}`' if default else ''} | {s.help} |")
    return "\n".join(rows)


def zone(name: str) -> tzinfo:
    """The named time zone; Hong Kong time (UTC+8, no DST) when the zone database lacks it."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # noqa: BLE001 - a missing tzdata must not stop the bot
        logging.getLogger(__name__).warning("time zone %r not found; using UTC+8", name)
        return timezone(timedelta(hours=8))


def today_in(tz_name: str) -> Callable[[], date]:
    """Today's date where the workers are: deadlines end at midnight in Hong Kong, not on the server."""
    tz = zone(tz_name)
    return lambda: datetime.now(tz).date()


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines; comments and blank lines ignored; quotes around values stripped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return values


class Config:
    """Parsed settings; attribute names are the setting names in lower case."""

    def __init__(
        self, env: dict[str, str] | None = None, dotenv: Path | None = ROOT / ".env"
    ) -> None:
        source = {
            **(read_dotenv(dotenv) if dotenv else {}),
            **(os.environ if env is None else env),
        }
        self._values: dict[str, Any] = {}
        for s in SETTINGS:
            raw = source.get(s.name, s.default)
            try:
                self._values[s.name.lower()] = s.parse(raw)
            except ValueError as exc:
                raise SystemExit(f"setting {s.name} is not valid: {exc}") from None

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        shown = []
        for s in SETTINGS:
            value = self._values[s.name.lower()]
            shown.append(f"{s.name}={'***' if s.secret and value else value!r}")
        return f"Config({', '.join(shown)})"

    @property
    def index_path(self) -> Path:
        return Path(self.data_dir) / "index.sqlite"

    @property
    def state_path(self) -> Path:
        return Path(self.data_dir) / "state.sqlite"
