"""Engine benchmark: start-up to first answer, per-question latency, index build time, peak memory.

    python -m scripts.bench [--synthetic 100000] [--skip-synthetic]

Runs on the real knowledge base, then on a synthetic one of N entries made here from the real
vocabulary (so token frequencies look like real text). Targets: p95 <= 2 ms (real), p95 <= 10 ms
(100,000 entries), start-up to first answer <= 1.0 s in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.assistant import Assistant
from bot.config import ROOT, Config
from bot.kb.index import Index, build_index
from bot.kb.loader import KnowledgeBase, load_knowledge
from bot.kb.schema import Entry
from scripts.timing import percentile

STARTUP_SNIPPET = (
    "import time, sys; t0 = time.perf_counter(); from pathlib import Path; from bot.assistant import Assistant; "
    "a = Assistant.open(Path(sys.argv[1]), Path(sys.argv[2])); a.answer(sys.argv[3]); "
    "print(time.perf_counter() - t0)"
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(samples: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "p99": percentile(samples, 99),
        "max": max(samples),
    }


def queries_from(kb: KnowledgeBase, n: int, seed: int = 7) -> list[str]:
    """Sample questions with light noise (dropped characters, case, punctuation) plus off-topic ones."""
    rnd = random.Random(seed)
    pool = [q for e in kb.entries.values() for q in e.questions.all()]
    out = []
    for _ in range(n):
        q = rnd.choice(pool)
        r = rnd.random()
        if r < 0.2 and len(q) > 4:
            i = rnd.randrange(len(q))
            q = q[:i] + q[i + 1 :]
        elif r < 0.3:
            q = q.upper() + "??"
        elif r < 0.4:
            q = rnd.choice(
                [
                    "今日天氣點？",
                    "sing me a song",
                    "楼下边间茶餐厅好食？",
                    "how do I renew my passport",
                ]
            )
        out.append(q)
    return out


def time_answers(assistant: Assistant, queries: list[str]) -> list[float]:
    for q in queries[:20]:
        assistant.answer(q)  # warm caches as a running bot would have them
    samples = []
    for q in queries:
        t0 = time.perf_counter()
        assistant.answer(q)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def startup_seconds(knowledge: Path, index: Path, runs: int = 5) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.run(
            [
                sys.executable,
                "-c",
                STARTUP_SNIPPET,
                str(knowledge),
                str(index),
                "過往資歷認可免試期幾時完",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - t0
        times.append(wall)
        _ = float(p.stdout.strip())
    return times


def synthetic_kb(real: KnowledgeBase, n: int, seed: int = 11) -> KnowledgeBase:
    """N entries whose titles, aliases, questions and answers are drawn from the real text's words."""
    rnd = random.Random(seed)
    zh_words: list[str] = []
    en_words: list[str] = []
    import re

    for e in real.entries.values():
        zh_words += re.findall(r"[\u4e00-\u9fff]{2,4}", e.answer.zh + "".join(e.questions.zh_hant))
        en_words += re.findall(r"[A-Za-z]{3,}", e.answer.en + " ".join(e.questions.en))
    zh_words += [
        f"詞{i}" for i in range(5000)
    ]  # a long tail of rare words, as a large base would have
    en_words += [f"term{i}" for i in range(5000)]
    template = next(iter(real.entries.values()))
    entries = {}
    for i in range(n):
        zh = lambda k: "".join(rnd.choice(zh_words) for _ in range(k))  # noqa: E731
        en = lambda k: " ".join(rnd.choice(en_words) for _ in range(k))  # noqa: E731
        data = template.model_dump(by_alias=True, exclude_none=True)
        data.update(
            id=f"syn-{i}",
            parent=None,
            related=[],
            when=None,
            place=None,
            title={"zh": zh(2), "en": en(3)},
            answer={"zh": zh(12), "en": en(25)},
            aliases=[zh(2), en(2)],
            questions={"zh-Hant": [zh(4)], "yue": [zh(4)], "zh-Hans": [zh(4)], "en": [en(6)]},
        )
        data.pop("parent")
        entries[data["id"]] = Entry.model_validate(data)
    return KnowledgeBase(
        entries=entries, sources=real.sources, topics=real.topics, digest=f"synthetic-{n}"
    )


def bench_real(config: Config, n: int) -> dict:
    knowledge = Path(config.knowledge_dir)
    kb = load_knowledge(knowledge)
    with tempfile.TemporaryDirectory() as tmp:
        index_path = Path(tmp) / "index.sqlite"
        t0 = time.perf_counter()
        build_index(kb, knowledge, index_path)
        build_s = time.perf_counter() - t0
        # Start-up is measured against the project's own index, as `make run` would use it.
        Assistant.open(knowledge, config.index_path)
        load = os.getloadavg()[0]  # start-up is wall time: other work on the machine stretches it
        startup = startup_seconds(knowledge, config.index_path)
        assistant = Assistant(Index(index_path))
        queries = queries_from(kb, n)
        lat = percentiles(time_answers(assistant, queries))
        # Each question's fastest of three more passes: a question asked again, with its own cuts
        # and word scores cached and less of the shared machine's noise. The first pass, above, is
        # the figure: most questions a bot sees are new.
        passes = [time_answers(assistant, queries) for _ in range(3)]
        best = percentiles([min(times) for times in zip(*passes, strict=True)])
    return {
        "entries": len(kb.entries),
        "build_s": build_s,
        "startup_s": {
            "median": statistics.median(startup),
            "min": min(startup),
            "max": max(startup),
            "runs": len(startup),
            "load_average": load,
        },
        "latency_ms": lat,
        "latency_best_of_3_ms": best,
        "peak_mb": peak_mb(),
        "questions": n,
    }


def bench_synthetic(config: Config, size: int, n: int) -> dict:
    real = load_knowledge(Path(config.knowledge_dir))
    t0 = time.perf_counter()
    kb = synthetic_kb(real, size)
    make_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        index_path = Path(tmp) / "index.sqlite"
        t0 = time.perf_counter()
        build_index(kb, Path(config.knowledge_dir), index_path)
        build_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        assistant = Assistant(Index(index_path))
        load_s = time.perf_counter() - t0
        # Questions about the synthetic entries and about the real topics (now drowned in noise).
        queries = queries_from(kb, n // 2) + queries_from(real, n - n // 2)
        lat = percentiles(time_answers(assistant, queries))
    return {
        "entries": size,
        "generate_s": make_s,
        "build_s": build_s,
        "load_s": load_s,
        "latency_ms": lat,
        "peak_mb": peak_mb(),
        "questions": n,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--questions", type=int, default=2000)
    ap.add_argument("--synthetic", type=int, default=100_000)
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    config = Config()
    results = {"real": bench_real(config, args.questions)}
    r = results["real"]
    print(f"real knowledge base: {r['entries']} entries")
    print(f"  index build        {r['build_s']:.2f} s")
    up = r["startup_s"]
    print(
        f"  start-up to first answer (fresh process) median {up['median']:.3f} s, min {up['min']:.3f} s, max {up['max']:.3f} s  [target <= 1.0 s]"
    )
    print(f"    ({up['runs']} runs; load average {up['load_average']:.2f} before them)")
    lat = r["latency_ms"]
    print(
        f"  latency per question ({r['questions']}): p50 {lat['p50']:.2f} ms  p95 {lat['p95']:.2f} ms  p99 {lat['p99']:.2f} ms  [target p95 <= 2 ms]"
    )
    best = r["latency_best_of_3_ms"]
    print(
        f"    asked again (each question's fastest of 3 more passes): p50 {best['p50']:.2f} ms  p95 {best['p95']:.2f} ms"
    )
    print(f"  peak memory        {r['peak_mb']:.0f} MB")
    if not args.skip_synthetic:
        s = results["synthetic"] = bench_synthetic(config, args.synthetic, args.questions)
        print(f"synthetic knowledge base: {s['entries']:,} entries")
        print(
            f"  generate {s['generate_s']:.1f} s, index build {s['build_s']:.1f} s, load {s['load_s']:.1f} s"
        )
        lat = s["latency_ms"]
        print(
            f"  latency per question ({s['questions']}): p50 {lat['p50']:.2f} ms  p95 {lat['p95']:.2f} ms  p99 {lat['p99']:.2f} ms  [target p95 <= 10 ms]"
        )
        print(f"  peak memory        {s['peak_mb']:.0f} MB")
    if args.json:
        print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
