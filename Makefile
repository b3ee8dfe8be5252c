# Two entry points: `make run` (install, ingest corpus/, start the assistant) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1

.PHONY: run test install install-test bench clean

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
	$(BIN)/assistant ingest
	$(BIN)/assistant status
	$(BIN)/assistant ask "Hvem finansierer FN-senteret i Trondheim?"

test: install-test
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/python -m evals.bench_retrieval
	$(BIN)/python -m evals.bench_ingest
	$(BIN)/python -m evals.bench_search
	$(BIN)/python -m evals.bench_answer

clean:
	rm -rf $(VENV) data .pytest_cache
