"""Tests mirror the package: tests/<x>/ for every package and app openbeat/<x>/, a test file in
tests/cli/ for every command module, and tests/test_<m>.py for every top-level module.

A new app or command module without tests fails here; so does a tests folder whose package
was renamed or removed. Tests that drive the whole site (the browser tests, security
headers, the authorisation of every write) live in tests/web/, the project's own folder.
"""

from __future__ import annotations

from tests.conftest import ROOT

PACKAGE = ROOT / "openbeat"
TESTS = ROOT / "tests"
#: Top-level modules that need no tests of their own, and why.
NO_TESTS = {"__init__": "the package marker and version", "__main__": "`python -m openbeat` calls the CLI"}


def _packages() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())


def test_every_package_and_app_has_a_tests_folder_with_tests():
    assert [name for name in _packages() if not any((TESTS / name).glob("test_*.py"))] == []


def test_every_tests_folder_mirrors_a_package():
    folders = sorted(p.name for p in TESTS.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert [name for name in folders if name not in _packages()] == []


def test_every_cli_command_module_has_its_test_file():
    modules = sorted(p.stem for p in (PACKAGE / "cli").glob("*_commands.py"))
    assert modules, "no command modules found under openbeat/cli"
    assert [m for m in modules if not (TESTS / "cli" / f"test_{m}.py").exists()] == []


def test_every_top_level_module_has_its_test_file():
    modules = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in NO_TESTS)
    assert [m for m in modules if not (TESTS / f"test_{m}.py").exists()] == []
