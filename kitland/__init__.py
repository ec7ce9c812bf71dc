"""kitland: plan land in an industrial estate — place the UMKM zone, check layouts, map them.

The bundled estate is an *illustrative* layout of KIT Batang (Kawasan Industri Terpadu
Batang, Desa Ketanggan, Kec. Gringsing, Kab. Batang) on real village boundaries; it is
not the official master plan.

>>> import kitland
>>> estate = kitland.load_estate()
>>> estate.crs.to_epsg()
32749
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from kitland._errors import (
    CRSError,
    DataError,
    InfeasibleError,
    KitlandError,
    RulesError,
    UsageError,
)
from kitland.estate import Estate, Finding, load_estate
from kitland.report import Report, RuleResult
from kitland.rules import Rule, Rules, ZoneSpec

# Higher stages load on first use, so `import kitland` stays as light as the estate model.
_LAZY = {
    "validate": "kitland.validation",
    "ValidationReport": "kitland.validation",
    "load_rules": "kitland.rules",
    "check": "kitland.measure",
    "place": "kitland.placement",
    "score": "kitland.placement",
    "compare": "kitland.comparison",
    "Comparison": "kitland.comparison",
    "PlacementResult": "kitland.placement",
    "make_map": "kitland.maps",
    "write_pdf": "kitland.printing",
    "plots": "kitland.plots",
    "PlotLayout": "kitland.plots",
    "check_plots": "kitland.plots",
    "sweep": "kitland.sweeps",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib  # noqa: PLC0415

        return getattr(importlib.import_module(_LAZY[name]), name)
    msg = f"module 'kitland' has no attribute {name!r}"
    raise AttributeError(msg)


try:
    __version__ = version("kitland")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0+unknown"

__all__ = [
    "CRSError",
    "Comparison",
    "DataError",
    "Estate",
    "Finding",
    "InfeasibleError",
    "KitlandError",
    "PlacementResult",
    "PlotLayout",
    "Report",
    "Rule",
    "RuleResult",
    "Rules",
    "RulesError",
    "UsageError",
    "ValidationReport",
    "ZoneSpec",
    "__version__",
    "check",
    "check_plots",
    "compare",
    "load_estate",
    "load_rules",
    "make_map",
    "place",
    "plots",
    "score",
    "sweep",
    "validate",
    "write_pdf",
]
