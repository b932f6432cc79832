# BotaCLIP for QGIS. Newcomers run `make demo` and `make test`; each sets itself up first.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
DEMO  ?= demo-out
export QT_QPA_PLATFORM ?= offscreen
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: setup demo test test-fast bench lint clean translations plugin-zip

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

clean:
	rm -rf $(DEMO) bench-out .pytest_cache .qgis-settings
