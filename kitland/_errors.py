"""The kitland exception family.

Every error kitland raises on purpose is a :class:`KitlandError`. The subclasses also
derive from the matching builtin, so ``except ValueError`` keeps working for callers
who do not know kitland. The command line turns any ``KitlandError`` into one line on
stderr and exit code 2 (a :class:`RulesError` with several problems prints one line per
problem).
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "DataError",
    "InfeasibleError",
    "KitlandError",
    "RulesError",
    "UsageError",
]


class KitlandError(Exception):
    """Base class of every error kitland raises on purpose."""


class DataError(KitlandError, ValueError):
    """Estate or zone data cannot be read or used (names the file, layer or feature)."""


class CRSError(DataError):
    """A layer has no CRS, or coordinates that cannot be right for the CRS it declares."""


class RulesError(KitlandError, ValueError):
    """A rules file is invalid (names the file, the rule and the key).

    ``problems`` holds every problem found, one line each; the message is the problem
    itself when there is one, else a summary line followed by the problems.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems or (message,)


class UsageError(KitlandError, ValueError):
    """An argument is out of range (names the argument, what came and what would do)."""


class InfeasibleError(KitlandError, RuntimeError):
    """No placement satisfies the rules, or the solver failed (carries its status)."""
