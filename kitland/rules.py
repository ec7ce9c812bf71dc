"""The rules file (SPEC §2): parsed into typed, immutable rule objects.

This module only reads and checks the file's form. Measuring a rule on a zone is
:mod:`kitland.measure`; checking that a selector matches features in an estate happens
when rules meet an estate (:meth:`Selector.select`).

Interface (fixed; other modules rely on it):

- :class:`Rules` has ``zone`` (:class:`ZoneSpec` or None), ``rules`` (zone rules),
  ``layout`` (layout rules), ``prefer`` (soft preferences), ``source`` (file label).
- :class:`Rule` has ``id`` (``name`` or ``kind#index``), ``kind``, ``index`` (1-based
  position in its array), ``scope`` (``"zone"``, ``"layout"``, ``"prefer"``) and
  ``params`` (the keys of the table other than ``kind``/``name``; selector tables are
  :class:`Selector` objects, lists are tuples, numbers are float).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Rule", "Rules", "Selector", "ZoneSpec"]


@dataclass(frozen=True)
class Selector:
    """Which features a rule is about: a layer and column → accepted values.

    All given columns must match (SPEC §2).
    """

    layer: str = "parcels"
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def describe(self) -> str:
        """Short text such as ``water kind=river``."""
        crit = " ".join(f"{k}={'|'.join(v)}" for k, v in self.where.items())
        return f"{self.layer} {crit}".strip()


@dataclass(frozen=True)
class ZoneSpec:
    """The ``[zone]`` table: what is placed, how big, on which land."""

    name: str = "Zona UMKM"
    land_use: str = "umkm"
    area_ha: float = 20.0
    tolerance_ha: float = 0.5
    on: tuple[str, ...] = ("available",)

    @property
    def min_ha(self) -> float:
        """Smallest acceptable area."""
        return self.area_ha - self.tolerance_ha

    @property
    def max_ha(self) -> float:
        """Largest acceptable area."""
        return self.area_ha + self.tolerance_ha


@dataclass(frozen=True)
class Rule:
    """One entry of ``[[rules]]``, ``[[layout]]`` or ``[[prefer]]``."""

    id: str
    kind: str
    index: int
    scope: Literal["zone", "layout", "prefer"]
    params: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        """A parameter, or ``default``."""
        return self.params.get(key, default)


@dataclass(frozen=True)
class Rules:
    """A whole rules file."""

    zone: ZoneSpec | None
    rules: tuple[Rule, ...] = ()
    layout: tuple[Rule, ...] = ()
    prefer: tuple[Rule, ...] = ()
    source: str = ""
