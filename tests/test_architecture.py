"""The library packages stay free of Django: the CLI and the web app are two consumers of them."""

from __future__ import annotations

import ast
from pathlib import Path

import openbeat

PACKAGE = Path(openbeat.__file__).parent
LIBRARY = ["ingest", "analytics", "stats", "geo", "demo", "lake.py", "locate.py"]


def imported_modules(path: Path) -> set[str]:
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
            assert not ({"django", "ninja"} & imported_modules(f)), f"{f.relative_to(PACKAGE)} imports Django"
    assert checked >= 5
