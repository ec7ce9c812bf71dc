# kitland — set-up and everyday commands. Every target creates .venv itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit notebooks bench browser poppler estate clean lab

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

## demo: place the 20 ha UMKM zone on the bundled KIT Batang estate and write the meeting map
demo: $(STAMP)
	$(BIN)/kitland validate
	$(BIN)/kitland place --alternatives 3 --time-limit 180 --out maps/umkm.gpkg --report maps/umkm.json --map maps/umkm.html
	$(BIN)/kitland map --zone maps/umkm.gpkg --offline --out maps/umkm_offline.html
	@echo "meeting map: maps/umkm.html (online basemaps), maps/umkm_offline.html (opens with no network)"

## lab: JupyterLab on the notebooks, kitland installed (maps display inline)
lab: $(STAMP)
	$(BIN)/pip install --quiet -e ".[lab]"
	$(BIN)/jupyter lab notebooks

## browser: Debian's chromium for the map tests (installed when missing)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## poppler: Debian's poppler-utils (pdftoppm, pdftotext) for the print-layout tests
poppler:
	@command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || { \
	  echo "installing Debian poppler-utils for the PDF tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }

## test: lint, type-check, unit + browser + PDF tests, notebooks and doctests
test: $(STAMP) browser poppler lint typecheck
	$(BIN)/pytest -q --doctest-modules kitland tests --nbmake notebooks

lint: $(STAMP)
	$(BIN)/ruff check kitland tests benchmarks notebooks parcels
	$(BIN)/ruff format --check kitland

typecheck: $(STAMP)
	$(BIN)/mypy

## bench: benchmarks (figures are recorded in benchmarks/README.md)
bench: $(STAMP) browser
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_place.py
	$(BIN)/python benchmarks/bench_organic.py --baseline 50
	$(BIN)/python benchmarks/bench_shapes.py
	$(BIN)/python benchmarks/bench_small.py
	$(BIN)/python benchmarks/bench_map.py
	$(BIN)/python benchmarks/bench_print.py
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_plots.py
	$(BIN)/python benchmarks/bench_zones.py
	$(BIN)/python benchmarks/bench_sweep.py

## estate: rebuild the bundled estate from parcels/source
estate: $(STAMP)
	$(BIN)/python parcels/build_estate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
