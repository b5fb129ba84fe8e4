"""Issue 11, point 6, as an admin lives a refused reload: the root errors first, what they caused
folded into a count, every file's first error shown before the rest, and the "checking" message
edited into the result (no second message to scroll for)."""

from __future__ import annotations

import re
from pathlib import Path

from tests import test_telegram_admin as admin_tests
from tests.test_telegram_admin import ADMIN, ADMIN_USER, ops_of

own_assistant, reload_bot = admin_tests.own_assistant, admin_tests.reload_bot  # the fixtures


def entry(
    id_: str,
    extra: str = "",
    answer: str = "{zh: 答案, en: Answer}",
    type_: str = "fact",
    topic: str = "rpl",
) -> str:
    return f"""
  - id: {id_}
    type: {type_}
    topic: {topic}
    title: {{zh: 測試{id_}, en: Test {id_}}}
    answer: {answer}
    questions: {{zh-Hant: [{id_}？], yue: [{id_}？], zh-Hans: [{id_}？], en: [{id_}?]}}
    source: {{doc: qf-newsletter-2024-01, section: x}}{extra}"""


async def test_one_missing_field_is_one_error_with_its_consequences_folded(reload_bot):
    bot = reload_bot
    kb = Path(ops_of(bot).reloader.knowledge_dir)
    # One entry lacks its English answer: the whole file fails, so its two good entries go missing too …
    (kb / "broken.yaml").write_text(
        "entries:" + entry("root-a", answer="{zh: 只有中文}") + entry("ok-1") + entry("ok-2"),
        encoding="utf-8",
    )
    # … and every entry elsewhere that points at them would be an error of its own.
    refs = "".join(entry(f"ref-{n}", "\n    related: [ok-1, ok-2, root-a]") for n in range(4))
    (kb / "refs.yaml").write_text(
        "entries:" + refs + entry("child", "\n    parent: ok-1"), encoding="utf-8"
    )
    # A second file with its own, unrelated mistake.
    (kb / "other.yaml").write_text(
        "entries:" + entry("lost", topic="no-such-topic"), encoding="utf-8"
    )

    checking = (
        await bot.push_and_wait(
            bot.updates.private_text("/reload", user=ADMIN_USER),
            predicate=lambda c: c.chat_id == ADMIN,
        )
    )[0]
    assert checking.params["text"] == "Checking and reloading the knowledge files…"
    [result] = await bot.server.wait_for("editMessageText", 1, 20, lambda c: c.chat_id == ADMIN)
    assert (
        result.params["message_id"] == checking.result["message_id"]
    )  # the same message, now the result
    text = result.params["text"]
    assert text.startswith("Reload refused: 2 error(s) in the knowledge files.")
    lines = [re.sub(r"<[^>]+>", "", line) for line in text.split("\n") if line.startswith("• ")]
    assert lines == [
        "• broken.yaml · entry root-a · field answer.en: Field required (and 13 errors caused by it)",
        "• other.yaml · entry lost · field topic: unknown topic 'no-such-topic'",
    ]
    await bot.idle()
    assert len([c for c in bot.server.sent_messages(ADMIN)]) == 1  # nothing more to scroll for
