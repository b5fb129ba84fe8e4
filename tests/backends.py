"""The state store's two backends for tests: an SQLite file, and a real PostgreSQL server.

PostgreSQL comes from TEST_DATABASE_URL (`.ci/run` starts a server and sets it), else a server on
127.0.0.1:5432 if one answers; without either, the PostgreSQL half of each store test is skipped
and says why. Each test gets a schema of its own on that server (dropped afterwards), so tests
never see each other's rows; under pytest-xdist each worker also has a database of its own on it
(`worker_database`), so the workers share nothing, not even the lock migrations take.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SKIP_REASON = (
    "no PostgreSQL server reachable: set TEST_DATABASE_URL=postgresql://... "
    "(.ci/run starts one and sets it)"
)
_reachable: dict[str, str | None] = {}


def postgres_url() -> str | None:
    """The server's URL if one answers, else None (checked once per run)."""
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_URL
    if url not in _reachable:
        try:
            import psycopg

            psycopg.connect(url, connect_timeout=2).close()
            _reachable[url] = worker_database(url)
        except Exception:  # noqa: BLE001 - any failure means: no server to test against
            if os.environ.get("TEST_DATABASE_URL"):
                raise  # told there is one: its absence is an error, not a skip
            _reachable[url] = None
    return _reachable[url]


def worker_database(url: str) -> str:
    """Under pytest-xdist, a database of this worker's own on the server at `url` (created on first
    use, kept for the next run: each test's schema is dropped); `url` itself outside xdist, or when
    the server refuses to create one (no CREATEDB right: the per-test schemas still keep tests
    apart)."""
    import psycopg
    from psycopg import sql

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    name = f"vt_assistant_test_{worker}"
    with psycopg.connect(url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            try:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except psycopg.errors.DuplicateDatabase:
                pass  # another run on this server made it meanwhile
            except psycopg.errors.InsufficientPrivilege:
                return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def with_schema(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-csearch_path={schema}')}"


@dataclass
class Target:
    """A database a test can open as often as it likes (a restart opens it again)."""

    kind: str  # sqlite | postgresql
    target: Any  # a path or a URL
    data_dir: Path

    def open(self, **kwargs: Any):
        from bot.store import Store

        kwargs.setdefault("data_dir", self.data_dir)
        return Store.open(self.target, **kwargs)


class Schemas:
    """Fresh schemas on the server, dropped at the end."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.made: list[str] = []

    def new(self) -> str:
        import psycopg

        name = "t_" + secrets.token_hex(6)
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
        self.made.append(name)
        return with_schema(self.url, name)

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            for name in self.made:
                conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
