"""Django's manage.py for OpenBeat: ``python -m openbeat.web.manage check --deploy``.

``openbeat manage ARGS`` does the same through the openbeat command.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbeat.web.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
