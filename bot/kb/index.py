"""The search index: an SQLite file derived from the knowledge files, rebuilt whenever they change.

It holds the validated knowledge (so a fresh process starts without parsing YAML), FTS5 tables over
pre-segmented text (this Python's sqlite3 cannot load a Chinese tokenizer), document frequencies,
and the generated jieba dictionary beside it. It can be deleted at any time: the state database,
not this file, holds what users did.
"""

from __future__ import annotations

import contextlib
import heapq
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from bot.kb.loader import KnowledgeBase, content_digest, load_knowledge
from bot.kb.readings import Reading, Readings, read
from bot.kb.readings import code as readings_code
from bot.kb.schema import Entry, Source, Topic, stored
from bot.kb.text import STOPWORDS, Segmenter, fold, write_dictionary

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger(__name__)

INDEX_VERSION = "10"  # bump when the index layout or the tokenisation changes
DICT_NAME = "jieba.dict"
POSTING_BUDGET = 2000  # rows one query may make SQLite score, in an index at least this large
# BM25 weighting names most, then sample questions, then answers. Called by name in the query: through
# FTS5's configured `rank` column the same scores took 50% longer to compute.
RANKING = "bm25(entries_fts, 4.0, 2.0, 1.0)"
SCORES_KEPT = 200_000  # rows' scores for single words kept in memory (a few MB)


@dataclass(frozen=True)
class IndexedEntry:
    """What the matcher needs of one entry, precomputed at build time."""

    id: str
    names: tuple[str, ...]  # folded titles and aliases
    name_set: frozenset[str]  # the same without spaces, for a question that is exactly a name
    questions: tuple[str, ...]  # sample questions' content words, space-joined
    questions_sorted: tuple[str, ...]  # the same words in sorted order, for order-blind comparison
    head: frozenset[str]  # tokens of names and sample questions: what the entry is about
    tokens: frozenset[str]  # head and answer tokens


def entry_names(entry: Entry) -> list[str]:
    return [entry.title.zh, entry.title.en, *entry.aliases]


def _entry_rows(kb: KnowledgeBase, seg: Segmenter) -> Iterator[dict]:
    kept_readings = len(kb.entries) < POSTING_BUDGET
    for entry in kb.entries.values():
        names = [fold(n) for n in entry_names(entry)]
        name_tokens = [t for n in names for t in seg.cut(n)]
        q_tokens = [seg.cut(fold(q)) for q in entry.questions.all()]
        body = seg.cut(fold(f"{entry.answer.zh} {entry.answer.en}"))
        yield {
            "id": entry.id,
            "file": kb.files.get(entry.id, ""),
            "entry": json.dumps(
                entry.model_dump(by_alias=True, exclude_none=True), ensure_ascii=False
            ),
            "names": " ".join(name_tokens),
            "questions": " ".join(t for q in q_tokens for t in q),
            "body": " ".join(body),
            "names_folded": json.dumps(names, ensure_ascii=False),
            "questions_cut": json.dumps([" ".join(q) for q in q_tokens], ensure_ascii=False),
            # A large index leaves readings to first use: a millisecond each would add minutes
            # to its build and to every load.
            "reading": (
                json.dumps(read(entry).as_json(), ensure_ascii=False) if kept_readings else None
            ),
        }


def dictionary_words(kb: KnowledgeBase, knowledge_dir: Path) -> list[str]:
    """Names and aliases from the knowledge base, plus the Cantonese word list kept beside it."""
    words: list[str] = []
    for entry in kb.entries.values():
        words.extend(entry_names(entry))
    cantonese = knowledge_dir / "cantonese_words.txt"
    if cantonese.exists():
        for line in cantonese.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                words.append(line)
    return words


def build_index(
    kb: KnowledgeBase, knowledge_dir: Path, path: Path, rows: Iterable[dict] | None = None
) -> Path:
    """Build a complete index beside `path` and swap it in atomically; readers never see half of one.
    A build that fails (a full disk, an interrupt) removes its temporary files; ones left by a build
    whose process died are removed by the next build."""
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep_stale(path)
    tag = f"{os.getpid()}-{time.monotonic_ns()}"
    dict_path = path.with_name(f"{path.stem}.{DICT_NAME}")
    tmp_dict = path.with_name(f"{path.stem}.{tag}.{DICT_NAME}")
    tmp = path.with_name(f"{path.name}.{tag}.tmp")
    cache_dir: Path | None = None
    try:
        write_dictionary(tmp_dict, dictionary_words(kb, knowledge_dir))
        # jieba caches a dictionary under a name made from its path; the build's dictionary has a
        # one-off path, so its cache goes to a directory removed after the build.
        cache_dir = Path(tempfile.mkdtemp(prefix=f"jieba-{tag}-", dir=path.parent))
        seg = Segmenter(tmp_dict, cache_dir)
        # Imported here: only a build needs it, and it pulls in numpy when installed (~0.2 s of start-up).
        import sqlite_utils

        _fill(sqlite_utils.Database(tmp), kb, seg, rows)
        # The dictionary first: an index is only ever paired with the dictionary it was cut with.
        os.replace(tmp_dict, dict_path)
        os.replace(tmp, path)
    except BaseException:
        for leftover in (
            tmp,
            tmp_dict,
            tmp_dict.with_suffix(".tmp"),
        ):  # the last: write_dictionary's own
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    finally:
        if cache_dir is not None:
            shutil.rmtree(cache_dir, ignore_errors=True)
    seg.save_cache(dict_path, path.parent)  # so the first load of the new index reads it
    logger.info("index built: %d entries in %.2fs", len(kb.entries), time.perf_counter() - started)
    return path


def _scored(conn: sqlite3.Connection, term: str) -> list[tuple[int, float]]:
    """Each row's BM25 score for one word, from SQLite's full-text index."""
    try:
        return conn.execute(
            f"SELECT rowid, {RANKING} FROM entries_fts WHERE entries_fts MATCH ?", (f'"{term}"',)
        ).fetchall()
    except sqlite3.OperationalError:  # a "word" FTS5 cannot read as a phrase
        logger.warning("FTS query failed for one term", exc_info=True)
        return []


def _fill(
    db: sqlite_utils.Database, kb: KnowledgeBase, seg: Segmenter, rows: Iterable[dict] | None
) -> None:
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        table = db.table("entries")
        table.insert_all(
            rows if rows is not None else _entry_rows(kb, seg), pk="id", batch_size=2000
        )
        table.enable_fts(
            ["names", "questions", "body"],
            fts_version="FTS5",
            tokenize="unicode61",
            create_triggers=False,
        )
        db.execute("INSERT INTO entries_fts(entries_fts) VALUES('optimize')")
        df: dict[str, int] = {}
        for row in db.execute("SELECT names, questions, body FROM entries"):
            for tok in set(" ".join(row).split()):
                df[tok] = df.get(tok, 0) + 1
        db.table("vocab").insert_all(
            ({"token": t, "df": n} for t, n in df.items()), pk="token", batch_size=5000
        )
        if len(kb.entries) < POSTING_BUDGET:
            # Each word's rows and BM25 scores, as SQLite gives them: a worker's new word is then
            # one lookup, not a full-text query (50 µs). Large indexes rank in SQLite instead.
            db.table("postings").insert_all(
                ({"token": t, "scores": json.dumps(_scored(db.conn, t))} for t in df),
                pk="token",
                batch_size=5000,
            )
        meta = {
            "version": INDEX_VERSION,
            "digest": kb.digest,
            "readings": readings_code(),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "entries": str(len(kb.entries)),
            "sources": json.dumps(
                {k: v.model_dump(by_alias=True, exclude_none=True) for k, v in kb.sources.items()},
                ensure_ascii=False,
            ),
            "topics": json.dumps(
                {k: v.model_dump(by_alias=True, exclude_none=True) for k, v in kb.topics.items()},
                ensure_ascii=False,
            ),
            "files": json.dumps(dict(kb.files), ensure_ascii=False),
            "rules": json.dumps(
                kb.rules.raw if kb.rules is not None else None, ensure_ascii=False
            ),
        }
        db.table("meta").insert_all(({"key": k, "value": v} for k, v in meta.items()), pk="key")
    finally:
        db.close()


_TAGGED = re.compile(r"\.(\d+)-\d+\.")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _sweep_stale(path: Path) -> None:
    """Remove temporary files of builds whose process is gone (killed, or the machine restarted)."""
    patterns = (f"{path.stem}.*.tmp", f"{path.stem}.*.{DICT_NAME}", "jieba-*")
    for pattern in patterns:
        for leftover in path.parent.glob(pattern):
            found = _TAGGED.search(leftover.name) or re.match(r"jieba-(\d+)-\d+-", leftover.name)
            if found is None or int(found.group(1)) == os.getpid() or _alive(int(found.group(1))):
                continue
            logger.info("removing %s, left by an index build that did not finish", leftover.name)
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    leftover.unlink()


def read_meta(path: Path) -> dict[str, str]:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return dict(conn.execute("SELECT key, value FROM meta").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:
        return {}


def is_fresh(path: Path, knowledge_dir: Path) -> bool:
    meta = read_meta(path)
    return (
        meta.get("version") == INDEX_VERSION
        and meta.get("digest") == content_digest(knowledge_dir)
        and meta.get("readings") == readings_code()
        and path.with_name(f"{path.stem}.{DICT_NAME}").exists()
    )


def ensure_index(knowledge_dir: Path, path: Path) -> bool:
    """Rebuild the index if the knowledge files changed; True when it was rebuilt.

    Raises KnowledgeInvalid when the files are broken, leaving any existing index untouched.
    """
    if is_fresh(path, knowledge_dir):
        return False
    kb = load_knowledge(knowledge_dir)
    build_index(kb, knowledge_dir, path)
    return True


class Index:
    """A read-only view of one built index file: the knowledge it holds and full-text search."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # check_same_thread off: PTB may call the engine from another thread; the connection is read-only.
        self._conn = sqlite3.connect(
            f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        meta = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        self.meta = meta
        self.segmenter = Segmenter(path.with_name(f"{path.stem}.{DICT_NAME}"), path.parent)
        entries: dict[str, Entry] = {}
        indexed: dict[str, IndexedEntry] = {}
        self._ids: dict[int, str] = {}
        self._scores: dict[str, dict[int, float]] = {}
        self._scored = 0
        self._postings = bool(
            self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'postings'"
            ).fetchone()
        )
        # Readings made by other code than this process's are worked out again on first use.
        read_here = meta.get("readings") == readings_code()
        reading_of: dict[str, Reading] = {}
        for rowid, eid, raw, names, questions, n, q, b, reading in self._conn.execute(
            "SELECT rowid, id, entry, names_folded, questions_cut, names, questions, body, reading"
            " FROM entries"
        ):
            self._ids[rowid] = eid
            entries[eid] = stored(Entry, json.loads(raw))  # validated when the index was built
            if read_here and reading is not None:
                reading_of[eid] = Reading.from_json(json.loads(reading))
            # Without stopwords, one sample question in ten repeats another: compared once.
            content = [
                words.split()
                for words in dict.fromkeys(
                    " ".join(t for t in q.split() if t not in STOPWORDS)
                    for q in json.loads(questions)
                )
                if words
            ]
            indexed[eid] = IndexedEntry(
                id=eid,
                names=tuple(json.loads(names)),
                name_set=frozenset(n.replace(" ", "") for n in json.loads(names)),
                questions=tuple(" ".join(words) for words in content),
                questions_sorted=tuple(" ".join(sorted(words)) for words in content),
                head=frozenset(f"{n} {q}".split()),
                tokens=frozenset(f"{n} {q} {b}".split()),
            )
        self.indexed = MappingProxyType(indexed)
        self.df: dict[str, int] = dict(
            self._conn.execute("SELECT token, df FROM vocab").fetchall()
        )
        rules = None
        rules_raw = json.loads(meta.get("rules") or "null")
        if rules_raw is not None:
            from bot.rules.loader import load_rules

            rules, errors = load_rules("rules.yaml", rules_raw, entries, {})
            if errors:  # cannot happen for an index built from valid files; fail loudly if it does
                raise RuntimeError(f"index holds invalid rules: {errors[0]}")
        self.kb = KnowledgeBase(
            entries=MappingProxyType(entries),
            sources=MappingProxyType(
                {k: stored(Source, v) for k, v in json.loads(meta["sources"]).items()}
            ),
            topics=MappingProxyType(
                {k: stored(Topic, v) for k, v in json.loads(meta["topics"]).items()}
            ),
            files=MappingProxyType(json.loads(meta.get("files") or "{}")),
            rules=rules,
            digest=meta.get("digest", ""),
            readings=Readings(reading_of),
        )

    def search(self, tokens: list[str], limit: int = 40) -> list[tuple[str, float]]:
        """BM25 over names (weighted most), sample questions, then answers; higher is better.

        In a large index the query keeps its rarest words within a budget of postings: common
        words hardly change the ranking but make SQLite score thousands of rows.
        """
        terms = sorted({t.replace('"', "") for t in tokens if t.replace('"', "")})
        if len(self._ids) >= POSTING_BUDGET:
            kept: list[str] = []
            used = 0
            for t in sorted(terms, key=lambda t: self.df.get(t, 0)):
                df = self.df.get(t, 0)
                if kept and used + df > POSTING_BUDGET:
                    break
                kept.append(t)
                used += df
            # So many rows and words that keeping words' scores would thrash: SQLite ranks them.
            return self._ranked(kept, limit)
        # FTS5's BM25 of an OR query is the sum of each phrase's own BM25 (each phrase has its own
        # IDF; row length and column weights are the row's), added in query order, so summing the
        # cached scores of each word gives SQLite's scores to the last bit.
        totals: dict[int, float] = {}
        for term in terms:
            for rowid, score in self._term_scores(term).items():
                totals[rowid] = totals.get(rowid, 0.0) + score
        best = heapq.nsmallest(limit, [(score, rowid) for rowid, score in totals.items()])
        return [(self._ids[rowid], -score) for score, rowid in best]

    def _ranked(self, terms: list[str], limit: int) -> list[tuple[str, float]]:
        if not terms:
            return []
        try:
            rows = self._conn.execute(
                f"SELECT rowid, {RANKING} AS score FROM entries_fts WHERE entries_fts MATCH ?"
                " ORDER BY score, rowid LIMIT ?",
                (" OR ".join(f'"{t}"' for t in terms), limit),
            ).fetchall()
        except sqlite3.OperationalError:
            logger.warning("FTS query failed for %d terms", len(terms), exc_info=True)
            return []
        return [(self._ids[rowid], -float(score)) for rowid, score in rows]

    def _stored_scores(self, term: str) -> list[tuple[int, float]] | None:
        """The word's scores as the build stored them; None when it did not (a word no entry has,
        an index too large to keep them)."""
        if not self._postings:
            return None
        row = self._conn.execute("SELECT scores FROM postings WHERE token = ?", (term,)).fetchone()
        return [(rowid, score) for rowid, score in json.loads(row[0])] if row else None

    def _term_scores(self, term: str) -> dict[int, float]:
        """Each row's BM25 score for one word, from SQLite once, then kept: a word recurs in many
        questions, and scoring its rows again was a fifth of an answer's time."""
        got = self._scores.get(term)
        if got is None:
            stored = self._stored_scores(term)
            got = dict(stored if stored is not None else _scored(self._conn, term))
            if self._scored + len(got) > SCORES_KEPT:
                self._scores.clear()
                self._scored = 0
            self._scores[term] = got
            self._scored += len(got)
        return got
