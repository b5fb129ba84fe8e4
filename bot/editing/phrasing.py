"""Teaching: add a worker's phrasing to an entry's sample questions, in the right form, keeping the
file's formatting and comments.

ruamel.yaml's round-trip mode keeps comments, flow and block styles and quoting. An edit is kept
only when the file comes back byte for byte but for one line: the flow list's line with the item
inserted, or the block list's new line. Otherwise it is refused rather than reflow the file. Only
the entry's own lines are round-tripped (a whole large file took a second or two of pure-Python
YAML); call it off the event loop all the same.
"""

from __future__ import annotations

import copy
import difflib
import io
import re
from typing import Any, Literal

from ruamel.yaml import YAML

from bot.editing.review import key_of
from bot.kb.text import detect_lang, normalise

Form = Literal["zh-Hant", "yue", "zh-Hans", "en"]

# Written Cantonese: characters and words that standard written Chinese does not use.
_CONTROL = re.compile(
    r"[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)
_CANTONESE = re.compile(
    r"[咩嘅咗唔冇係喺嚟佢哋啲嗰乜㗎噉嘢畀攞睇諗吖喎囉嘞咪揾搵咁]|點樣|點解|點算|幾時|幾多|邊度|邊個|邊間|有冇|係咪|使唔使"
)


class EditRefused(Exception):
    """The phrasing cannot be added; `reason` is one of: entry, duplicate, layout."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def question_form(text: str) -> Form:
    """The sample-question list a phrasing belongs in: en, zh-Hans, yue (written Cantonese) or zh-Hant."""
    lang = detect_lang(text)
    if lang in ("en", "zh-Hans"):
        return lang
    return "yue" if _CANTONESE.search(normalise(text)) else "zh-Hant"


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a long line
    y.indent(mapping=2, sequence=4, offset=2)  # the knowledge files' layout
    return y


def _dump(y: YAML, data: Any) -> str:
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


def _append(seq: Any, value: str) -> None:
    """Append to a round-trip list; comment lines below its last item stay below the new one."""
    last = len(seq) - 1
    seq.append(value)
    slot = seq.ca.items.get(last) if last >= 0 else None
    token = slot[0] if slot else None
    if token is None:
        return
    head, newline, tail = token.value.partition("\n")
    if newline and tail:
        token.value = head + "\n"
        moved = copy.copy(token)
        moved.value = "\n" + tail
        seq.ca.items[last + 1] = [moved, None, None, None]


def add_phrasing(
    text: str, entry_id: str, phrasing: str, form: Form | None = None
) -> tuple[str, Form]:
    """The file `text` with `phrasing` added to entry `entry_id`'s sample questions; and the form used."""
    # As the worker wrote it (full-width ？ kept, as the files write it); spaces and controls tidied.
    phrasing = " ".join(_CONTROL.sub(" ", phrasing).split())
    form = form or question_form(phrasing)
    block = _entry_block(text, entry_id)
    if block is not None:
        # Only the entry's own lines go through the (slow, pure-Python) round trip, under the same
        # "entries:" key so they come back in the file's layout; the whole-file check still holds.
        lines = text.splitlines(keepends=True)
        start, end = block
        try:
            fragment = _edited(f"entries:\n{''.join(lines[start:end])}", entry_id, phrasing, form)
            edited = "".join(lines[:start]) + fragment.partition("\n")[2] + "".join(lines[end:])
            _check_one_line(text, edited)
            return edited, form
        except EditRefused as refused:
            if refused.reason == "duplicate":
                raise  # otherwise the whole file is tried: a comment may have cut the block short
    edited = _edited(text, entry_id, phrasing, form)  # a layout the block alone does not keep
    _check_one_line(text, edited)
    return edited, form


# "  - id: rpl-elderly-care": where an entry of the file's entries list starts.
_ENTRY_START = re.compile(r"^(\s*)- id:\s*['\"]?([^'\"\s#]+)")


def _entry_block(text: str, entry_id: str) -> tuple[int, int] | None:
    """The lines [start, end) of entry `entry_id` in the file's entries list; None if not found."""
    lines = text.splitlines()
    start = indent = None
    for i, line in enumerate(lines):
        m = _ENTRY_START.match(line)
        if start is None:
            if m and m.group(2) == entry_id:
                start, indent = i, m.group(1)
        elif line.strip() and not line.startswith(f"{indent} ") or (m and m.group(1) == indent):
            return start, i
    return None if start is None else (start, len(lines))


def _edited(text: str, entry_id: str, phrasing: str, form: Form) -> str:
    """`text` (a file, or one entry under "entries:") round-tripped with the phrasing added."""
    y = _yaml()
    data = y.load(text)
    entries = data.get("entries") if hasattr(data, "get") else None
    entry = next(
        (e for e in entries or [] if hasattr(e, "get") and str(e.get("id")) == entry_id), None
    )
    if (
        entry is None
        or not hasattr(entry.get("questions"), "get")
        or not isinstance(entry["questions"].get(form), list)
    ):
        raise EditRefused("entry", f"{entry_id} has no questions.{form} list in this file")
    questions = entry["questions"][form]
    if any(key_of(str(q)) == key_of(phrasing) for q in questions):
        raise EditRefused("duplicate", phrasing)
    _append(questions, phrasing)
    return _dump(y, data)


def _check_one_line(before: str, after: str) -> None:
    """Exactly one line changed or one line added: the rest of the file is byte for byte what it was."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    ops = [
        op
        for op in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
        if op[0] != "equal"
    ]
    if len(ops) == 1:
        tag, i1, i2, j1, j2 = ops[0]
        if tag == "insert" and j2 - j1 == 1:
            return
        if tag == "replace" and i2 - i1 == 1 and j2 - j1 == 1 and _only_inserted(old[i1], new[j1]):
            return
    raise EditRefused("layout", "the edit would change more than the one list")


def _only_inserted(old: str, new: str) -> bool:
    """`new` is `old` with one run of characters inserted somewhere (a list item, and nothing else)."""
    head = 0
    while head < len(old) and old[head] == new[head]:
        head += 1
    return len(new) > len(old) and new[len(new) - (len(old) - head) :] == old[head:]
