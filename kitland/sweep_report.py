"""What a planner reads from a sweep: score against each varied value, where the zone
sits across scenarios (the stability map), and the values at which the best site jumps.

:func:`sweep_report` reads ``SWEEP_DIR`` (written by :func:`kitland.sweeps.sweep`) and
writes into ``SWEEP_DIR/report/``:

- ``score_<column>.png``: the best zone's score against each varied value, one point
  per scenario, the median per value joined; scenarios without a zone are marked below;
- ``stability.png`` and ``stability.html``: a grid of cells (the sweep's cell size) each
  coloured by the share of the estate's scenarios whose zone holds the cell's centre
  (failed scenarios left out); one pair per estate when there are several;
- ``jumps.csv``: for each varied column, with the other values fixed, each step between
  two neighbouring values where the zone moves to another site (they overlap less than
  half, intersection over union) or appears or disappears (``what``: ``site moves``,
  ``zone appears``, ``no zone``, or ``undecided`` when one side found no zone within its
  time limit, which proves nothing);
- ``summary.txt``: the counts by status and the jumps, as text.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kitland._errors import DataError
from kitland.estate import Estate

__all__ = ["SITE_IOU", "SweepReport", "site_changes", "stability_cells", "sweep_report"]

log = logging.getLogger(__name__)

#: Two zones overlapping less than this (intersection over union) are different sites.
SITE_IOU = 0.5


@dataclass(frozen=True)
class SweepReport:
    """What :func:`sweep_report` wrote and found.

    Attributes
    ----------
    files
        The files written, in order.
    jumps
        One row per jump (``estate``, ``column``, ``from``, ``to``, ``fixed``, ``iou``,
        ``moved_m``, ``what``).
    text
        The summary as text (also in ``summary.txt``).
    """

    files: list[Path]
    jumps: pd.DataFrame
    text: str

    def __repr__(self) -> str:
        return self.text


def site_changes(a: Any, b: Any, *, iou: float = SITE_IOU) -> bool:
    """True when zones ``a`` and ``b`` are different sites: exactly one is missing, or
    they overlap less than ``iou`` (intersection over union).

    Examples
    --------
    >>> from shapely import box
    >>> site_changes(box(0, 0, 10, 10), box(1, 0, 11, 10)), site_changes(box(0, 0, 10, 10), box(6, 0, 16, 10))
    (False, True)
    >>> site_changes(None, box(0, 0, 1, 1)), site_changes(None, None)
    (True, False)
    """
    if a is None or b is None:
        return (a is None) != (b is None)
    return _iou(a, b) < iou


def _iou(a: Any, b: Any) -> float:
    union = float(shapely.union(a, b).area)
    return float(shapely.intersection(a, b).area) / union if union > 0 else 1.0


def stability_cells(zones: Any, *, cell_m: float, runs: int) -> gpd.GeoDataFrame:
    """Square cells over the zones, each with the share of ``runs`` whose zone holds its centre.

    The grid is aligned to multiples of ``cell_m`` in the zones' CRS; only cells held by
    at least one zone are returned.

    Parameters
    ----------
    zones
        A GeoSeries (or GeoDataFrame) of zone polygons, one per scenario with a zone.
    runs
        The scenarios the share is taken of (those without a zone count as holding none).

    Examples
    --------
    >>> from shapely import box
    >>> z = gpd.GeoSeries([box(0, 0, 100, 100), box(50, 0, 150, 100)], crs=32749)
    >>> c = stability_cells(z, cell_m=50, runs=4)
    >>> sorted(c["share"].round(2).tolist())
    [0.25, 0.25, 0.25, 0.25, 0.5, 0.5]
    """
    geoms = zones.geometry.to_numpy() if hasattr(zones, "geometry") else np.asarray(zones)
    crs = zones.crs
    if len(geoms) == 0 or runs < 1:
        return gpd.GeoDataFrame({"share": []}, geometry=[], crs=crs)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    xs = np.arange(np.floor(x0 / cell_m) * cell_m, x1, cell_m)
    ys = np.arange(np.floor(y0 / cell_m) * cell_m, y1, cell_m)
    mx, my = np.meshgrid(xs, ys)
    gx, gy = mx.ravel(), my.ravel()
    centres = shapely.points(gx + cell_m / 2, gy + cell_m / 2)
    tree = shapely.STRtree(centres)
    counts = np.zeros(len(centres), dtype=np.int64)
    for g in geoms:
        np.add.at(counts, tree.query(g, predicate="contains"), 1)
    held = counts > 0
    boxes = shapely.box(gx[held], gy[held], gx[held] + cell_m, gy[held] + cell_m)
    return gpd.GeoDataFrame({"share": counts[held] / runs}, geometry=boxes, crs=crs)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "x"


def _read(folder: Path) -> tuple[dict[str, Any], pd.DataFrame, gpd.GeoDataFrame]:
    try:
        manifest = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
        table = pd.read_parquet(folder / "results.parquet")
    except FileNotFoundError as exc:
        msg = (f"{folder}: not a finished sweep folder (no {Path(str(exc.filename)).name}); "
               "run `kitland sweep ... --out` to the end first")  # fmt: skip
        raise DataError(msg) from exc
    zones = gpd.read_file(folder / "zones.gpkg", layer="zones", engine="fiona")
    return manifest, table, zones


def _estates(manifest: dict[str, Any]) -> dict[str, Estate | None]:
    """The swept estates, reloaded from where they were read when their content is unchanged."""
    from kitland.estate import load_estate  # noqa: PLC0415
    from kitland.sweeps import estate_digest  # noqa: PLC0415

    out: dict[str, Estate | None] = {}
    for e in manifest["estates"]:
        est = None
        try:
            est = load_estate(e["source"])
        except (OSError, ValueError) as exc:
            log.warning("%s: cannot read the estate again for the maps (%s)", e["source"], exc)
        if est is not None and estate_digest(est) != e["digest"]:
            log.warning("%s: changed since the sweep; maps are drawn without it", e["source"])
            est = None
        out[e["name"]] = est
    return out


def _score_plot(table: pd.DataFrame, column: str, others: list[str], path: Path,
                lang: str = "en") -> None:  # fmt: skip
    """Write :func:`_score_figure` to ``path``."""
    _save_fig(_score_figure(table, column, others, lang), path)


def _score_figure(table: pd.DataFrame, column: str, others: list[str], lang: str) -> Any:
    """Score against ``column``: one line per combination of the other values (up to 8),
    else every scenario as a point and the median per value as a line. Words and
    numbers in ``lang``."""
    from matplotlib.figure import Figure  # noqa: PLC0415 - heavy, only for PNGs

    from kitland.i18n import tr  # noqa: PLC0415

    fig = Figure(figsize=(7, 4.5), dpi=120)
    ax = fig.add_subplot()
    placed = table[table["score"].notna()]
    keys = ["estate", *others] if table["estate"].nunique() > 1 else others
    groups = list(placed.groupby(keys, sort=True)) if keys else [((), placed)]
    if len(groups) <= 8:
        for fixed, grp in groups:
            vals = fixed if isinstance(fixed, tuple) else (fixed,)
            label = ", ".join(f"{k}={_num(v, lang)}" if isinstance(v, float) else f"{v}"
                              for k, v in zip(keys, vals, strict=True))  # fmt: skip
            grp = grp.sort_values(column)
            ax.plot(grp[column], grp["score"], marker="o", markersize=4, label=label or None)
    else:
        ax.scatter(placed[column], placed["score"], s=12, alpha=0.5, label=tr(lang, "one scenario"))
        med = placed.groupby(column)["score"].median()
        ax.plot(med.index, med.to_numpy(), color="k", linewidth=1.5, label=tr(lang, "median"))
    none = table[table["score"].isna()]
    if len(none):
        y = placed["score"].min() if len(placed) else 0.0
        ax.scatter(none[column], np.full(len(none), y), marker="x", color="#b00",
                   label=tr(lang, "no zone (infeasible, undecided or failed)"))  # fmt: skip
    ax.set_xlabel(column)
    ax.set_ylabel(tr(lang, "score of the best zone (lower is better)"))
    ax.set_title(tr(lang, "score against {column}").format(column=column))
    ax.grid(alpha=0.3)
    _locale_ticks(ax.xaxis, lang)
    _locale_ticks(ax.yaxis, lang)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _num(value: float, lang: str) -> str:
    """A swept value as ``:g`` writes it, in ``lang``'s locale (``2,5``, ``1.000``)."""
    from kitland.i18n import number  # noqa: PLC0415

    text = f"{value:g}"
    decimals = len(text.split(".")[1]) if "." in text and "e" not in text else 0
    return number(value, lang, decimals)


def _locale_ticks(axis: Any, lang: str) -> None:
    """Tick labels with ``lang``'s decimal and grouping signs."""
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    axis.set_major_formatter(FuncFormatter(lambda v, _pos: _num(round(v, 6), lang)))


def _save_fig(fig: Any, path: Path) -> None:
    from kitland.io import atomic_path  # noqa: PLC0415

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")


def _stability_png(cells: gpd.GeoDataFrame, estate: Estate | None, title: str, path: Path,
                   lang: str = "en") -> None:  # fmt: skip
    """Write :func:`_stability_figure` to ``path``."""
    _save_fig(_stability_figure(cells, estate, title, lang), path)


def _stability_figure(cells: gpd.GeoDataFrame, estate: Estate | None, title: str,
                      lang: str) -> Any:  # fmt: skip
    """The cells coloured by share over the estate's parcels, the legend in ``lang``."""
    from matplotlib.cm import ScalarMappable  # noqa: PLC0415
    from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    from kitland.i18n import percent, tr  # noqa: PLC0415
    from kitland.maps import SHARE_COLOURS  # noqa: PLC0415

    fig = Figure(figsize=(8, 7), dpi=120)
    ax = fig.add_subplot()
    if estate is not None:
        estate.parcels.plot(ax=ax, color="#eeeeee", edgecolor="#999", linewidth=0.3)
    cmap = ListedColormap(list(SHARE_COLOURS))
    norm = BoundaryNorm(np.linspace(0, 1, 11), cmap.N)
    if len(cells):
        cells.plot(ax=ax, column="share", cmap=cmap, norm=norm, edgecolor="none")
        x0, y0, x1, y1 = cells.total_bounds
        pad = max(x1 - x0, y1 - y0) * 0.15
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
    sm = ScalarMappable(norm=norm, cmap=cmap)
    bar = fig.colorbar(sm, ax=ax, shrink=0.7,
                       label=tr(lang, "share of scenarios whose zone holds the cell"))  # fmt: skip
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: percent(v, lang, 0)))
    ax.set_title(title)
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.tight_layout()
    return fig


def _jumps(table: pd.DataFrame, zones: gpd.GeoDataFrame, columns: list[str]) -> pd.DataFrame:
    """Steps between neighbouring values of one column, the others fixed, where the site changes."""
    geom = dict(zip(zones["scenario"], zones.geometry, strict=True))
    ok = table[table["status"] != "FAILED"]
    rows = []
    for col in columns:
        others = ["estate", *[c for c in columns if c != col]]
        for fixed, grp in ok.groupby(others, sort=True):
            grp = grp.sort_values(col)
            fixed_vals = dict(
                zip(others, fixed if isinstance(fixed, tuple) else (fixed,), strict=True)
            )
            estate = fixed_vals.pop("estate")
            fixed_text = ", ".join(f"{k}={v:g}" for k, v in fixed_vals.items())
            for (_, a), (_, b) in zip(
                grp.iloc[:-1].iterrows(), grp.iloc[1:].iterrows(), strict=True
            ):
                za, zb = geom.get(a["scenario"]), geom.get(b["scenario"])
                if not site_changes(za, zb):
                    continue
                if za is None or zb is None:
                    what = ("undecided" if "UNDECIDED" in (a["status"], b["status"])
                            else "zone appears" if za is None else "no zone")  # fmt: skip
                    iou, moved = None, None
                else:
                    what = "site moves"
                    iou = round(_iou(za, zb), 3)
                    moved = round(float(za.centroid.distance(zb.centroid)), 1)
                rows.append({"estate": estate, "column": col, "from": a[col], "to": b[col],
                             "fixed": fixed_text,
                             "iou": iou, "moved_m": moved, "what": what})  # fmt: skip
    return pd.DataFrame(rows, columns=["estate", "column", "from", "to", "fixed", "iou",
                                       "moved_m", "what"])  # fmt: skip


def _summary(table: pd.DataFrame, jumps: pd.DataFrame, columns: list[str],
             lang: str = "en") -> str:  # fmt: skip
    """The counts by status and the jumps, words from the catalogue, numbers in ``lang``."""
    from kitland.i18n import number, percent, tr  # noqa: PLC0415

    t = functools.partial(tr, lang)
    counts = table["status"].value_counts()
    lines = [t("{n} scenarios: {counts}").format(
        n=len(table), counts=", ".join(f"{n} {t(str(s))}" for s, n in counts.items()))]  # fmt: skip
    if (table["status"] == "FEASIBLE").any():
        lines.append(t("FEASIBLE zones were found when the work budget ran out and are not "
                       "proven best; the same input and --time-limit return them again, unless "
                       "the wall clock stopped a search first (a machine far busier than the "
                       "budget assumes)"))  # fmt: skip
    if "deterministic" in table:  # sweeps before the column had none
        stopped = int(((table["status"] == "FEASIBLE") & (table["deterministic"] == False)).sum())  # noqa: E712
        if stopped:
            lines.append(t("{n} FEASIBLE scenarios were stopped by the wall clock before their work "
                           "budget ran out (column deterministic is false): another run may give "
                           "other zones; the same command runs them again").format(n=stopped))  # fmt: skip
    for msg, n in table.loc[table["status"] == "FAILED", "message"].value_counts().items():
        lines.append("  " + t("failed ({n}×): {message}").format(n=n, message=msg))
    for col in columns:
        sub = jumps[jumps["column"] == col]
        if sub.empty:
            lines.append(_steady(table, col, lang))
            continue
        lines.append(t("{column}: the best site changes at").format(column=col))
        for _, j in sub.iterrows():
            if j["what"] == "site moves":
                how = t("moves {distance} m (overlap {overlap})").format(
                    distance=number(j["moved_m"], lang, 0), overlap=percent(j["iou"], lang, 0)
                )
            elif j["what"] == "undecided":
                how = t(
                    "undecided: one of the two found no zone within its time limit (not "
                    "proven that none exists; rerun with a longer --time-limit)"
                )
            else:
                how = t(j["what"])
            fixed = f" ({_fixed_text(j['fixed'], lang)})" if j["fixed"] else ""
            lines.append(f"  {_num(j['from'], lang)} → {_num(j['to'], lang)}{fixed}: {how}"
                         + (f" [{j['estate']}]" if table["estate"].nunique() > 1 else ""))  # fmt: skip
    return "\n".join(lines) + "\n"


def _steady(table: pd.DataFrame, column: str, lang: str) -> str:
    """The line for a column along which the site does not jump: the best site only when
    every scenario proved its zone; the zone found when some are FEASIBLE (not proven
    best); none found when no scenario found a zone."""
    from kitland.i18n import tr  # noqa: PLC0415

    status = table["status"]
    if not status.isin(["OPTIMAL", "FEASIBLE"]).any():
        return tr(lang, "{column}: no scenario found a zone").format(column=column)
    unproven = int((status == "FEASIBLE").sum())
    if unproven:
        return tr(lang, "{column}: the zone found stays put across the values swept; {n} of "
                        "{total} scenarios are not proven best (FEASIBLE)").format(
            column=column, n=unproven, total=len(table))  # fmt: skip
    return tr(lang, "{column}: the best site stays put across the values swept").format(
        column=column)  # fmt: skip


def _fixed_text(fixed: str, lang: str) -> str:
    """The other columns' values (``a=50, b=2.5``) with numbers in ``lang``'s locale."""
    if lang == "en":
        return fixed
    from kitland.i18n import numbers_in  # noqa: PLC0415

    return ", ".join(f"{k}={numbers_in(v, lang)}"
                     for k, v in (part.rsplit("=", 1) for part in fixed.split(", ")))  # fmt: skip


def sweep_report(
    folder: str | os.PathLike[str], *, lang: str = "id", offline: bool = False
) -> SweepReport:
    """Write the plots, stability maps, jumps and summary of a finished sweep.

    Parameters
    ----------
    folder
        The sweep folder (``--out`` of ``kitland sweep``).
    lang, offline
        The language of the summary, the plots' labels and the stability map (``"id"``
        or ``"en"``); ``offline`` as for :func:`kitland.make_map`.

    Returns
    -------
    SweepReport
        The files written (in ``folder/report/``), the jumps and the summary text.

    Raises
    ------
    DataError
        If ``folder`` holds no finished sweep.

    Notes
    -----
    The maps are drawn over the estate when it can be read again from where the sweep
    read it and its content is unchanged (same content hash); otherwise the PNG shows
    the cells alone and no HTML map is written.
    """
    from kitland.i18n import tr  # noqa: PLC0415
    from kitland.maps import add_share_layer, make_map, save_map  # noqa: PLC0415

    root = Path(folder)
    manifest, table, zones = _read(root)
    out = root / "report"
    out.mkdir(exist_ok=True)
    columns = [v["column"] for v in manifest["vary"]]
    files: list[Path] = []
    for col in columns:
        path = out / f"score_{_slug(col)}.png"
        _score_plot(table, col, [c for c in columns if c != col], path, lang)
        files.append(path)
    estates = _estates(manifest)
    several = len(estates) > 1
    title = tr(lang, "stability of the zone's site")
    for name, est in estates.items():
        runs = int(((table["estate"] == name) & (table["status"] != "FAILED")).sum())
        cells = stability_cells(zones[zones["estate"] == name], cell_m=float(manifest["cell_m"]),
                                runs=runs)  # fmt: skip
        stem = f"stability_{_slug(name)}" if several else "stability"
        head = tr(lang, "{title}: {name} ({runs} scenarios)").format(title=title, name=name,
                                                                      runs=runs)  # fmt: skip
        _stability_png(cells, est, head, out / f"{stem}.png", lang)
        files.append(out / f"{stem}.png")
        if est is not None:
            m = add_share_layer(make_map(est, lang=lang, offline=offline, title=f"{title}: {name}"),
                                cells, name=title, lang=lang)  # fmt: skip
            files.append(save_map(m, out / f"{stem}.html"))
    jumps = _jumps(table, zones, columns)
    from kitland.io import atomic_path  # noqa: PLC0415

    with atomic_path(out / "jumps.csv") as tmp:
        jumps.to_csv(tmp, index=False)
    files.append(out / "jumps.csv")
    text = _summary(table, jumps, columns, lang)
    with atomic_path(out / "summary.txt") as tmp:
        tmp.write_text(text, encoding="utf-8")
    files.append(out / "summary.txt")
    return SweepReport(files, jumps, text)
