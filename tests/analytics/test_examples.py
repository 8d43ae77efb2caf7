"""Every statistics module's docstring example runs and prints what it says; none imports Django."""

import ast
import doctest
import importlib
from pathlib import Path

import pytest

import openbeat.analytics

MINE = ["allocation", "change", "concentration", "disproportionality", "evaluation", "fdr",
        "funnel", "grid", "harm", "hotspots", "trust"]


@pytest.mark.parametrize("name", MINE)
def test_docstring_example(name):
    module = importlib.import_module(f"openbeat.analytics.{name}")
    assert module.__doc__ and "Example" in module.__doc__, f"{name} has no example"
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_no_django_in_analytics():
    root = Path(openbeat.analytics.__file__).parent
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "django" or n.startswith("django.") for n in names), path
