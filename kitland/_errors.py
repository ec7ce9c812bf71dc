"""The kitland exception family.

Every error kitland raises on purpose is a :class:`KitlandError`. The subclasses also
derive from the matching builtin, so ``except ValueError`` keeps working for callers
who do not know kitland. The command line turns any ``KitlandError`` into one line on
stderr and exit code 2 (a :class:`RulesError` with several problems prints one line per
problem), in its ``--lang`` when the error was raised with a message of the catalogue
(:meth:`KitlandError.render`).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = [
    "CRSError",
    "DataError",
    "InfeasibleError",
    "KitlandError",
    "RulesError",
    "UsageError",
]


@runtime_checkable
class _Said(Protocol):
    """A message that can be written in a language (:class:`kitland.i18n.Message`)."""

    def render(self, lang: str = "en") -> str: ...


class KitlandError(Exception):
    """Base class of every error kitland raises on purpose.

    Raised with plain text, or with a :class:`kitland.i18n.Message` (kept as ``said``):
    ``str(error)`` is then the English text, and :meth:`render` the same line in
    another language.

    Examples
    --------
    >>> from kitland.i18n import Message
    >>> err = KitlandError(Message("{path}: no such file or folder", {"path": "x.gpkg"}))
    >>> str(err), err.render("id")
    ('x.gpkg: no such file or folder', 'x.gpkg: tidak ada berkas atau folder seperti itu')
    """

    def __init__(self, message: object = "", *args: object) -> None:
        self.said = message if isinstance(message, _Said) else None
        super().__init__(message.render("en") if isinstance(message, _Said) else message, *args)

    def render(self, lang: str = "en") -> str:
        """The error's line in ``lang`` (in English when it was raised as plain text)."""
        return self.said.render(lang) if self.said is not None else str(self)

    @property
    def message(self) -> object:
        """What the error was raised with: the catalogue message, else the text."""
        return self.said if self.said is not None else str(self)


class DataError(KitlandError, ValueError):
    """Estate or zone data cannot be read or used (names the file, layer or feature)."""


class CRSError(DataError):
    """A layer has no CRS, or coordinates that cannot be right for the CRS it declares."""


class RulesError(KitlandError, ValueError):
    """A rules file is invalid (names the file, the rule and the key).

    ``problems`` holds every problem found, one English line each (given as text or
    as messages of the catalogue); the message is the problem itself when there is one,
    else a summary line followed by the problems.
    """

    def __init__(self, message: object, problems: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(str(p) for p in problems) or (str(self),)


class UsageError(KitlandError, ValueError):
    """An argument is out of range (names the argument, what came and what would do)."""


class InfeasibleError(KitlandError, RuntimeError):
    """No placement satisfies the rules, or the solver failed (carries its status)."""
