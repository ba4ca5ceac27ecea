# Two commands on a fresh machine: `make run` (the exchange, SQLite + demo markets) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

.PHONY: run test
run: $(VENV)/.installed
	$(VENV)/bin/karakum serve --demo --data-dir ./data

test: $(VENV)/.installed
	$(PY) -m pytest
