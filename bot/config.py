"""Every setting in one table, read from the environment or a .env file.

`Config` is that table: one typed field per setting, its default and its help text. The setting's
name is the field's name in upper case (TELEGRAM_BOT_TOKEN is `config.telegram_bot_token`).
pydantic-settings reads the environment and the .env file (the environment wins) and checks the
types; a malformed value stops the bot with one line naming the setting. Secrets are `SecretStr`:
repr(), logs and the settings listing never show them (`.get_secret_value()` where they are used).

The CLI's `settings` command, the README table and the tests read SETTINGS, derived from `Config`,
so a new setting is declared once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Annotated, Any

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Config(BaseSettings):
    """The bot's settings, typed. `Config()` reads os.environ and ROOT/.env; tests pass `env`
    (used instead of os.environ) and `dotenv=None`."""

    model_config = SettingsConfigDict(
        case_sensitive=False, extra="ignore", frozen=True, env_file_encoding="utf-8"
    )

    telegram_bot_token: SecretStr = Field(
        SecretStr(""),
        description="Bot token from @BotFather; without it `make run` starts the console.",
    )
    telegram_api_base_url: str = Field(
        "",
        description="Self-hosted Bot API server, e.g. http://127.0.0.1:8081/bot (PTB's base_url).",
    )
    webhook_url: str = Field(
        "", description="Public HTTPS URL for webhook mode; long polling when empty."
    )
    webhook_secret: SecretStr = Field(
        SecretStr(""), description="Secret token Telegram sends with each webhook call."
    )
    webhook_listen: str = Field("127.0.0.1", description="Address the webhook server listens on.")
    webhook_port: int = Field(8443, description="Port the webhook server listens on.")
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        frozenset(),
        description="Comma-separated Telegram user ids allowed to use admin commands.",
    )
    admin_chat_id: int | None = Field(
        None, description="Chat that receives reports and questions for a person."
    )
    knowledge_dir: Path = Field(
        ROOT / "knowledge", description="Folder of the knowledge YAML files."
    )
    data_dir: Path = Field(
        ROOT / "var", description="Folder for the derived index and the state database."
    )
    timezone: str = Field(
        "Asia/Hong_Kong", description="Time zone for dates, events and reminders."
    )
    flood_max_messages: int = Field(8, description="Questions one user may send per flood window.")
    flood_window_seconds: int = Field(30, description="Length of the flood window in seconds.")
    reminder_days: int = Field(
        7, description="Days before an event or deadline that subscribed groups are reminded."
    )
    reminder_hour: int = Field(
        10, description="Local hour (0-23) from which the day's reminders are sent."
    )
    reminder_check_seconds: float = Field(
        600, description="How often the reminder job looks for reminders due."
    )
    telegram_max_rate: float = Field(
        30,
        description="Messages per second to Telegram overall (its limit is about 30); broadcasts pace at it.",
    )
    broadcast_workers: int = Field(
        4, description="Broadcast deliveries in flight at once (they share TELEGRAM_MAX_RATE)."
    )
    broadcast_progress: float = Field(
        5, description="Seconds between updates of a running broadcast's progress message."
    )
    conversation_minutes: float = Field(
        30, description="Minutes a conversation's subject is remembered for follow-up questions."
    )
    schedule_check_seconds: float = Field(
        20,
        description="How often scheduled announcements are looked at (they fire at most this late).",
    )
    schedule_max_delay_minutes: float = Field(
        120,
        description="A scheduled announcement found due later than this (the bot was down) is not sent; the admin is told.",
    )
    log_level: str = Field("INFO", description="Logging level.")
    # State store (issue 14: PostgreSQL for several processes; issue 15: the store's guarantees, privacy)
    database_url: SecretStr = Field(
        SecretStr(""),
        description="PostgreSQL for the state (postgresql://user:pass@host/db), shared by several bot processes; empty: SQLite in DATA_DIR.",
    )
    state_start_fresh: bool = Field(
        False,
        description="1: accept an empty or different state database although DATA_DIR shows an earlier one.",
    )
    user_hash_salt: SecretStr = Field(
        SecretStr(""),
        description="Salt of the query log's user hashes; empty: a 0600 file user_hash.salt in DATA_DIR. Set the same value on every machine.",
    )
    query_text_days: int = Field(
        90,
        description="Days question texts are kept in the query log and inbox; then only counts remain (0: forever).",
    )
    lease_seconds: float = Field(
        3,
        description="With DATABASE_URL: the sender lease (broadcasts, reminders); every process renews or tries to take it every third of this, so a dead sender is replaced within that.",
    )
    bot_api_retry_seconds: float = Field(
        0.5,
        description="Wait before trying the Bot API again when it cannot be reached at start or refuses getUpdates (401/404, a server restarting); doubled after each of the few tries.",
    )

    def __init__(
        self, env: Mapping[str, str] | None = None, dotenv: Path | None = ROOT / ".env"
    ) -> None:
        try:
            if env is None:  # os.environ over the .env file over the defaults
                super().__init__(_env_file=dotenv)
            else:  # `env` over the .env file over the defaults; os.environ is not read
                given = {**(dotenv_values(dotenv) if dotenv else {}), **env}
                fields = type(self).model_fields
                values: dict[str, Any] = {name: info.default for name, info in fields.items()}
                for key, value in given.items():
                    if key.lower() in fields and value is not None:
                        values[key.lower()] = value
                super().__init__(_env_file=None, **values)
        except ValidationError as exc:
            error = exc.errors()[0]
            name = str(error["loc"][0]).upper() if error["loc"] else "?"
            raise SystemExit(
                f"setting {name} is not valid: {error['msg']} (got {error['input']!r})"
            ) from None

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        """ "1, 2" or "1;2": user ids separated by commas or semicolons."""
        if isinstance(value, str):
            return frozenset(v.strip() for v in value.replace(";", ",").split(",") if v.strip())
        return value

    @field_validator("admin_chat_id", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("state_start_fresh", mode="before")
    @classmethod
    def _flag(cls, value: object) -> object:
        """1/true/yes/on or 0/false/no/off; empty is off."""
        if isinstance(value, str) and not value.strip():
            return False
        return value

    def __repr__(self) -> str:
        shown = []
        for s in SETTINGS:
            value = getattr(self, s.name.lower())
            if isinstance(value, SecretStr):
                value = "***" if value else ""
            shown.append(f"{s.name}={value!r}")
        return f"Config({', '.join(shown)})"

    __str__ = __repr__

    @property
    def index_path(self) -> Path:
        return self.data_dir / "index.sqlite"

    @property
    def state_path(self) -> Path:
        return self.data_dir / "state.sqlite"


@dataclass(frozen=True)
class Setting:
    """One row of the settings table, as the README and `bot.py settings` show it."""

    name: str
    default: str
    help: str
    secret: bool = False


def _shown(value: object) -> str:
    """A default as the environment would spell it: 8443, 30 (not 30.0), 0 for off, empty for none."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}"
    if value is None or isinstance(value, frozenset):
        return ",".join(str(v) for v in sorted(value or ()))
    return str(value)


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(
        name=name.upper(),
        default=_shown(info.default),
        help=info.description or "",
        secret=info.annotation is SecretStr,
    )
    for name, info in Config.model_fields.items()
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
