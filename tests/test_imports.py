"""No module of voicelens imports, at module level, a module that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

import voicelens

PACKAGE_DIR = Path(voicelens.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = ["voicelens", *path.relative_to(PACKAGE_DIR).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is imported (not those under ``if TYPE_CHECKING``)."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.Try):
            blocks = [node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)]
            found += [n for block in blocks for n in block if isinstance(n, (ast.Import, ast.ImportFrom))]
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            found += [n for n in node.body + node.orelse if isinstance(n, (ast.Import, ast.ImportFrom))]
    return found


def _import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE_DIR.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for node in _top_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                if node.level:
                    base = name.split(".")
                    base = base[: len(base) - node.level + (1 if is_package else 0)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                # ``from . import x`` imports the module ``x`` when there is one
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in files else module for a in node.names]
            for target in (t for t in targets if t in files and t != name):
                graph[name].add(target)
                # importing a.b.c first runs a/b/__init__.py, unless the importer is inside a.b
                parts = target.split(".")
                graph[name] |= {pkg for pkg in (".".join(parts[:i]) for i in range(2, len(parts)))
                                if pkg != name and not name.startswith(pkg + ".")}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_graph_sees_relative_and_absolute_imports():
    graph = _import_graph()
    assert "voicelens.summary" in graph["voicelens.result"]           # from .summary import ...
    assert "voicelens.io.readers" in graph["voicelens.io"]             # from voicelens.io.readers import ...
    assert "voicelens.result" in graph["voicelens.report.load"]        # from ..result import ...


def test_a_cycle_is_found():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_level_import_cycle():
    cycle = _cycle(_import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_result_reads_itself_without_report_load():
    """Results read and write themselves; ``report/load.py`` only re-exports the reader."""
    source = (PACKAGE_DIR / "result.py").read_text(encoding="utf-8")
    assert "report.load" not in source
