# Two entry points: `make app` (set up and run) and `make test` (set up and run every test).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup app test bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[app,test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

app: setup
	$(VENV)/bin/mxdoctor app $(if $(PORT),--port $(PORT))

test: setup
	$(VENV)/bin/pytest -q

bench: setup
	$(PY) bench/triage.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
