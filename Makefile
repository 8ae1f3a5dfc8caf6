# The two commands of the README, and the steps they are made of.
# `make run`: install and run Leadline (SQLite + embedded Redis, five demo workspaces).
# `make test`: install and run every test (unit, integration, end-to-end in Chromium).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev chromium lint bench translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

run: install
	$(BIN)/leadline up --host $(HOST) --port $(PORT)

# The end-to-end tests drive Debian's Chromium; Playwright cannot download its own here.
chromium:
	@if [ -n "$$PLAYWRIGHT_CHROMIUM_EXECUTABLE" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "Install Chromium (sudo apt-get install chromium) or set PLAYWRIGHT_CHROMIUM_EXECUTABLE" >&2; exit 1; fi

test: install-dev chromium
	$(BIN)/pytest -p no:cacheprovider -n auto --dist loadfile

lint: install-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

translations: install
	$(BIN)/leadline i18n extract
