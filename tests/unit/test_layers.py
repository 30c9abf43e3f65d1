"""The layers of the code, enforced: a lower layer never imports a higher one, and no module imports itself round.

terms < ingest, extract < store < cases < notify < filing. ingest and extract are independent of each
other; inside extract, types is shared, and understanding (pure) never imports reading (I/O).
Every import counts, including those inside functions and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# (layer rank, unit): units of the same rank must not import each other.
LAYERS: dict[str, tuple[int, str]] = {
    "terms": (0, "terms"),
    "ingest": (1, "ingest"),
    "extract.types": (1, "extract.types"),
    "extract.reading": (2, "extract.reading"),
    "extract.understanding": (2, "extract.understanding"),
    "extract": (1, "extract.types"),  # the package's __init__ (a docstring) is shared like types
    "store": (3, "store"),
    "cases": (4, "cases"),
    "notify": (5, "notify"),
    "filing": (6, "filing"),
}
PACKAGES = ("terms", "ingest", "extract", "store", "cases", "notify", "filing")
# Stages side by side: ingest must not import extract and the other way round.
INDEPENDENT = {frozenset({"ingest", "extract"})}


def layer_of(module: str) -> tuple[int, str] | None:
    best = None
    for prefix, layer in LAYERS.items():
        if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, layer)
    return best[1] if best else None


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str, *, top_level_only: bool = False) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import of the file; relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    nodes = _top_level_imports(tree) if top_level_only else ast.walk(tree)
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:  # `from extract import reading` imports extract.reading
                yield node.lineno, f"{base}.{alias.name}"


def _top_level_imports(tree: ast.Module) -> Iterator[ast.stmt]:
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node.test):
            yield from (n for n in node.body + node.orelse if isinstance(n, (ast.Import, ast.ImportFrom)))
        elif isinstance(node, ast.Try):
            yield from (n for n in node.body if isinstance(n, (ast.Import, ast.ImportFrom)))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def source_files(root: Path) -> Iterator[tuple[Path, str]]:
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield path, module_name(path, root)


def violations(root: Path) -> list[str]:
    found: list[str] = []
    for path, module in source_files(root):
        here = layer_of(module)
        assert here is not None, module
        reported: set[int] = set()
        for line, target in imports_of(path, module):
            there = layer_of(target)
            if line in reported:
                continue
            if there is None or there[1] == here[1]:
                continue
            units = frozenset({here[1].split(".")[0], there[1].split(".")[0]})
            upward = there[0] > here[0]
            sideways = there[0] == here[0] or units in INDEPENDENT
            if upward or sideways:
                reported.add(line)
                found.append(f"{path.relative_to(root)}:{line}: {module} ({here[1]}) imports {target} ({there[1]})")
    return found


def cycles(root: Path) -> list[list[str]]:
    """Import cycles among the project's modules, counting the imports that run at import time."""
    modules = dict((m, p) for p, m in source_files(root))
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for _line, target in imports_of(path, module, top_level_only=True):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != module:
                graph[module].add(target)
    # A package imports nothing implicitly here: its __init__ files are empty docstrings.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_runs_up_or_sideways() -> None:
    assert violations(ROOT) == []


def test_no_import_cycles() -> None:
    assert cycles(ROOT) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_the_check_finds_an_upward_import(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "store/ok.py": "from terms.errors import FilingError\nfrom ingest.types import Submission\n",
            "store/bad.py": "def f():\n    from filing.config import Settings\n",
            "terms/bad.py": "import cases.review\n",
        },
    )
    found = violations(root)
    assert len(found) == 2
    assert any("store/bad.py:2" in f and "filing.config" in f for f in found)
    assert any("terms/bad.py:1" in f and "cases.review" in f for f in found)


def test_the_check_finds_sideways_imports(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "extract/understanding/fields.py": "from extract.reading import text\n",
            "extract/reading/text.py": "from extract.types import Page\nfrom ingest import types\n",
            "extract/types.py": "",
        },
    )
    found = violations(root)
    assert len(found) == 2
    assert any("understanding/fields.py" in f and "extract.reading" in f for f in found)
    assert any("reading/text.py:2" in f and "ingest" in f for f in found)


def test_the_check_finds_a_cycle(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "notify/a.py": "from notify.b import x\n",
            "notify/b.py": "from notify import a\nx = 1\n",
            "notify/c.py": "def f():\n    from notify import a\n",  # lazy: runs after import, no cycle
        },
    )
    assert cycles(root) == [["notify.a", "notify.b"]]
