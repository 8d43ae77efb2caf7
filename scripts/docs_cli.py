"""Write docs/cli.md from the commands' own --help, so the reference cannot drift.

    .venv/bin/python scripts/docs_cli.py          # rewrite docs/cli.md
    .venv/bin/python scripts/docs_cli.py --check  # exit 1 if docs/cli.md is stale (the tests run this)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openbeat.cli import main  # noqa: E402

DOC = ROOT / "docs" / "cli.md"


def walk(group: click.Group, prefix: list[str]):
    for name in sorted(group.commands):
        cmd = group.commands[name]
        if cmd.hidden:
            continue  # an old name kept working (``areas load``), not documented
        yield [*prefix, name], cmd
        if isinstance(cmd, click.Group):
            yield from walk(cmd, [*prefix, name])


def render() -> str:
    runner = CliRunner()
    out = [
        "# The `openbeat` command",
        "",
        "Generated from each command's `--help` by `scripts/docs_cli.py`; a test fails when it is stale.",
        "Every command that reads or writes the lake takes `--lake DIR` (default `$OPENBEAT_LAKE`,",
        "else a folder under your user data directory).",
        "",
    ]
    for path, _ in walk(main, []):
        result = runner.invoke(main, [*path, "--help"], terminal_width=100, prog_name="openbeat")
        out += [f"## openbeat {' '.join(path)}", "", "```", result.output.rstrip(), "```", ""]
    return "\n".join(out)


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if DOC.exists() and DOC.read_text() == text else 1)
    DOC.write_text(text)
    print(f"wrote {DOC.relative_to(ROOT)}")
