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

# llama-cpp-python builds from source. Its default build targets the building CPU (-march=native), which
# on Sapphire Rapids compiles in ggml's AMX kernels: they crash at the first token (ggml-org/llama.cpp#20824),
# and pip's wheel cache then hands that wheel to every later install. So the wheel is built once with a
# portable x86-64-v3 instruction set (AVX2, FMA, F16C; no AVX-512, no AMX), kept in a cache named after
# the version and the flags, and installed before the project so pip's own cached wheel is never taken.
LLAMA_VERSION := 0.3.36
LLAMA_CMAKE   := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
                 -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_WHEELS  := $(HOME)/.cache/baerekraft/llama-$(LLAMA_VERSION)-$(shell echo '$(LLAMA_CMAKE)' | cksum | cut -d' ' -f1)

$(VENV)/.llama: | $(BIN)/python
	@ls $(LLAMA_WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1 || { echo "building llama-cpp-python $(LLAMA_VERSION) (about 12 min, once)"; \
		CMAKE_ARGS="$(LLAMA_CMAKE)" CMAKE_BUILD_PARALLEL_LEVEL=2 $(BIN)/pip wheel --quiet --no-cache-dir --no-deps \
			llama-cpp-python==$(LLAMA_VERSION) -w $(LLAMA_WHEELS); }
	$(BIN)/pip install --quiet --force-reinstall --no-deps $(LLAMA_WHEELS)/llama_cpp_python-*.whl
	touch $@

# Re-install only when the project definition changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python $(VENV)/.llama
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python $(VENV)/.llama
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The default answers by quoting (measured ahead of the embedded 1.5B): the model is assembled only when chosen.
run: install apertium
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
# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): the tests start many
# child processes that import the project, and compiling it again in each costs the loop about 10 s.
quick: install-test apertium
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -m "not slow"

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
