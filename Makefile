# Two entry points: `make run` (install, ingest corpus/, open the app at http://localhost:8501) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1

.PHONY: run test quick install install-test chromium apertium axe bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install only when the project definition changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install apertium
	$(BIN)/assistant models assemble qwen2.5-coder-1.5b
	$(BIN)/assistant ingest
	$(BIN)/assistant status
	@echo "Bærekraftsassistenten: http://localhost:8501  (Ctrl+C avslutter)"
	$(BIN)/assistant app

# The browser tests drive Debian's Chromium; install it where missing (as root, as on these machines).
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) \
		|| echo "chromium is not installed and cannot be installed here: the browser tests will be skipped"; }

# Nynorsk answers from the embedded model go through Apertium's bokmål-nynorsk pair (Debian package).
apertium:
	@command -v apertium >/dev/null 2>&1 && apertium -l 2>/dev/null | grep -qx ' *nob-nno' || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& (apt-get install -y -q apertium-nno-nob >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q apertium-nno-nob >/dev/null)) \
		|| echo "apertium-nno-nob is not installed and cannot be installed here: nynorsk answers come straight from the model"; }

# axe-core (MPL-2.0), which the accessibility tests inject into the app, from the npm registry at the version and
# hash pinned in package-lock.json (test-only: none of it is served by the app).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@ \
		|| echo "npm is missing or failed: the accessibility tests will be skipped (they fail under CI=true)"

axe: $(AXE)

test: install-test chromium apertium axe
	$(BIN)/python -m pytest

# The development loop: everything but the tests marked slow (real LLMs, whole-corpus ingests, browsers).
quick: install-test apertium
	$(BIN)/python -m pytest -m "not slow"

bench: install-test chromium
	$(BIN)/python -m evals.bench_retrieval
	$(BIN)/python -m evals.bench_ingest
	$(BIN)/python -m evals.bench_search
	$(BIN)/python -m evals.bench_reader --split test --scorer trained,off
	$(BIN)/python -m evals.bench_scorer
	$(BIN)/python -m evals.bench_answer
	$(BIN)/python -m evals.bench_lix
	$(BIN)/python -m evals.bench_summary
	$(BIN)/python -m evals.bench_deploy

clean:
	rm -rf $(VENV) data .pytest_cache node_modules
