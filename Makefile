# BotaCLIP for QGIS. Newcomers run `make demo` and `make test`; each sets itself up first.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
DEMO  ?= demo-out
export QT_QPA_PLATFORM ?= offscreen
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup demo test test-fast bench lint clean translations plugin-zip screenshots \
	wheelhouse

$(VENV)/.botaclip-ready: tools/setup.sh requirements.txt requirements-dev.txt
	tools/setup.sh
	touch $@

setup:
	tools/setup.sh
	touch $(VENV)/.botaclip-ready

demo: $(VENV)/.botaclip-ready
	$(PY) -m botaclip.backend.cli demo --out $(DEMO)

test: $(VENV)/.botaclip-ready
	$(PY) -m pytest

test-fast: $(VENV)/.botaclip-ready
	$(PY) -m pytest -m "not slow"

bench: $(VENV)/.botaclip-ready
	$(PY) -m botaclip.bench

lint: $(VENV)/.botaclip-ready
	$(VENV)/bin/ruff check .

translations:
	/usr/lib/qt5/bin/lrelease i18n/botaclip_fr.ts

# dist/botaclip-<version>.zip for Install from ZIP, checked against the plugin repository's
# rules (standard-library Python and Qt's lrelease only: no venv needed)
plugin-zip:
	python3 tools/plugin_zip.py --out dist

# dist/wheelhouse/ + dist/botaclip-wheelhouse-<platform>-<python>.zip: every wheel the plugin
# needs beside what QGIS ships, for installing offline from the plugin's dialog. Built for
# QGIS_PYTHON (its version, platform and shipped packages); TORCH=auto takes a +cpu torch
# (pip's find-links, else download.pytorch.org/whl/cpu); e.g. TORCH="torch==2.5.1+cpu"
# TORCH_INDEX=https://download.pytorch.org/whl/cpu; WITH=timm adds the timm backbone's packages
QGIS_PYTHON ?= /usr/bin/python3
TORCH       ?= auto
TORCH_INDEX ?=
WITH        ?=
wheelhouse: $(VENV)/.botaclip-ready
	$(PY) -m botaclip.plugin.install.wheelhouse --out dist/wheelhouse --zip dist \
	  --python $(QGIS_PYTHON) --torch "$(TORCH)" --torch-index "$(TORCH_INDEX)" --with "$(WITH)"

# the guide's pictures (resources/screenshots/window-*.png) taken again from real QGIS under
# Xvfb by the window tests' scenes; CI=true: a missing Xvfb or qgis fails instead of skipping
screenshots: $(VENV)/.botaclip-ready
	CI=true BOTACLIP_UPDATE_SCREENSHOTS=1 $(PY) -m pytest tests/test_window.py \
	  -p no:cacheprovider --basetemp=/tmp/botaclip-screenshots

clean:
	rm -rf $(DEMO) bench-out .pytest_cache .qgis-settings
