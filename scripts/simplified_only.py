"""Regenerate bot/kb/simplified_only.txt, the characters OpenCC's s2t rewrites, from the installed
OpenCC (after upgrading it; tests/test_startup.py says when):

    python -m scripts.simplified_only
"""

from __future__ import annotations

from bot.kb.text import SIMPLIFIED_ONLY_FILE, s2t_changed

LINE = 60  # characters a line

HEADER = (
    "# Han characters OpenCC's s2t rewrites (Simplified-only), read by bot.kb.text for detect_lang.\n"
    "# Generated from the pinned OpenCC by `python -m scripts.simplified_only`; a test checks it.\n"
)


def main() -> None:
    chars = s2t_changed()
    lines = "".join(f"{chars[i : i + LINE]}\n" for i in range(0, len(chars), LINE))
    SIMPLIFIED_ONLY_FILE.write_text(HEADER + lines, encoding="utf-8")
    print(f"{SIMPLIFIED_ONLY_FILE}: {len(chars)} characters")


if __name__ == "__main__":
    main()
