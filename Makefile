# Two entry points: `make run` (install, ingest corpus/, open the app at http://localhost:8501) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1

.PHONY: run test install install-test chromium bench clean

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

run: install
	$(BIN)/assistant models assemble qwen2.5-coder-1.5b
	$(BIN)/assistant ingest
	$(BIN)/assistant status
	@echo "Bærekraftsassistenten: http://localhost:8501  (Ctrl+C avslutter)"
	$(BIN)/streamlit run ui/app.py

# The browser tests drive Debian's Chromium; install it where missing (as root, as on these machines).
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
		&& (apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)) \
		|| echo "chromium is not installed and cannot be installed here: the browser tests will be skipped"; }

test: install-test chromium
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python -m evals.bench_retrieval
	$(BIN)/python -m evals.bench_ingest
	$(BIN)/python -m evals.bench_search
	$(BIN)/python -m evals.bench_answer
	$(BIN)/python -m evals.bench_lix

clean:
	rm -rf $(VENV) data .pytest_cache
