"""The docker-compose deployment (two bot processes on PostgreSQL behind Caddy) holds together
without Docker: every setting it passes is one the bot knows, the proxy's upstreams are the bot
services on their webhook port and path, every process gets the one shared secret and salt, and
the image runs the bot."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_two_bot_processes_share_one_database_secret_and_salt():
    from bot.config import SETTINGS

    known = {s.name for s in SETTINGS}
    services = compose()["services"]
    bots = [
        name for name, svc in services.items() if svc.get("command") is None and "build" in svc
    ]
    assert sorted(bots) == ["bot1", "bot2"]
    envs = [services[name]["environment"] for name in [*bots, "migrate"]]
    for env in envs:
        assert set(env) <= known, set(env) - known
        assert (
            env["DATABASE_URL"].startswith("postgresql://") and "@db:5432/" in env["DATABASE_URL"]
        )
    for key in ("DATABASE_URL", "WEBHOOK_SECRET", "USER_HASH_SALT", "WEBHOOK_URL"):
        assert len({env[key] for env in envs}) == 1, key  # the same for every process
    assert services["migrate"]["command"] == ["python", "bot.py", "migrate"]
    for name in bots:
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert services[name]["volumes"] != services["migrate"]["volumes"]  # a DATA_DIR each


def test_the_proxy_sends_the_webhook_path_to_both_bots_on_their_port():
    services = compose()["services"]
    env = services["bot1"]["environment"]
    caddy = (ROOT / "deploy" / "Caddyfile").read_text(encoding="utf-8")
    path = "/" + env["WEBHOOK_URL"].split("/", 3)[3]
    upstreams = re.search(r"reverse_proxy\s+(\S+)\s+([^{]+)\{", caddy)
    assert upstreams is not None
    assert upstreams.group(1) == path
    assert sorted(upstreams.group(2).split()) == [
        f"bot1:{env['WEBHOOK_PORT']}",
        f"bot2:{env['WEBHOOK_PORT']}",
    ]
    assert env["WEBHOOK_LISTEN"] == "0.0.0.0"  # reachable from the proxy's container
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]


def test_the_image_installs_the_pinned_requirements_and_runs_the_bot():
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert 'CMD ["python", "bot.py", "run"]' in dockerfile
    assert compose()["x-bot"]["build"]["dockerfile"] == "deploy/Dockerfile"
