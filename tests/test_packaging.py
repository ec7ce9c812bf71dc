"""The bundled estate, rules and map assets ship inside the wheel (not only in a checkout)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_carries_bundled_data(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (wheel,) = tmp_path.glob("kitland-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "kitland/_bundled/kit_batang.gpkg",
        "kitland/_bundled/umkm_rules.toml",
        "kitland/_bundled/umkm_clusters_rules.toml",
        "kitland/_bundled/context/villages.geojson",
        "kitland/_bundled/context/coastline.geojson",
        "kitland/_bundled/README.md",
        "kitland/_assets/leaflet/leaflet.js",
        "kitland/locale/id/LC_MESSAGES/kitland.po",
        "kitland/py.typed",
    ):
        assert needed in names, needed
    # the packaged GeoPackage is the one in parcels/, byte for byte
    packaged = zipfile.ZipFile(wheel).read("kitland/_bundled/kit_batang.gpkg")
    assert packaged == (ROOT / "parcels" / "kit_batang.gpkg").read_bytes()
