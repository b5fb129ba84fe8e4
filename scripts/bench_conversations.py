"""Memory of follow-up state: 10,000 concurrent conversations, each after a real answered question.

    python -m scripts.bench_conversations [--conversations 10000]

Target: the conversations together grow the process by at most 50 MB. Measured with tracemalloc
(bytes allocated and still held), after the engine and its caches are warm, so that only what the
conversations keep is counted.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from pathlib import Path

from bot.assistant import Assistant
from bot.config import Config
from bot.dialogue import Conversations

QUESTIONS = [
    "安老服務業過往資歷認可幾時截止？",
    "VPES 喺邊度？",
    "How many job ads did the manpower update find?",
    "机电署和广州人社局的备忘录什么时候签的？",
    "What is the Qualifications Framework?",
    "車輛維修技工有幾多個註冊類別？",
]
TARGET_MB = 50.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--conversations", type=int, default=10_000)
    args = ap.parse_args(argv)
    config = Config()
    assistant = Assistant.open(Path(config.knowledge_dir), config.index_path)
    for q in QUESTIONS:  # warm the engine's caches: they are not conversation state
        assistant.answer(q)
    store = Conversations(limit=args.conversations * 2)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(args.conversations):
        # Group members: chat, user and forum topic make the key, as in Telegram.
        assistant.answer(
            QUESTIONS[i % len(QUESTIONS)], conversation=store.get((-100 - i // 50, i, None))
        )
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    mb = held / 1024 / 1024
    ok = mb <= TARGET_MB
    print(
        f"{len(store)} conversations hold {mb:.1f} MB ({held / len(store):.0f} bytes each)  "
        f"[target <= {TARGET_MB:.0f} MB] {'ok' if ok else 'OVER'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
