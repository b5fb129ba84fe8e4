"""The layers of bot/ as its imports show them: no cycles between packages, the engine never
reaches Telegram, Telegram never reaches the command line.

What a "package" is here: each subpackage of bot/ (bot.kb, bot.rules, bot.store, bot.telegram,
bot.editing, bot.i18n) and each top-level module (bot.assistant, bot.cli, bot.config,
bot.dialogue, bot.startup). Those are the parts a reader meets in the README's map and the units
that are built, tested and owned separately; inside one, modules may lean on each other freely.

One exception: bot.kb.text (language codes, text folding, Simplified/Traditional) and bot.kb.schema
(the knowledge files' shapes: Bilingual texts, source references, entries, KnowledgeError) are the
vocabulary every layer speaks (the catalog, the rules, the store, Telegram). They live in bot/kb
by history but sit below it: each is a package of its own here, and they may import nothing of
bot but each other. Without that, "the rules use a Bilingual text" and "the knowledge base loads
rules.yaml" would read as a cycle between bot.kb and bot.rules, which the layering does not have.

Every import counts: at module level, inside functions (the lazy imports that keep start-up fast)
and under `if TYPE_CHECKING:` (a type named in a signature is a dependency of the design too).
"""

from __future__ import annotations

import ast
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import bot_syntax

BOT = Path(__file__).resolve().parent.parent / "bot"
FOUNDATION = frozenset({"bot.kb.text", "bot.kb.schema"})
ENGINE = ("bot.kb", "bot.rules", "bot.assistant", "bot.dialogue", *sorted(FOUNDATION))
# The question path in Telegram: it answers every worker, so it must not depend on admin features.
QUESTION_PATH = ("bot.telegram.handlers.questions", "bot.telegram.handlers.replying")
ADMIN_HANDLERS = tuple(
    f"bot.telegram.handlers.{name}"
    for name in ("admin", "inbox", "curation", "announce", "subscriptions")
)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the bot module imported (the deepest that exists)
    line: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target}"


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(
    source: str | ast.Module, module: str, is_package: bool, modules: set[str]
) -> list[Import]:
    """Every import of a bot module in `source` (text or parsed), wherever it is written."""
    found: list[Import] = []

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    for node in ast.walk(ast.parse(source) if isinstance(source, str) else source):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package upwards
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            # `from bot.kb import listing` imports the module bot.kb.listing.
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
            names = [n for n in names[:-1] if n in modules] or names[-1:]
        else:
            continue
        for name in names:
            if name == "bot" or name.startswith("bot."):
                target = resolve(name)
                if target is not None and target != module:
                    found.append(Import(module, target, node.lineno))
    return found


def all_imports() -> list[Import]:
    trees = {module_name(p, BOT): (p, tree) for p, tree in bot_syntax().items()}
    modules = set(trees)
    return [
        imp
        for name, (path, tree) in trees.items()
        for imp in imports_of(tree, name, path.name == "__init__.py", modules)
    ]


def package_of(module: str) -> str:
    if module in FOUNDATION:
        return module
    return ".".join(module.split(".")[:2])


def package_graph(imports: list[Import]) -> dict[str, dict[str, list[Import]]]:
    """package → package it imports → the imports that make that edge."""
    graph: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for imp in imports:
        a, b = package_of(imp.source), package_of(imp.target)
        if a != b:
            graph[a][b].append(imp)
    return graph


def find_cycle(graph: dict[str, dict[str, list[Import]]]) -> list[str] | None:
    """A cycle of packages (first == last), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def route(graph: dict[str, dict[str, list[Import]]], start: str, goal: str) -> list[Import] | None:
    """The imports by which package `start` reaches package `goal` (directly or through others)."""
    came: dict[str, Import | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt, why in sorted(graph.get(node, {}).items()):
            if nxt not in came:
                came[nxt] = why[0]
                queue.append(nxt)
    if goal not in came:
        return None
    steps: list[Import] = []
    node = goal
    while (step := came[node]) is not None:
        steps.append(step)
        node = package_of(step.source)
    return steps[::-1]


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    """The scan of bot/, once for the module (parsing every file takes a good part of a second)."""
    return all_imports()


@pytest.fixture(scope="module")
def graph(imports: list[Import]) -> dict[str, dict[str, list[Import]]]:
    return package_graph(imports)


def test_every_import_is_seen_wherever_it_is_written():
    source = (
        "from typing import TYPE_CHECKING\n"
        "import bot.config\n"
        "from bot.kb import listing\n"
        "from . import render\n"
        "if TYPE_CHECKING:\n"
        "    from bot.assistant import Assistant\n"
        "def run():\n"
        "    from bot.cli import main\n"
    )
    modules = {
        "bot.config",
        "bot.kb",
        "bot.kb.listing",
        "bot.assistant",
        "bot.cli",
        "bot.telegram",
        "bot.telegram.app",
        "bot.telegram.render",
    }
    found = imports_of(source, "bot.telegram.app", False, modules)
    assert sorted((i.line, i.target) for i in found) == [
        (2, "bot.config"),
        (3, "bot.kb.listing"),
        (4, "bot.telegram.render"),
        (6, "bot.assistant"),
        (8, "bot.cli"),
    ]


def test_the_scan_sees_the_layers(graph):
    # Lazy imports inside functions count: `bot.py run` reaches Telegram from the command line.
    assert "bot.telegram" in graph["bot.cli"]
    assert {"bot.kb", "bot.rules", "bot.i18n", "bot.store"} <= set(graph["bot.telegram"])
    assert "bot.kb.schema" in graph["bot.rules"] and "bot.rules" in graph["bot.kb"]


def test_no_cycles_between_packages(graph):
    cycle = find_cycle(graph)
    assert cycle is None, (
        "import cycle: "
        + " → ".join(cycle or [])
        + "\n"
        + "\n".join(
            str(graph[a][b][0]) for a, b in zip(cycle or [], (cycle or [])[1:], strict=False)
        )
    )


def test_a_cycle_would_be_found_and_named():
    imports = [
        Import("bot.kb.loader", "bot.rules.loader", 10),
        Import("bot.rules.loader", "bot.kb.loader", 14),
        Import("bot.rules.schema", "bot.kb.schema", 3),
    ]
    assert find_cycle(package_graph(imports)) == ["bot.kb", "bot.rules", "bot.kb"]
    assert find_cycle(package_graph(imports[::2])) is None


@pytest.mark.parametrize("package", ENGINE)
def test_the_engine_never_reaches_telegram(graph, package):
    steps = route(graph, package, "bot.telegram")
    assert steps is None, "\n".join(map(str, steps or []))


@pytest.mark.parametrize("package", ["bot.telegram", *ENGINE])
def test_nothing_that_serves_reaches_the_command_line(graph, package):
    steps = route(graph, package, "bot.cli")
    assert steps is None, "\n".join(map(str, steps or []))


@pytest.mark.parametrize("module", sorted(FOUNDATION))
def test_the_shared_vocabulary_imports_only_itself(imports, module):
    outside = [
        imp for imp in imports if imp.source == module and package_of(imp.target) not in FOUNDATION
    ]
    assert not outside, "\n".join(map(str, outside))


@pytest.mark.parametrize("module", QUESTION_PATH)
def test_the_question_path_does_not_import_admin_handlers(imports, module):
    direct = [imp for imp in imports if imp.source == module and imp.target in ADMIN_HANDLERS]
    assert not direct, "\n".join(map(str, direct))
