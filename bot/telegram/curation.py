"""Changing the knowledge from Telegram, one change at a time: teach a phrasing, apply an uploaded
file, undo a change. Each is validated in a scratch copy first (a file with errors is never written),
replaced atomically with a backup, recorded in the review log with the bytes it replaced, and
swapped in through the same reload path as /reload (`Services.reloader`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.editing.files import (
    ChangeSummary,
    read_bytes,
    replace_file,
    sha256,
    summarise,
    validate_with,
)
from bot.editing.phrasing import EditRefused, Form, add_phrasing
from bot.editing.review import key_of
from bot.kb.loader import KnowledgeError, KnowledgeInvalid

if TYPE_CHECKING:
    from bot.assistant import ReloadReport
    from bot.telegram.context import Services

logger = logging.getLogger(__name__)
UNDO_HOURS = 48  # an Undo button works this long after its change
RELOAD_WAIT_SECONDS = 120.0


@dataclass
class Outcome:
    """What a change did: `status` ok, or why not (invalid, refused, busy, stale, gone, failed...)."""

    status: str
    errors: list[KnowledgeError] = field(default_factory=list)
    change_id: int | None = None
    file: str = ""
    entry_id: str = ""
    form: Form | None = None
    answered: bool = False  # teach: the phrasing is now answered with the entry
    entries: int = 0
    summary: ChangeSummary | None = None
    detail: str = ""


class Curator:
    def __init__(self, ops: Services, backup_dir: Path) -> None:
        self.ops = ops
        self.backup_dir = backup_dir
        self._lock = asyncio.Lock()

    @property
    def knowledge_dir(self) -> Path:
        return Path(self.ops.reloader.knowledge_dir)

    @property
    def assistant(self):
        return self.ops.reloader.assistant

    # -- teach -------------------------------------------------------------------------------------

    async def teach(self, item: dict, entry_id: str, admin_id: int) -> Outcome:
        async with self._lock:
            fresh = self.ops.store.review_item(int(item["id"]))
            if fresh is None or fresh["status"] != "open":
                return Outcome("done")
            kb = self.assistant.kb
            if entry_id not in kb.entries:
                return Outcome("gone", entry_id=entry_id)
            name = kb.files[entry_id]
            phrasing = item["question"]
            before = read_bytes(self.knowledge_dir / name)
            if before is None:
                return Outcome("gone", file=name, entry_id=entry_id)
            try:
                text, form = await asyncio.to_thread(
                    add_phrasing, before.decode("utf-8"), entry_id, phrasing
                )
            except (EditRefused, UnicodeDecodeError) as exc:
                reason = exc.reason if isinstance(exc, EditRefused) else "layout"
                return Outcome("refused", file=name, entry_id=entry_id, detail=reason)
            after = text.encode("utf-8")
            outcome = await self._apply(
                name,
                before,
                after,
                admin_id,
                action="teach",
                entry_id=entry_id,
                form=form,
                phrasing=phrasing,
                item_id=int(item["id"]),
            )
            if outcome.status != "ok":
                return outcome
            self.ops.store.resolve_review_item(
                int(item["id"]),
                "taught",
                admin_id,
                [key_of(t) for t in item["texts"]],
                outcome.change_id,
            )
            answer = self.assistant.answer(phrasing)
            outcome.answered = answer.kind == "answer" and answer.entries[:1] == [entry_id]
            outcome.form = form
            logger.info(
                "admin %s taught %r as a %s phrasing of %s (%s)",
                admin_id,
                phrasing,
                form,
                entry_id,
                name,
            )
            return outcome

    # -- uploads -------------------------------------------------------------------------------------

    def check_upload(self, name: str, content: bytes) -> Outcome:
        """Validate an uploaded file beside the live ones; the summary of what it would change."""
        current = read_bytes(self.knowledge_dir / name)
        if current == content:
            return Outcome("unchanged", file=name)
        try:
            new_kb = validate_with(self.knowledge_dir, name, content)
        except KnowledgeInvalid as exc:
            return Outcome("invalid", exc.errors, file=name)
        return Outcome(
            "ok",
            file=name,
            entries=len(new_kb.entries),
            summary=summarise(self.assistant.kb, new_kb),
            detail="new" if current is None else "",
        )

    async def confirm_upload(self, upload: dict, admin_id: int) -> Outcome:
        async with self._lock:
            name = upload["file"]
            before = read_bytes(self.knowledge_dir / name)
            if sha256(before) != (upload["base_sha256"] or ""):
                return Outcome("stale", file=name)
            content = bytes(upload["content"])
            checked = await asyncio.to_thread(
                self.check_upload, name, content
            )  # again: other files may have changed
            if checked.status != "ok" or checked.summary is None:
                return checked if checked.status == "invalid" else Outcome("stale", file=name)
            outcome = await self._apply(
                name,
                before,
                content,
                admin_id,
                action="upload",
                validated=True,
                summary=checked.summary.as_json(),
            )
            outcome.summary = checked.summary
            if outcome.status == "ok":
                logger.info("admin %s replaced knowledge file %s", admin_id, name)
            return outcome

    # -- undo --------------------------------------------------------------------------------------------

    async def undo(self, change_id: int, admin_id: int, now: datetime | None = None) -> Outcome:
        async with self._lock:
            change = self.ops.store.knowledge_change(change_id)
            if change is None:
                return Outcome("gone")
            name = change["file"]
            if change["undone_at"]:
                return Outcome("already", file=name)
            made = datetime.fromisoformat(change["at"])
            if made.tzinfo is None:
                made = made.replace(tzinfo=UTC)
            if (now or datetime.now(UTC)) - made > timedelta(hours=UNDO_HOURS):
                return Outcome("expired", file=name)
            current = read_bytes(self.knowledge_dir / name)
            if sha256(current) != change["after_sha256"]:
                return Outcome("stale", file=name)
            before = bytes(change["before"]) if change["before"] is not None else None
            outcome = await self._apply(name, current, before, admin_id, action=None)
            if outcome.status != "ok":
                return outcome
            self.ops.store.mark_change_undone(change_id, admin_id)
            if change["item_id"] is not None and change["action"] == "teach":
                self.ops.store.reopen_review_item(int(change["item_id"]))
            logger.info("admin %s undid knowledge change #%s (%s)", admin_id, change_id, name)
            outcome.change_id = change_id
            return outcome

    # -- the one way a file changes -----------------------------------------------------------------------

    async def _apply(
        self,
        name: str,
        before: bytes | None,
        after: bytes | None,
        admin_id: int,
        *,
        action: str | None,
        validated: bool = False,
        **record: object,
    ) -> Outcome:
        """Validate (unless just done), replace (with a backup), record, swap; on a failed swap put the
        old bytes back."""
        if not validated:
            try:
                await asyncio.to_thread(validate_with, self.knowledge_dir, name, after)
            except KnowledgeInvalid as exc:
                return Outcome("invalid", exc.errors, file=name)
        await asyncio.to_thread(replace_file, self.knowledge_dir, name, after, self.backup_dir)
        report = await self._reload()
        if report is None or not report.ok:
            await asyncio.to_thread(replace_file, self.knowledge_dir, name, before, None)
            await self._reload()
            errors = report.errors if report is not None else []
            logger.error(
                "knowledge change to %s rolled back: the reload failed (%s)", name, errors
            )
            return Outcome("failed", errors, file=name)
        change_id = None
        if action is not None:
            change_id = self.ops.store.record_change(
                admin_id,
                action,
                name,
                before,
                sha256(after),
                **record,  # type: ignore[arg-type]
            )
        return Outcome(
            "ok",
            change_id=change_id,
            file=name,
            entries=report.entries,
            entry_id=str(record.get("entry_id") or ""),
        )

    async def _reload(self) -> ReloadReport | None:
        """The reload path /reload uses; waits its turn when a reload is already running."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + RELOAD_WAIT_SECONDS
        while True:
            report = await self.ops.reloader.reload()
            if report is not None or loop.time() > deadline:
                return report
            await asyncio.sleep(0.05)


def curator_of(bot_data: dict, ops: Services, data_dir: Path) -> Curator:
    curator = bot_data.get("curator")
    if curator is None or curator.ops is not ops:
        curator = bot_data["curator"] = Curator(ops, data_dir / "knowledge-backups")
    return curator
