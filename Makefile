# One command sets everything up and serves the demo site; one sets everything up and runs the tests.
# Every target installs what it needs, so a fresh clone works with `make serve` or `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup serve build validate test lint typecheck conformance browser node ob2 bench bench-scale bench-live clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## Build the demo site from the repository's own data and serve it on http://127.0.0.1:8000
serve: setup
	$(BIN)/badgeons serve --host $(HOST) --port $(PORT)

build: setup
	$(BIN)/badgeons build

validate: setup
	$(BIN)/badgeons validate

## Headless Chromium (Debian's package) for screenshots and end-to-end tests, and zbar to
## decode the QR codes the pages draw.
browser:
	@{ command -v chromium && command -v zbarimg; } >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium and zbar-tools packages"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium zbar-tools >/dev/null; }

## npm packages of the external verifiers, the browser test tools and the verifier page's
## bundle (lock files pinned; the bundle itself is committed, so serving needs no Node).
node:
	cd conformance && npm ci --silent --no-audit --no-fund
	cd browser && npm ci --silent --no-audit --no-fund --ignore-scripts

## The 1EdTech Open Badges 2.0 validator, in its own virtual environment (pinned, idempotent).
ob2:
	bash conformance/setup-ob2.sh

conformance: setup node ob2
	$(BIN)/pytest -q -m conformance

lint: setup
	$(BIN)/ruff check build_tools tests bench scripts

typecheck: setup
	$(BIN)/mypy

## The whole test suite, as CI runs it.
test: setup browser node ob2
	$(BIN)/ruff check build_tools tests bench scripts
	$(BIN)/ruff format --check build_tools
	$(BIN)/mypy
	$(BIN)/pytest -q

bench: setup
	$(BIN)/python -m bench

## The whole build at 10,000 and 100,000 awards (docs/scaling.md); long
bench-scale: setup
	$(BIN)/python -m bench.scale

## The in-browser check of verification pages, in headless Chromium (target: under 100 ms)
bench-live: setup browser
	$(BIN)/python -m bench.live_check

clean:
	rm -rf site .cache build *.egg-info
