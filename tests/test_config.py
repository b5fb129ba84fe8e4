"""Settings: one table read from the environment or .env; the README lists them all; secrets stay hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SETTINGS, Config, read_dotenv, settings_table
from tests.helpers import ROOT


def test_the_readme_shows_the_settings_table_as_declared():
    assert settings_table() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_env_example_or_documented_as_optional():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "ADMIN_IDS",
        "ADMIN_CHAT_ID",
        "WEBHOOK_URL",
        "TELEGRAM_API_BASE_URL",
    ):
        assert name in example


def test_environment_overrides_dotenv_and_defaults(tmp_path: Path):
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# comment\nexport ADMIN_IDS='1, 2'\nFLOOD_WINDOW_SECONDS=9\nTIMEZONE=UTC\n",
        encoding="utf-8",
    )
    config = Config(env={"TIMEZONE": "Asia/Hong_Kong"}, dotenv=dotenv)
    assert config.admin_ids == frozenset({1, 2})
    assert config.flood_window_seconds == 9
    assert config.timezone == "Asia/Hong_Kong"
    assert config.webhook_port == 8443


def test_the_token_never_shows_in_repr():
    config = Config(
        env={"TELEGRAM_BOT_TOKEN": "123456:SECRET-TOKEN", "WEBHOOK_SECRET": "s3cret"}, dotenv=None
    )
    assert "SECRET-TOKEN" not in repr(config) and "s3cret" not in repr(config)
    assert "TELEGRAM_BOT_TOKEN='***'" in repr(config)


def test_a_malformed_setting_stops_with_a_clear_message():
    with pytest.raises(SystemExit, match="ADMIN_IDS"):
        Config(env={"ADMIN_IDS": "12,abc"}, dotenv=None)


def test_dotenv_tolerates_blank_and_odd_lines(tmp_path: Path):
    dotenv = tmp_path / ".env"
    dotenv.write_text('\n\nNOEQUALS\nA="quoted"\n', encoding="utf-8")
    assert read_dotenv(dotenv) == {"A": "quoted"}
    assert read_dotenv(tmp_path / "missing") == {}


def test_every_setting_has_help():
    assert all(s.help.strip() for s in SETTINGS)
