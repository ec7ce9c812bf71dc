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


_WRITES = ("--out", "--map", "--pdf", "--kml", "--report", "--png", "-o", "--fix")


def test_readme_examples_make_the_folders_they_write_into() -> None:
    """kitland writes only into folders that exist (a missing one is exit 2, nothing
    written), so every README shell block that writes into a folder makes it first."""
    import itertools  # noqa: PLC0415
    import re  # noqa: PLC0415
    import shlex  # noqa: PLC0415

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    checked = 0
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        made = {Path()}
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[:2] == ["mkdir", "-p"]:
                made |= {Path(w) for w in words[2:]}
            if words[:1] != ["kitland"]:
                continue
            for opt, value in itertools.pairwise(words):
                if opt in _WRITES and not value.startswith("-"):
                    checked += 1
                    assert Path(value).parent in made, (line, value)
    assert checked >= 15  # the blocks were read


def test_an_output_in_a_missing_folder_is_refused(tmp_path: Path) -> None:
    """What the README's `mkdir -p` is for: exit 2, one line naming the folder, nothing
    made."""
    run = subprocess.run([sys.executable, "-m", "kitland", "map", "--out", "maps/x.html"],
                         cwd=tmp_path, capture_output=True, text=True, check=False)  # fmt: skip
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "maps" in run.stderr, run.stderr
    assert list(tmp_path.iterdir()) == []
