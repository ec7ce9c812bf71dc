"""The kitland exception family.

Every error kitland raises on purpose is a :class:`KitlandError`. The subclasses also
derive from the matching builtin, so ``except ValueError`` keeps working for callers
who do not know kitland. The command line turns any ``KitlandError`` into one line on
stderr and exit code 2.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "DataError",
    "InfeasibleError",
    "KitlandError",
    "RulesError",
]


class KitlandError(Exception):
    """Base class of every error kitland raises on purpose."""


class DataError(KitlandError, ValueError):
    """Estate or zone data cannot be read or used (names the file, layer or feature)."""


class CRSError(DataError):
    """A layer has no CRS, or coordinates that cannot be right for the CRS it declares."""


class RulesError(KitlandError, ValueError):
    """A rules file is invalid (names the file, the rule and the key)."""


class InfeasibleError(KitlandError, RuntimeError):
    """No placement satisfies the rules, or the solver failed (carries its status)."""
