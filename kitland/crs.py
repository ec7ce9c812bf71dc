"""Choosing the metric CRS that every measurement happens in.

This module imports nothing from kitland but the errors: it is a bottom layer.
"""

from __future__ import annotations

from typing import Any

import pyproj
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_utm_crs_info

from kitland._errors import CRSError

__all__ = ["DEFAULT_CRS", "crs_label", "is_metric_projected", "metric_crs_for"]

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
    infos = query_utm_crs_info(
        datum_name="WGS 84",
        area_of_interest=AreaOfInterest(west, south, east, north),
    )
    # Prefer the zone whose hemisphere matches the data's centre.
    centre_south = (south + north) / 2 < 0
    for info in infos:
        if info.name.endswith("S") == centre_south:
            return pyproj.CRS.from_epsg(int(info.code))
    return DEFAULT_CRS if not infos else pyproj.CRS.from_epsg(int(infos[0].code))
