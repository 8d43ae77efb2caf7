"""Imports go one way (docs/architecture.md), and the library packages stay free of Django.

Every module under ``openbeat/`` is parsed with :mod:`ast`; every ``import`` in it counts,
function-level and ``TYPE_CHECKING`` ones included. The edges make a graph of files, and the
tests fail on any cycle in it (there is no list of allowed ones: untie a new cycle, don't
excuse it) and on any edge that goes up or sideways against the layers, printing the
offending edges (``pytest -s tests/test_architecture.py`` prints them all, and what the
layering allows, even when the tests pass).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import openbeat

PACKAGE = Path(openbeat.__file__).parent
LIBRARY = ["datasets.py", "lake.py", "geo", "stats", "ingest", "analytics", "locate.py", "demo"]

#: From the bottom up. A unit is a top-level module or package of ``openbeat``; a unit may
#: import only from its own unit and from lower layers (never from another unit of its own
#: layer: that is sideways). The top layer has its own rules, in :func:`top_layer_problem`.
LAYERS: list[tuple[str, list[str]]] = [
    ("datasets", ["openbeat", "openbeat.datasets"]),
    ("lake", ["openbeat.lake"]),
    ("geometry and statistics", ["openbeat.geo", "openbeat.stats"]),
    ("ingest", ["openbeat.ingest"]),
    ("analytics, locate and the demo city", ["openbeat.analytics", "openbeat.locate", "openbeat.demo"]),
    ("CLI and Django", ["*"]),  # every other unit: openbeat.cli, openbeat.web and the Django apps
]
TOP = len(LAYERS) - 1
CLI = {"openbeat.cli", "openbeat.__main__"}
PROJECT = "openbeat.web"  # the Django project: settings, URL root, middleware, the lake door
URL_ROOT = "openbeat.web.urls"  # the one module of the project that mounts the apps
#: Allowed by the layers, refused all the same: (importer unit, imported unit, why).
REFUSED = [("openbeat.analytics", "openbeat.ingest",
            "analytics reads what ingest wrote to the lake, never the loaders")]


def module_files() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = ["openbeat", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    where: str  # "module" or "function" (inside a def: run when called, not on import)

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}  ({self.where} level, line {self.line})"


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Edge]:
    """The ``openbeat`` modules ``module`` imports: ``from a.b import c`` is ``a.b.c`` when that is
    a module, else ``a.b``. Parent packages run on the way are not counted as edges."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            in_function |= {id(n) for n in ast.walk(node) if n is not node}
    edges = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            names = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in modules else origin
                     for alias in node.names]
        else:
            continue
        where = "function" if id(node) in in_function else "module"
        for name in names:
            target = _resolve(name, modules) if name.split(".")[0] == "openbeat" else None
            if target and target != module:
                edges.add(Edge(module, target, node.lineno, where))
    return sorted(edges, key=str)


def import_graph() -> list[Edge]:
    modules = module_files()
    return [edge for module, path in modules.items() for edge in imports_of(module, path, modules)]


def unit_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2])


def layer_of(unit: str) -> int:
    for index, (_, units) in enumerate(LAYERS):
        if unit in units:
            return index
    return TOP


def top_layer_problem(edge: Edge) -> str | None:
    """CLI and Django: the apps may use each other (their models link), the CLI may start the web
    and its worker; nothing imports the CLI, and the project package imports no app except in
    its URL root, which mounts them."""
    source, target = unit_of(edge.source), unit_of(edge.target)
    if target in CLI and source not in CLI:
        return "imports the CLI"
    if source == PROJECT and layer_of(target) == TOP and target not in CLI and edge.source != URL_ROOT:
        return "the project package imports an app"
    return None


def layering_problems(edges: list[Edge]) -> list[str]:
    problems = []
    for edge in edges:
        source, target = unit_of(edge.source), unit_of(edge.target)
        if source == target:
            continue
        low, high = layer_of(target), layer_of(source)
        refused = [why for a, b, why in REFUSED if (a, b) == (source, target)]
        if refused:
            problems.append(f"{edge}  [{refused[0]}]")
        if low > high:
            problems.append(f"{edge}  [upward: {LAYERS[high][0]} imports {LAYERS[low][0]}]")
        elif low == high and high != TOP:
            problems.append(f"{edge}  [sideways within {LAYERS[high][0]}]")
        elif high == TOP and (why := top_layer_problem(edge)):
            problems.append(f"{edge}  [{why}]")
    return sorted(problems)


def cycles(edges: list[Edge]) -> list[list[str]]:
    """The strongly connected components of more than one file (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def describe_cycles(edges: list[Edge]) -> list[str]:
    lines = []
    for component in cycles(edges):
        members = set(component)
        lines.append("cycle: " + " , ".join(component))
        lines += [f"    {edge}" for edge in edges if edge.source in members and edge.target in members]
    return lines


def test_the_graph_sees_every_kind_of_import():
    edges = import_graph()
    assert len({edge.source for edge in edges}) > 150, "the walk found the package's modules"
    assert any(edge.where == "function" for edge in edges), "function-level imports are counted"
    known = {(e.source, e.target, e.where) for e in edges}
    assert ("openbeat.lake", "openbeat.datasets", "module") in known
    assert ("openbeat.ingest.neighbourhoods", "openbeat.geo.neighbourhoods", "function") in known


def test_the_checker_names_each_kind_of_wrong_edge():
    edges = [Edge("openbeat.lake", "openbeat.ingest.kinds", 349, "function"),
             Edge("openbeat.geo.pip", "openbeat.stats.fdr", 3, "module"),
             Edge("openbeat.analytics.vawg", "openbeat.ingest.census", 168, "function"),
             Edge("openbeat.web.views", "openbeat.areas.selectors", 22, "function"),
             Edge("openbeat.web.urls", "openbeat.areas.views", 7, "module"),
             Edge("openbeat.areas.views", "openbeat.cli.options", 9, "module"),
             Edge("openbeat.ingest.census", "openbeat.geo.refdata", 33, "module")]
    assert layering_problems(edges) == [
        "openbeat.analytics.vawg -> openbeat.ingest.census  (function level, line 168)  "
        "[analytics reads what ingest wrote to the lake, never the loaders]",
        "openbeat.areas.views -> openbeat.cli.options  (module level, line 9)  [imports the CLI]",
        "openbeat.geo.pip -> openbeat.stats.fdr  (module level, line 3)  [sideways within geometry and statistics]",
        "openbeat.lake -> openbeat.ingest.kinds  (function level, line 349)  [upward: lake imports ingest]",
        "openbeat.web.views -> openbeat.areas.selectors  (function level, line 22)  "
        "[the project package imports an app]",
    ]
    loop = [Edge("openbeat.api.errors", "openbeat.api.params", 21, "module"),
            Edge("openbeat.api.params", "openbeat.api.errors", 25, "function"),
            Edge("openbeat.api.params", "openbeat.analytics.harm", 9, "module")]
    assert cycles(loop) == [["openbeat.api.errors", "openbeat.api.params"]]


def test_no_import_cycles_between_files():
    edges = import_graph()
    lines = describe_cycles(edges)
    print("\nimport cycles between files (function-level imports included):")
    print("\n".join(lines) if lines else "    none")
    assert not lines, "files import each other (docs/architecture.md, Cycles):\n" + "\n".join(lines)


def test_imports_go_down_the_layers():
    problems = layering_problems(import_graph())
    print("\nlayers, bottom first: " + " < ".join(name for name, _ in LAYERS))
    print("imports against the layering:")
    print("\n".join(f"    {p}" for p in problems) if problems else "    none")
    assert not problems, "imports against the layering (docs/architecture.md):\n" + "\n".join(problems)


def library_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_library_packages_never_import_django():
    checked = 0
    for name in LIBRARY:
        target = PACKAGE / name
        files = [target] if target.suffix == ".py" else sorted(target.rglob("*.py"))
        for f in files if target.exists() else []:
            checked += 1
            assert not ({"django", "ninja"} & library_imports(f)), f"{f.relative_to(PACKAGE)} imports Django"
    assert checked >= 5
