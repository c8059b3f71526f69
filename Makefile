# Two commands do all set-up: `make run` and `make test`.
# Python >= 3.12 is found by itself (PYTHON=... overrides); pyenv shims of versions that are
# not selected exist on PATH but exit 127, so every candidate is probed by running it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYENV_ROOT_DIR := $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
CANDIDATES := $(PYTHON) python3.12 python3.13 $(wildcard $(PYENV_ROOT_DIR)/versions/3.12*/bin/python3) $(wildcard $(PYENV_ROOT_DIR)/versions/3.13*/bin/python3) python3
FOUND_PYTHON = $(shell for c in $(CANDIDATES); do \
	if $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then echo $$c; break; fi; done)

# Compilation caches and fitted posteriors live in .cache/ of the work tree (ignored by git),
# chosen by the code itself (progression/cache_dirs.py), so a direct run uses the same ones.
export MPLBACKEND := Agg

.PHONY: run test test-fast lint format bench venv browser clean

$(STAMP): pyproject.toml constraints.txt
	@py="$(FOUND_PYTHON)"; \
	if [ -z "$$py" ]; then echo "make: no Python >= 3.12 found (tried: $(CANDIDATES)); install one or pass PYTHON=/path/to/python3.12" >&2; exit 2; fi; \
	echo "Using $$py ($$($$py --version))"; \
	[ -x $(PY) ] || $$py -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name als-trial-sim --display-name "Python (als-trial-sim)" >/dev/null
	@touch $(STAMP)

venv: $(STAMP)

# The explorer's browser tests drive Debian's Chromium through Playwright (no browser
# download): installed here once, when it is missing (CI runs as root).
CHROMIUM := /usr/bin/chromium
browser:
	@[ -x "$(CHROMIUM)" ] || { \
		echo "Installing Debian's chromium for the explorer's browser tests"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium; \
	}

# Byte-compiled modules, written here even where PYTHONDONTWRITEBYTECODE is set (as on some
# CI machines and containers): otherwise every command compiles the ~110 modules it imports
# again, 0.1-0.25 s of each start (docs/performance.md, nineteenth sitting). -q prints only
# errors (a syntax error stops here, with its message).
BYTECODE := $(PY) -m compileall -q designs progression benchmarks

run: $(STAMP)
	@$(BYTECODE)
	$(PY) simulate.py
	@echo
	@echo "Next, in a shell with the environment active (source .venv/bin/activate):"
	@echo "  python simulate.py power --n-per-arm 150 --trials 500     # power of one design"
	@echo "  python simulate.py report --out results/report            # tables, figures, methods text"
	@echo "  python simulate.py explore                                # design explorer in the browser"
	@echo "  python simulate.py --help                                 # every subcommand"

test: $(STAMP) browser
	@$(BYTECODE)
	CHROMIUM="$(CHROMIUM)" $(PY) -m pytest --durations=15

test-fast: $(STAMP) browser
	@$(BYTECODE)
	CHROMIUM="$(CHROMIUM)" $(PY) -m pytest -m "not slow" --durations=15

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	@$(BYTECODE)
	$(PY) simulate.py bench

clean:
	rm -rf $(VENV) .cache .pytest_cache .ruff_cache
