"""Messages for residents: what to try next, never what an administrator must run.

The analytics library's errors are written for the command line and often end with the
command that would fix them ("load them with `openbeat reference load`"). A resident cannot run
it, so :func:`for_residents` logs the whole message for the administrator and shows the
resident the first part, with a sentence on what they can do. The about page lists, for
administrators, each missing dataset and the command that loads it (:data:`LOADS`).
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger("openbeat.web.admin")

#: A shell command in a message: `openbeat …`, 'openbeat …' or a bare openbeat verb.
SHELL = re.compile(r"[`'\"]openbeat\s[^`'\"]*[`'\"]|\bopenbeat\s+(?:areas|reference|fetch|ingest|demo|serve|manage|"
                   r"query|worker|analyse)\b|--online")
_CLAUSE = re.compile(r"(;|:|,| \(| or | and )\s*")

MISSING = "This site has not loaded the data this needs yet; its About page says what is loaded."

#: Datasets a full site has, and the command an administrator runs to load each (about page only).
LOADS = {
    "crimes": "openbeat ingest FOLDER_OF_POLICE_UK_CSVS",
    "stop_searches": "openbeat ingest FOLDER_OF_POLICE_UK_CSVS",
    "areas": "openbeat reference load FOLDER_OF_BOUNDARIES_AND_LOOKUPS",
    "population": "openbeat reference load FOLDER_WITH_CENSUS_TABLES",
    "postcodes": "openbeat reference load ONSPD.csv",
    "pas": "openbeat reference load FOLDER_WITH_PAS_buroughs.csv_AND_PAS_Total.csv",
    "neighbourhoods": "openbeat fetch neighbourhoods --force FORCE",
}


def has_shell_command(text: str) -> bool:
    return bool(SHELL.search(text or ""))


def for_residents(text: str, *, next_step: str = MISSING) -> str:
    """``text`` without any instruction to run a command (that goes to the log), plus ``next_step``."""
    text = (text or "").strip()
    found = SHELL.search(text)
    if not found:
        return text
    log.warning("a resident met a message for the administrator: %s", text)
    head = text[:found.start()]
    cuts = [m.start() for m in _CLAUSE.finditer(head)]
    head = head[:cuts[-1]] if cuts else ""
    head = re.sub(r"\s*(?:load (?:it|them|areas)?\s*(?:with)?|run|try)\s*$", "", head.strip(), flags=re.I)
    head = head.strip(" ;:,(")
    if not head:
        return next_step
    head = head[:1].upper() + head[1:]
    return (head if head.endswith((".", "!", "?")) else head + ".") + " " + next_step


def missing_loads(datasets: set[str]) -> list[tuple[str, str]]:
    """(dataset, command) for each dataset a full site has and this one lacks."""
    return [(name, cmd) for name, cmd in LOADS.items() if name not in datasets]
