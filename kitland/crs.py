"""Choosing the metric CRS that every measurement happens in.

This module imports nothing from kitland but the errors: it is a bottom layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyproj
import shapely

from kitland._errors import CRSError

__all__ = [
    "DEFAULT_CRS",
    "areal_scale",
    "crs_label",
    "is_metric_projected",
    "metric_crs_for",
    "utm_codes",
]

#: WGS 84 / UTM zone 49S, the default working CRS of the bundled estate (SPEC §1).
DEFAULT_CRS = pyproj.CRS.from_epsg(32749)


def is_metric_projected(crs: Any) -> bool:
    """Return True when ``crs`` is a projected CRS whose axes are in metres.

    Examples
    --------
    >>> is_metric_projected("EPSG:23835"), is_metric_projected("EPSG:4326")
    (True, False)
    """
    c = pyproj.CRS.from_user_input(crs)
    if not c.is_projected:
        return False
    units = {(ax.unit_name or "").lower() for ax in c.axis_info}
    return units <= {"metre", "meter", "m"}


def areal_scale(crs: Any, lon: float, lat: float) -> float:
    """Square metres of ``crs``'s plane that one square metre of ground at ``lon``/``lat``
    becomes: the planar area of a 0.01° square there over its area on the WGS 84
    ellipsoid. About 1 for UTM or TM-3 inside their zones; web mercator, a sphere's
    formula on the ellipsoid's latitudes, 1.9 % more at 6.3° S.

    Examples
    --------
    >>> round(areal_scale("EPSG:3857", 107.87, -6.29), 4), round(areal_scale("EPSG:32748", 107.87, -6.29), 4)
    (1.0188, 1.0017)
    """
    square = shapely.segmentize(
        shapely.box(lon - 0.005, lat - 0.005, lon + 0.005, lat + 0.005), 0.0005
    )
    ground = abs(pyproj.Geod(ellps="WGS84").geometry_area_perimeter(square)[0])
    t = pyproj.Transformer.from_crs(4326, pyproj.CRS.from_user_input(crs), always_xy=True)
    plane = shapely.transform(square, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
    return float(plane.area / ground)


def crs_label(crs: Any) -> str:
    """Short label such as ``"EPSG:32749"`` (or the CRS name when it has no code).

    Examples
    --------
    >>> crs_label(4326)
    'EPSG:4326'
    """
    c = pyproj.CRS.from_user_input(crs)
    auth = c.to_authority(min_confidence=70)
    return f"{auth[0]}:{auth[1]}" if auth else c.name


def metric_crs_for(
    source_crs: Any,
    bounds_lonlat: tuple[float, float, float, float] | None = None,
    *,
    keep_input: bool = False,
) -> pyproj.CRS:
    """The CRS to measure in for data stored in ``source_crs``.

    Data is measured in the WGS 84 UTM zone of its centre — EPSG:32749 for the KIT
    Batang area — whatever CRS it is stored in, so the same estate stored in EPSG:4326,
    EPSG:32749 or the land office's TM-3 grid (EPSG:23835) gives the same areas. With
    ``keep_input`` a metric projected source CRS is kept instead (its planar areas differ
    from UTM by the two projections' scale factors, ~0.03 % at KIT Batang for TM-3).
    Without bounds, :data:`DEFAULT_CRS`.

    Parameters
    ----------
    source_crs
        The CRS the data declares.
    bounds_lonlat
        The data's bounds in longitude/latitude (west, south, east, north).
    keep_input
        Keep ``source_crs`` when it is projected and in metres.

    Raises
    ------
    CRSError
        If ``source_crs`` is not a CRS pyproj knows.

    Examples
    --------
    >>> crs_label(metric_crs_for("EPSG:4326", (109.91, -6.97, 110.02, -6.91)))
    'EPSG:32749'
    >>> crs_label(metric_crs_for("EPSG:23835", (109.91, -6.97, 110.02, -6.91)))
    'EPSG:32749'
    >>> crs_label(metric_crs_for("EPSG:23835", keep_input=True))
    'EPSG:23835'
    """
    try:
        c = pyproj.CRS.from_user_input(source_crs)
    except pyproj.exceptions.CRSError as exc:
        msg = f"unknown CRS {source_crs!r}: {exc}"
        raise CRSError(msg) from exc
    if keep_input and is_metric_projected(c):
        return c
    if bounds_lonlat is None:
        return DEFAULT_CRS
    west, south, east, north = bounds_lonlat
    codes = utm_codes(west, south, east, north)
    # Prefer the zone whose hemisphere matches the data's centre.
    centre_south = (south + north) / 2 < 0
    for code in codes:
        if (code > 32700) == centre_south:
            return pyproj.CRS.from_epsg(code)
    return DEFAULT_CRS if not codes else pyproj.CRS.from_epsg(codes[0])


def utm_codes(west: float, south: float, east: float, north: float) -> list[int]:
    """EPSG codes of the WGS 84 UTM zones whose area of use meets the box (edges count).

    The zones and order of :func:`pyproj.database.query_utm_crs_info` for ``datum_name="WGS
    84"`` (northern zones, EPSG:326xx, first, then southern, EPSG:327xx, each west to
    east) without its search through PROJ's whole database: the zones near the box by
    their nominal extent (zone *k* from longitude −180 + 6(*k* − 1) to −180 + 6*k*, north
    0 to 84°, south −80 to 0°), within :data:`_NEAR_DEG`, are looked up one by one and
    kept when their recorded area of use (a few differ from the nominal one by
    hundredths of a degree) meets the box.

    Examples
    --------
    >>> utm_codes(109.91, -6.97, 110.02, -6.91)
    [32749]
    >>> utm_codes(107.5, -1.0, 108.5, 0.0)  # on the equator, across 108° E
    [32648, 32649, 32748, 32749]
    """
    m = _NEAR_DEG
    zones = [k for k in range(1, 61)
             if west - m <= -174 + 6 * (k - 1) and east + m >= -180 + 6 * (k - 1)]  # fmt: skip
    near = [32600 + k for k in zones if south - m <= 84 and north + m >= 0]
    near += [32700 + k for k in zones if south - m <= 0 and north + m >= -80]
    out = []
    for code in near:
        a = pyproj.CRS.from_epsg(code).area_of_use
        if a is None:
            continue
        if west <= a.east and east >= a.west and south <= a.north and north >= a.south:
            out.append(code)
    return out


#: How far (degrees) beyond a UTM zone's nominal extent :func:`utm_codes` looks up its
#: recorded area of use.
_NEAR_DEG = 1.0
