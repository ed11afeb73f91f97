"""The storage package's shape, read from its modules' source: its modules import each other
without a cycle, import nothing of the bot above them (the outbox keeps buttons as data; the
channel renders them), and the rest of the bot reaches storage only through `bot.storage`'s
names (`__all__`) and its public submodules."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import bot.storage

ROOT = Path(__file__).resolve().parent.parent
STORAGE = ROOT / "bot" / "storage"
# The submodules that are the package's surface too: a whole database's copy and check.
PUBLIC_SUBMODULES = {"bot.storage.copy", "bot.storage.verify"}
# Benchmarks that time the storage's own phases and count its statements: they must reach in.
INSTRUMENTING = {"bench/import_phases.py"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name | ast.Attribute) and ast.unparse(node.test).endswith(
        "TYPE_CHECKING"
    )


def runtime_imports(path: Path) -> Iterator[tuple[str, list[str], int]]:
    """(module, names, line) of each import that runs (at module level or in a function; not
    those under `if TYPE_CHECKING:`, which only annotations read)."""

    def walk(node: ast.AST) -> Iterator[ast.AST]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                yield from (n for orelse in child.orelse for n in [orelse, *walk(orelse)])
                continue
            yield child
            yield from walk(child)

    for node in walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [alias.name for alias in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno


def storage_graph() -> dict[str, set[str]]:
    """Each storage module and the storage modules it imports at run time."""
    modules = {module_name(path): path for path in STORAGE.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for module, names, _ in runtime_imports(path):
            if module in modules:
                # `from bot.storage import x` names the submodule x, if it is one.
                submodules = {f"{module}.{n}" for n in names} & modules.keys()
                targets |= submodules or {module}
        graph[name] = targets - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_storage_modules_import_each_other_without_a_cycle() -> None:
    graph = storage_graph()
    assert len(graph) > 20, "every storage module is read"
    assert cycles(graph) == []


def test_cycles_are_found() -> None:
    """The check above would see a cycle (here one made up of three modules)."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [{"a", "b", "c"}]


def test_storage_imports_nothing_of_the_bot_above_it() -> None:
    above = [
        f"{module_name(path)}:{line} imports {module}"
        for path in sorted(STORAGE.glob("*.py"))
        for module, _, line in runtime_imports(path)
        if module.split(".")[0] == "bot" and not module.startswith("bot.storage")
    ]
    assert above == []


def test_the_rest_of_the_bot_imports_storage_only_through_its_surface() -> None:
    public = set(bot.storage.__all__)
    reaching_in = []
    for top in ("bot", "bench"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if STORAGE in path.parents or path.relative_to(ROOT).as_posix() in INSTRUMENTING:
                continue
            for module, names, line in runtime_imports(path):
                where = f"{path.relative_to(ROOT)}:{line}"
                if module == "bot.storage":
                    reaching_in += [f"{where} {n}" for n in names if n not in public]
                elif module.startswith("bot.storage.") and module not in PUBLIC_SUBMODULES:
                    reaching_in.append(f"{where} {module}")
    assert reaching_in == []


def test_every_exported_name_is_there() -> None:
    for name in bot.storage.__all__:
        assert hasattr(bot.storage, name), name
    for module in PUBLIC_SUBMODULES:
        importlib.import_module(module)
