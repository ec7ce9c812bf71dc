"""The printed meeting map: one PDF page a planner brings to the meeting.

A4 or A3, portrait or landscape, drawn with matplotlib as vector graphics in the
estate's metric CRS (no tiles, so it works offline): a title block (estate, date, rules
file, verdict in its colour), the map with a scale bar, a north arrow and grid ticks in
metres, an inset of the whole estate, the legend, the rule table, the disclaimer and
the sources. Words and numbers come from :mod:`kitland.i18n` in the chosen language.
Several named zones (``place`` with ``[[zones]]``) are each filled in a colour of their
own (:data:`kitland.maps.ZONE_COLOURS`) with their name on them, and the rule table
holds each zone's rules, then the rules between zones.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

from kitland import __version__
from kitland._errors import DataError
from kitland.crs import crs_label
from kitland.estate import BUNDLED_SOURCE, Estate
from kitland.i18n import LANGS, Message, day_text, label, number, tr
from kitland.io import atomic_path
from kitland.maps import (
    _GATE_STYLE,
    _INTERNAL_ROAD,
    _PLOT_COLOURS,
    _ROAD_STYLE,
    _ZONE_STYLE,
    LAND_USE_COLOURS,
    STATUS_COLOURS,
    ZONE_COLOURS,
    _attribution,
    _context_frames,
    _estate_handles,
    _land_use_handles,
    _scale_bar,
    _score_text,
    _verdict,
    _zone_geometry,
    estate_title,
    status_of,
    verdict_text,
)
from kitland.report import Report
from kitland.rules import Rules

__all__ = ["ORIENTATIONS", "PAPER_MM", "write_pdf"]

#: Paper sizes, millimetres (short side, long side).
PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
#: Page orientations.
ORIENTATIONS = ("landscape", "portrait")

_MM = 1 / 25.4  # inches per millimetre
_MARGIN_MM = 10.0
_TITLE_MM = 24.0
#: Portrait pages stack the verdict badge under the title: a taller title block.
_TITLE_PORTRAIT_MM = 34.0


def write_pdf(
    estate: Estate,
    path: str | os.PathLike[str],
    *,
    zone: Any = None,
    report: Report | None = None,
    alternatives: Sequence[Any] | None = None,
    rules: Rules | None = None,
    rules_source: str | None = None,
    lang: str = "id",
    paper: str = "A4",
    orientation: str = "landscape",
    title: str | None = None,
    score: float | None = None,
    status: str | None = None,
    plots: gpd.GeoDataFrame | None = None,
    internal_roads: gpd.GeoDataFrame | None = None,
    zones: Sequence[Any] | None = None,
    caveat: str | None = None,
) -> Path:
    """Write the print layout of the estate and its zone to a one-page PDF.

    The map shows the zone and its surroundings (the whole estate when there is no
    zone), with the estate in an inset; the zone's outline and the title's verdict are
    coloured by the report (:data:`kitland.maps.STATUS_COLOURS`).

    Parameters
    ----------
    estate
        The estate.
    zone
        The zone (a shapely geometry in ``estate.crs``, or a GeoDataFrame/GeoSeries).
    report
        Its rule results: the verdict and the rule table.
    alternatives
        Other zones drawn dashed (objects with ``.zone``, or geometries).
    rules, rules_source
        The rules file named in the title block (``rules_source`` wins).
    lang
        ``"id"`` (default) or ``"en"``.
    paper, orientation
        ``"A4"`` or ``"A3"``; ``"landscape"`` or ``"portrait"``.
    title
        Default: the boundary's ``name`` (:func:`kitland.maps.estate_title`).
    score
        The zone's preference score (``place``), printed with its meaning.
    status
        What the solver proved of the zone, in ``lang`` (``place``:
        :func:`kitland.placement.proof_text`), printed beside the score in the title block.
    plots, internal_roads
        A plot layout (layers of :func:`kitland.plots.plots` or
        :func:`kitland.plots.read_plots`): plots coloured by ``type``, internal roads grey,
        both in the legend.
    zones
        Several named zones instead of ``zone`` (``place`` with ``[[zones]]``: its
        ``zones``): objects with ``.name``, ``.zone`` and ``.report``; ``report`` is then
        their :class:`~kitland.report.ZonesReport` (its between and layout rules).
    caveat
        What the solver's proof does not cover, in full and in ``lang`` (``place``:
        :meth:`kitland.placement.PlacementResult.caveat`), printed in the footer above the
        grid note.

    Returns
    -------
    Path
        ``path``, written whole or not at all.

    Raises
    ------
    DataError
        If ``lang``, ``paper`` or ``orientation`` is unknown, the zone is unusable or the
        folder does not exist.

    Examples
    --------
    >>> import tempfile, pathlib, kitland
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "meeting.pdf"
    >>> write_pdf(kitland.load_estate(), out, paper="A4").read_bytes()[:5]
    b'%PDF-'
    """
    from matplotlib import rc_context  # noqa: PLC0415 - heavy, only for printing
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    _check_choice("lang", lang, LANGS)
    _check_choice("paper", paper, tuple(PAPER_MM))
    _check_choice("orientation", orientation, ORIENTATIONS)
    named = [(str(z.name), _zone_geometry(z.zone, estate, what=f"zones[{i}]"), z.report)
             for i, z in enumerate(zones or [])]  # fmt: skip
    geom = _zone_geometry(zone, estate)
    if named:  # the frame, inset and title verdict take the zones together
        geom = shapely.union_all([g for _, g, _ in named])
    alts = [_zone_geometry(getattr(a, "zone", a), estate, what=f"alternatives[{i}]")
            for i, a in enumerate(alternatives or [])]  # fmt: skip
    short, long = PAPER_MM[paper]
    w_mm, h_mm = (long, short) if orientation == "landscape" else (short, long)
    source = rules_source if rules_source is not None else (rules.source if rules else None)
    with rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans"}):
        fig = Figure(figsize=(w_mm * _MM, h_mm * _MM))
        FigureCanvasAgg(fig)  # a renderer to measure text with (the title block fits its words)
        scale = 1.0 if paper == "A4" else 1.25  # type sizes grow a little on A3
        boxes = _layout(w_mm, h_mm, landscape=orientation == "landscape", scale=scale)
        _title_block(fig.add_axes(boxes["title"]), estate, geom, report, lang, source,
                     title=title, score=score, status=status, scale=scale,
                     stacked=orientation == "portrait")  # fmt: skip
        ax = fig.add_axes(boxes["map"])
        layout = _plot_layout(estate, plots, internal_roads)
        view = _draw_map(ax, estate, geom, report, alts, lang, scale=scale, layout=layout,
                         named=named)  # fmt: skip
        _inset(fig.add_axes(boxes["inset"]), estate, geom, report, view, named=named)
        _legend(fig.add_axes(boxes["legend"]), estate, geom, report, lang, has_alt=bool(alts),
                scale=scale, plot_types=list(layout[0]) if layout else [], named=named)  # fmt: skip
        _rule_table(fig.add_axes(boxes["table"]), report, lang, scale=scale, named=named)
        _footer(fig.add_axes(boxes["footer"]), estate, lang, scale=scale, caveat=caveat)
        target = Path(path)
        meta = {"Title": title or estate_title(estate, lang), "Creator": f"kitland {__version__}"}
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format="pdf", metadata=meta)
    return target


def _check_choice(name: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        msg = Message(
            "{name}={value!r} is not known; expected one of {allowed}",
            {"name": name, "value": value, "allowed": ", ".join(allowed)},
        )
        raise DataError(msg)


_Box = tuple[float, float, float, float]


def _layout(w_mm: float, h_mm: float, *, landscape: bool, scale: float = 1.0) -> dict[str, _Box]:
    """Figure-fraction boxes [left, bottom, width, height] of every part of the page.

    The title block grows with the type (``scale``)."""

    def box(x: float, y: float, w: float, h: float) -> _Box:  # millimetres from bottom left
        return (x / w_mm, y / h_mm, w / w_mm, h / h_mm)

    m = _MARGIN_MM
    foot = 16.0
    title_mm = scale * (_TITLE_MM if landscape else _TITLE_PORTRAIT_MM)
    top = h_mm - m - title_mm
    out = {"title": box(m, top, w_mm - 2 * m, title_mm), "footer": box(m, m, w_mm - 2 * m, foot)}
    body_y = m + foot + 4
    if landscape:
        side = 0.33 * (w_mm - 2 * m)
        map_w = w_mm - 2 * m - side - 6
        map_h = top - 4 - body_y
        out["map"] = box(m + 8, body_y + 6, map_w - 8, map_h - 6)  # room for the tick labels
        sx = m + map_w + 6
        legend_h = 0.42 * map_h
        out["legend"] = box(sx, top - 4 - legend_h, side, legend_h)
        out["table"] = box(sx, body_y, side, map_h - legend_h - 4)
    else:
        body_h = top - 4 - body_y
        lower = 0.34 * body_h
        out["map"] = box(m + 8, body_y + lower + 10, w_mm - 2 * m - 8, body_h - lower - 10)
        half = (w_mm - 2 * m - 6) / 2
        out["legend"] = box(m, body_y, half, lower)
        out["table"] = box(m + half + 6, body_y, half, lower)
    mx, my, mw, mh = out["map"]
    inset = 0.26 * min(mw * w_mm, mh * h_mm)
    out["inset"] = (mx + mw - inset / w_mm - 0.004, my + 0.006, inset / w_mm, inset / h_mm)
    return out


def _title_block(ax: Any, estate: Estate, geom: Any, report: Report | None, lang: str,
                 source: str | None, *, title: str | None, score: float | None,
                 scale: float, stacked: bool, status: str | None = None) -> None:  # fmt: skip
    """Title, verdict badge, subtitle line and the score's meaning, none over another.

    Landscape: the badge at the right of the title, whose type shrinks to leave it room.
    Portrait (``stacked``): the badge on its own row under the title. Every line shrinks
    to the block's width when it would run past it.
    """
    from matplotlib.transforms import offset_copy  # noqa: PLC0415

    ax.set_axis_off()
    renderer = ax.get_figure().canvas.get_renderer()
    right = ax.get_window_extent(renderer).x1
    rows = (0.95, 0.66, 0.36, 0.15) if stacked else (0.92, 0.92, 0.42, 0.12)
    limit = right
    if geom is not None:
        colour = STATUS_COLOURS[status_of(report)]
        verdict = _verdict(report, lang)
        if report is not None:
            verdict = verdict_text(report, lang)
        size = 13 * scale
        # Stacked, the badge's padding starts at the title's left edge.
        at = offset_copy(ax.transAxes, fig=ax.get_figure(), x=0.35 * size if stacked else 0.0,
                         units="points")  # fmt: skip
        badge = ax.text(0 if stacked else 1, rows[1], verdict, fontsize=size, fontweight="bold",
                        color="white", va="top", ha="left" if stacked else "right", transform=at,
                        bbox={"boxstyle": "round,pad=0.35", "facecolor": colour,
                              "edgecolor": colour})  # fmt: skip
        if stacked:
            _shrink_to(badge, right, renderer)
        else:  # the title ends a badge's padding and a gap before the badge
            pad = 0.35 * size * renderer.points_to_pixels(1.0)
            limit = badge.get_window_extent(renderer).x0 - 2 * pad
    name = ax.text(0, rows[0], title or estate_title(estate, lang), fontsize=17 * scale,
                   fontweight="bold", va="top", ha="left")  # fmt: skip
    _shrink_to(name, limit, renderer)
    line = [label(lang, "subtitle"), f"{label(lang, 'date')} {day_text(dt.date.today(), lang)}"]
    if source:
        line.append(f"{label(lang, 'rules_file')}: {Path(source).name or source}")
    if score is not None:
        line.append(_score_text(score, lang))
    if status:
        line.append(status)
    _shrink_to(ax.text(0, rows[2], " · ".join(line), fontsize=9 * scale, va="top", ha="left"),
               right, renderer)  # fmt: skip
    if score is not None:
        meaning = ax.text(0, rows[3], label(lang, "score_meaning"), fontsize=6.5 * scale,
                          va="top", color="#555")  # fmt: skip
        _shrink_to(meaning, right, renderer)
    ax.axhline(0.0, color="#333", linewidth=1.2)


def _shrink_to(text: Any, right: float, renderer: Any, *, smallest: float = 5.0) -> None:
    """Make ``text``'s type smaller (not below ``smallest`` pt) until it ends left of
    ``right`` (display pixels), a badge's padding included."""
    while text.get_fontsize() > smallest:
        pad = 0.0
        if text.get_bbox_patch() is not None:
            pad = 0.35 * text.get_fontsize() * renderer.points_to_pixels(1.0)
        if text.get_window_extent(renderer).x1 + pad <= right:
            return
        text.set_fontsize(text.get_fontsize() - 0.5)


def _fit(ax: Any, x0: float, y0: float, x1: float, y1: float) -> None:
    """Show at least the box, widened to the axes' shape so metres are square."""
    pos = ax.get_position(original=True)
    fw, fh = ax.get_figure().get_size_inches()
    shape = (pos.height * fh) / (pos.width * fw)  # height / width of the axes on paper
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    if h / w < shape:
        h = w * shape
    else:
        w = h / shape
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    ax.set_aspect("equal", adjustable="box")


def _frame(estate: Estate, geom: Any) -> tuple[float, float, float, float]:
    """The map's extent: the zone and its surroundings, or the estate's boundary."""
    if geom is None:
        x0, y0, x1, y1 = estate.boundary.total_bounds
        pad = 0.03 * max(x1 - x0, y1 - y0)
    else:
        x0, y0, x1, y1 = geom.bounds
        pad = max(400.0, 0.6 * max(x1 - x0, y1 - y0))
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _plot_layout(estate: Estate, plots: gpd.GeoDataFrame | None,
                 internal_roads: gpd.GeoDataFrame | None) -> tuple[dict[str, Any], Any] | None:  # fmt: skip
    """Plots by type (type → GeoSeries, in order of first appearance) and the internal
    roads, in the estate's CRS; None without plots."""
    if plots is None:
        return None
    pl = plots.to_crs(estate.crs)
    types = pl["type"].astype(str)
    by_type = {t: pl.geometry[types == t] for t in dict.fromkeys(types)}
    roads = None if internal_roads is None else internal_roads.to_crs(estate.crs).geometry
    return by_type, roads


def _draw_map(ax: Any, estate: Estate, geom: Any, report: Report | None, alts: list[Any],
              lang: str, *, scale: float, layout: tuple[dict[str, Any], Any] | None = None,
              named: Sequence[_Named] = ()) -> tuple[float, float, float, float]:  # fmt: skip
    """Draw the estate and the zone (or the named zones); return the extent drawn
    (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = _frame(estate, geom)
    window = shapely.box(x0, y0, x1, y1)
    ax.set_facecolor("#eef4f8")
    villages = _context_frames(estate).get("villages")
    if villages is not None and not villages.empty:
        villages.plot(ax=ax, facecolor="#f7f4ea", edgecolor="#b0b0b0", linewidth=0.3)
    p = estate.parcels[estate.parcels.intersects(window)]
    colours = p["land_use"].map(LAND_USE_COLOURS).fillna("#ffffff")
    p.plot(ax=ax, color=colours.to_list(), edgecolor="#666", linewidth=0.25)
    if not estate.roads.empty:
        corridors = estate.road_corridors
        keep = corridors.intersects(window).to_numpy()
        cols = estate.roads["road_class"].map(
            lambda c: _ROAD_STYLE.get(c, _ROAD_STYLE["local"])["fillColor"]
        )
        corridors[keep].plot(ax=ax, color=cols[keep].to_list(), linewidth=0)
    if not estate.water.empty:
        estate.water.plot(ax=ax, color="#1971c2", linewidth=1.2)
    estate.boundary.boundary.plot(ax=ax, color="#212529", linewidth=1.2, linestyle="--")
    for alt in alts:
        gpd.GeoSeries([alt], crs=estate.crs).plot(ax=ax, facecolor="none", edgecolor="#6a1b9a",
                                                  linewidth=1.4, linestyle=(0, (5, 3)))  # fmt: skip
    if named:
        _draw_named(ax, estate, named, scale=scale)
    elif geom is not None:
        gpd.GeoSeries([geom], crs=estate.crs).plot(
            ax=ax, facecolor=_ZONE_STYLE["fillColor"], edgecolor=STATUS_COLOURS[status_of(report)],
            linewidth=2.4, alpha=0.9,
        )  # fmt: skip
    if layout is not None:
        by_type, roads = layout
        if roads is not None and not roads.empty:
            roads.plot(ax=ax, color=_INTERNAL_ROAD, linewidth=0)
        for i, part in enumerate(by_type.values()):
            part.plot(ax=ax, facecolor=_PLOT_COLOURS[i % len(_PLOT_COLOURS)], edgecolor="#333",
                      linewidth=0.2)  # fmt: skip
        if geom is not None and not named:  # the zone's verdict outline stays on top
            gpd.GeoSeries([geom], crs=estate.crs).plot(
                ax=ax, facecolor="none", edgecolor=STATUS_COLOURS[status_of(report)], linewidth=2.4
            )
    g = estate.gates
    if not g.empty:
        for kind, sub in g.groupby(g["kind"].fillna("")):
            style = _GATE_STYLE.get(str(kind), {"radius": 6, "fillColor": "#000"})
            sub.plot(ax=ax, color=style["fillColor"], markersize=float(style["radius"]) ** 2,
                     edgecolor="white", linewidth=0.6, zorder=5)  # fmt: skip
    _fit(ax, x0, y0, x1, y1)
    ax.set_xlabel("")
    ax.set_ylabel("")
    _grid_ticks(ax, lang, scale=scale)
    _scale_bar(ax, lang, fontsize=8 * scale,
               box={"facecolor": "white", "alpha": 0.7, "edgecolor": "none", "pad": 1})  # fmt: skip
    ax.annotate(
        label(lang, "north"), xy=(0.06, 0.95), xytext=(0.06, 0.84), xycoords="axes fraction",
        ha="center", va="center", fontsize=12 * scale, fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 2},
    )  # fmt: skip
    gx0, gx1 = ax.get_xlim()
    gy0, gy1 = ax.get_ylim()
    return gx0, gy0, gx1, gy1


_Named = tuple[str, Any, Any]  # a named zone: its name, geometry and report


def _plain(text: str) -> str:
    """``text`` (data) drawn as it is: no mathtext."""
    return text.replace("$", r"\$")


def _draw_named(ax: Any, estate: Estate, named: Sequence[_Named], *, scale: float) -> None:
    """Each zone filled and outlined in its own colour, its name above it."""
    for i, (name, g, _) in enumerate(named):
        colour = ZONE_COLOURS[i % len(ZONE_COLOURS)]
        gpd.GeoSeries([g], crs=estate.crs).plot(ax=ax, facecolor=colour, edgecolor="none",
                                                alpha=0.35)  # fmt: skip
        gpd.GeoSeries([g], crs=estate.crs).plot(ax=ax, facecolor="none", edgecolor=colour,
                                                linewidth=2.4)  # fmt: skip
        x0, _, x1, y1 = g.bounds  # the name just above the zone, leaving it in sight
        ax.text((x0 + x1) / 2, y1, _plain(name), fontsize=8 * scale, fontweight="bold",
                color=colour, ha="center", va="bottom", zorder=6, clip_on=True,
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": colour, "pad": 1.5})  # fmt: skip


def _grid_ticks(ax: Any, lang: str, *, scale: float) -> None:
    """Ticks every round number of metres on all four sides, labelled in ``lang``."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: PLC0415

    fmt = FuncFormatter(lambda v, _pos: number(v, lang, 0))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
        axis.set_major_formatter(fmt)
    ax.tick_params(labelsize=6 * scale, direction="in", top=True, right=True, length=4)
    for lab in ax.get_yticklabels():
        lab.set_rotation(90)
        lab.set_verticalalignment("center")
    ax.grid(color="#000", alpha=0.12, linewidth=0.4)


def _inset(ax: Any, estate: Estate, geom: Any, report: Report | None,
           view: tuple[float, float, float, float], *, named: Sequence[_Named] = ()) -> None:  # fmt: skip
    """The whole estate, the zone and a rectangle where the main map looks."""
    from matplotlib.patches import Rectangle  # noqa: PLC0415

    ax.set_facecolor("#eef4f8")
    x0, y0, x1, y1 = estate.boundary.total_bounds
    pad = 0.08 * max(x1 - x0, y1 - y0)
    villages = _context_frames(estate).get("villages")
    if villages is not None and not villages.empty:
        villages.plot(ax=ax, facecolor="#f7f4ea", edgecolor="#b0b0b0", linewidth=0.2)
    estate.boundary.plot(ax=ax, facecolor="#ffffff", edgecolor="#212529", linewidth=0.8)
    for i, (_, g, _) in enumerate(named):
        gpd.GeoSeries([g], crs=estate.crs).plot(ax=ax, color=ZONE_COLOURS[i % len(ZONE_COLOURS)])
    if geom is not None and not named:
        gpd.GeoSeries([geom], crs=estate.crs).plot(ax=ax, color=STATUS_COLOURS[status_of(report)])
    vx0, vy0, vx1, vy1 = view
    ax.add_patch(Rectangle((vx0, vy0), vx1 - vx0, vy1 - vy0, fill=False, edgecolor="#ff7800",
                           linewidth=1.0))  # fmt: skip
    _fit(ax, min(x0 - pad, vx0), min(y0 - pad, vy0), max(x1 + pad, vx1), max(y1 + pad, vy1))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_edgecolor("#333")


def _legend(ax: Any, estate: Estate, geom: Any, report: Report | None, lang: str, *,
            has_alt: bool, scale: float, plot_types: Sequence[str] = (),
            named: Sequence[_Named] = ()) -> None:  # fmt: skip
    from matplotlib.lines import Line2D  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    ax.set_axis_off()
    handles = _land_use_handles(estate, lang)
    for i, (name, _, rep) in enumerate(named):
        colour = ZONE_COLOURS[i % len(ZONE_COLOURS)]
        handles.append(Patch(facecolor=colour, alpha=0.6, edgecolor=colour, linewidth=2,
                             label=_plain(f"{name} ({_verdict(rep, lang)})")))  # fmt: skip
    if geom is not None and not named:
        handles.append(Patch(facecolor=_ZONE_STYLE["fillColor"], linewidth=2,
                             edgecolor=STATUS_COLOURS[status_of(report)],
                             label=f"{label(lang, 'zone_legend')} ({_verdict(report, lang)})"))  # fmt: skip
    for i, kind in enumerate(plot_types):  # the type is data: no mathtext in it
        name = f"{tr(lang, 'Plots')}: {kind}".replace("$", r"\$")
        handles.append(Patch(facecolor=_PLOT_COLOURS[i % len(_PLOT_COLOURS)], edgecolor="#333",
                             label=name))  # fmt: skip
    if plot_types:
        handles.append(Patch(facecolor=_INTERNAL_ROAD, label=tr(lang, "Internal roads")))
    if has_alt:
        handles.append(Line2D([], [], color="#6a1b9a", linestyle="--",
                              label=label(lang, "alt_legend")))  # fmt: skip
    handles += _estate_handles(estate, lang, only_present=False)
    ax.legend(handles=handles, loc="upper left", fontsize=7 * scale, frameon=False,
              title=label(lang, "legend_title"), title_fontsize=9 * scale, alignment="left",
              ncols=2 if len(handles) > 10 else 1)  # fmt: skip


def _table_sections(
    report: Report, named: Sequence[_Named], lang: str
) -> list[tuple[str, list[Any]]]:
    """The rule table's parts: the report's results; with named zones, each zone's
    results under its name, then the between rules, then the layout rules."""
    if not named:
        return [("", list(report.results))]
    parts = [(name, list(rep.results) if rep is not None else []) for name, _, rep in named]
    parts.append((tr(lang, "between zones"), list(getattr(report, "between", []))))
    parts.append((tr(lang, "layout"), list(report.results)))
    return [(title, results) for title, results in parts if results]


def _rule_table(ax: Any, report: Report | None, lang: str, *, scale: float,
                named: Sequence[_Named] = ()) -> None:  # fmt: skip
    """The rule results as a table (with named zones: a bold row naming each part);
    the type shrinks so that every row fits the table's box."""
    ax.set_axis_off()
    ax.text(0, 1, label(lang, "rule_table"), fontsize=9 * scale, fontweight="bold", va="top")
    if report is None:
        ax.text(0, 0.9, label(lang, "no_report"), fontsize=8 * scale, va="top", style="italic")
        return
    head = ["", label(lang, "rule"), label(lang, "measured"), label(lang, "required")]
    rows: list[list[str]] = []
    results: list[Any] = []  # per row: its result, or None for a part's title
    for title, part in _table_sections(report, named, lang):
        if title:
            rows.append(["", _plain(title), "", ""])
            results.append(None)
        rows += [[r.mark, r.label(lang), r.value_text(lang), r.required_text(lang)] for r in part]
        results += part
    n = len(rows) + 1
    height = min(0.9, 0.075 * n)
    table = ax.table(cellText=rows, colLabels=head, colWidths=[0.06, 0.5, 0.22, 0.22],
                     loc="upper left", bbox=[0, 0.93 - height, 1, height], cellLoc="left")  # fmt: skip
    table.auto_set_font_size(False)
    box_pt = ax.get_position().height * ax.get_figure().get_size_inches()[1] * 72
    table.set_fontsize(min(6.5 * scale, 0.7 * height * box_pt / n))  # a row's height, less air
    for (row, col), cell in table.get_celld().items():
        cell.set_edgecolor("#ccc")
        cell.set_linewidth(0.4)
        r = results[row - 1] if row else None
        if row == 0 or (r is None and col == 1):
            cell.set_text_props(fontweight="bold")
        elif col == 0 and r is not None:
            colour = "#6e7781" if r.skipped else STATUS_COLOURS["pass" if r.passed else "fail"]
            cell.set_text_props(color=colour, fontweight="bold")


def _footer(ax: Any, estate: Estate, lang: str, *, scale: float, caveat: str | None = None) -> None:
    """Disclaimer (the bundled estate's), sources, what the proof leaves out (``caveat``)
    and the grid note, each line shrunk to the page's width when it would run past it."""
    ax.set_axis_off()
    ax.axhline(1.0, color="#333", linewidth=0.8)
    rows = (0.9, 0.64, 0.38, 0.14) if caveat else (0.85, 0.5, None, 0.18)
    if estate.source == BUNDLED_SOURCE:  # another estate's notice would repeat its sources
        ax.text(0, rows[0], f"{label(lang, 'disclaimer')}: {label(lang, 'illustrative')}",
                fontsize=7.5 * scale, va="top", color="#b00020", fontweight="bold")  # fmt: skip
    sources = _attribution(estate, lang, offline=True)
    at = rows[1] if estate.source == BUNDLED_SOURCE else rows[0]
    ax.text(0, at, f"{label(lang, 'sources')}: {sources}", fontsize=6.5 * scale, va="top",
            wrap=True)  # fmt: skip
    if caveat and rows[2] is not None:
        renderer = ax.get_figure().canvas.get_renderer()
        line = ax.text(0, rows[2], caveat, fontsize=6.5 * scale, va="top", color="#333")
        _shrink_to(line, ax.get_window_extent(renderer).x1, renderer, smallest=4.0)
    grid = label(lang, "grid_note").format(crs=crs_label(estate.crs))
    ax.text(0, rows[3], f"{grid} · kitland {__version__}",
            fontsize=6.5 * scale, va="top", color="#555")  # fmt: skip
