# tradingia — `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
EXTRAS ?= dev,ml,exchange,demo
comma  := ,
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

.PHONY: install demo test lint typecheck imports unit bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $@

install: $(STAMP)

demo: install
	$(BIN)/tradingia demo

lint: install
	$(BIN)/ruff check src tests benchmarks

typecheck: install
	$(BIN)/mypy

imports: install
	$(BIN)/lint-imports

test: lint typecheck imports
	$(BIN)/pytest -q

bench: install
	$(PY) -m pip install --quiet -e ".[$(EXTRAS),bench]"
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk) \
		|| echo "wrk not installed: the API benchmark falls back to its Python load generator"
	$(PY) benchmarks/run_all.py
	$(PY) benchmarks/summarize.py

clean:
	rm -rf $(VENV) .tradingia .pytest_cache .mypy_cache .ruff_cache
