"""Settings: one table read from the environment or .env; the README lists them all; secrets stay hidden."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SETTINGS, Config, settings_table
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
    dotenv.write_text('\n\nNOEQUALS\nLOG_LEVEL="WARNING"\nNOT_A_SETTING=1\n', encoding="utf-8")
    assert Config(env={}, dotenv=dotenv).log_level == "WARNING"
    assert Config(env={}, dotenv=tmp_path / "missing").log_level == "INFO"


def test_the_process_environment_overrides_the_dotenv_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    dotenv = tmp_path / ".env"
    dotenv.write_text("REMINDER_DAYS=3\nREMINDER_HOUR=8\n", encoding="utf-8")
    monkeypatch.setenv("REMINDER_HOUR", "11")
    config = Config(dotenv=dotenv)
    assert (config.reminder_days, config.reminder_hour) == (3, 11)


def test_secrets_are_hidden_everywhere_but_where_they_are_used():
    config = Config(
        env={
            "TELEGRAM_BOT_TOKEN": "123456:SECRET-TOKEN",
            "DATABASE_URL": "postgresql://u:pw@h/db",
        },
        dotenv=None,
    )
    assert "SECRET-TOKEN" not in str(config) and "pw@" not in str(config.model_dump())
    assert config.telegram_bot_token.get_secret_value() == "123456:SECRET-TOKEN"
    assert [s.name for s in SETTINGS if s.secret] == [
        "TELEGRAM_BOT_TOKEN",
        "WEBHOOK_SECRET",
        "DATABASE_URL",
        "USER_HASH_SALT",
    ]


def test_settings_are_typed_and_empty_values_mean_none_or_off():
    config = Config(
        env={"ADMIN_IDS": "1; 2,", "ADMIN_CHAT_ID": "", "STATE_START_FRESH": ""}, dotenv=None
    )
    assert config.admin_ids == frozenset({1, 2})
    assert config.admin_chat_id is None and config.state_start_fresh is False
    assert Config(env={"STATE_START_FRESH": "yes"}, dotenv=None).state_start_fresh is True
    assert config.knowledge_dir == ROOT / "knowledge" and config.telegram_max_rate == 30.0


def test_every_setting_has_help():
    assert all(s.help.strip() for s in SETTINGS)
