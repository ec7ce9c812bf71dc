"""Content hashes of estates and rules: the same content gives the same digest, wherever
it was read from (the path is never part of it). Sweeps key their finished scenarios by
them and :func:`kitland.place` keys its cache of cells.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import weakref
from typing import Any

import pandas as pd
import shapely

from kitland.estate import Estate
from kitland.rules import Rules, Selector

__all__ = ["canonical", "estate_digest", "rules_digest"]


def canonical(value: Any) -> Any:
    """``value`` as JSON-able data whose text does not depend on dict order.

    Examples
    --------
    >>> canonical({"b": 1.5, "a": (1, 2)})
    {'a': [1, 2], 'b': '1.5'}
    """
    if isinstance(value, Selector):
        return {"layer": value.layer, "where": {k: list(v) for k, v in sorted(value.where.items())}}
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    return value


def digest(value: Any) -> str:
    """SHA-256 of :func:`canonical` ``value`` as JSON text."""
    return hashlib.sha256(json.dumps(canonical(value), sort_keys=True).encode()).hexdigest()


def rules_digest(rules: Rules) -> str:
    """SHA-256 of what the rules say (zone and every rule), not where they came from."""
    data = {
        "zone": canonical(dataclasses.asdict(rules.zone)) if rules.zone else None,
        "rules": [[r.scope, r.id, r.kind, r.optional, canonical(dict(r.params))] for r in rules],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def estate_digest(estate: Estate) -> str:
    """SHA-256 of an estate's content: every layer's CRS, columns, values and geometry.

    The same data read from another path (or on another machine) gives the same digest;
    the path itself is not part of it. It is computed once per estate object (whose
    layers are never changed in place) and kept while the object lives.
    """
    known = _ESTATE_DIGESTS.get(estate)
    if known is None:
        known = _ESTATE_DIGESTS[estate] = _content_digest(estate)
    return known


#: :func:`estate_digest` per estate object: a what-if or a sweep's scenario asks again for
#: the same estate, and hashing every layer costs tens of milliseconds.
_ESTATE_DIGESTS: weakref.WeakKeyDictionary[Estate, str] = weakref.WeakKeyDictionary()


def _content_digest(estate: Estate) -> str:
    h = hashlib.sha256(estate.crs.to_wkt().encode())
    for name in sorted(estate.layers):
        gdf = estate.layers[name]
        h.update(f"\x00{name}\x00".encode())
        attrs = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        h.update(attrs.to_json(orient="split", double_precision=15, date_format="iso").encode())
        for wkb in shapely.to_wkb(gdf.geometry.to_numpy(), byte_order=1):
            h.update(b"\x01" if wkb is None else wkb)
    return h.hexdigest()
