"""What each app keeps about a person, so one download and one deletion cover everything.

Every app that stores something about a user registers it here, from its ``AppConfig.ready``::

    from openbeat.accounts import privacy

    privacy.register("priorities", export=priorities_personal_data, erase=priorities_personal_data_erase)

``export(*, user) -> dict | list`` returns JSON-ready data (dates as ISO strings).
``erase(*, user, keep_text: bool) -> None`` runs inside the account-deletion transaction,
before the user row goes: remove what only makes sense with the person (supports, follows,
reports); for what they wrote, ``keep_text=True`` keeps it shown as "a former resident"
(set the author to None: FKs to the user on text are ``on_delete=SET_NULL``),
``keep_text=False`` removes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: What the site shows as the author of text whose author deleted their account.
FORMER_RESIDENT = "a former resident"


@dataclass(frozen=True)
class PersonalData:
    name: str
    export: Callable[..., dict | list]
    erase: Callable[..., None]


_registry: dict[str, PersonalData] = {}


def register(name: str, *, export: Callable[..., dict | list], erase: Callable[..., None]) -> None:
    _registry[name] = PersonalData(name=name, export=export, erase=erase)


def registered() -> list[PersonalData]:
    return [_registry[name] for name in sorted(_registry)]
