# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench diagrams clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Start the bot: console chat on the demo programme when no token is configured.
run: $(STAMP)
	@$(BIN)/python bot.py $(ARGS)

## Run the whole test suite (and ruff).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

## Benchmarks (flows, schedule, broadcast: about two minutes); figures in docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python bench/flows.py
	$(BIN)/python bench/schedule.py
	$(BIN)/python bench/broadcast.py

## Regenerate the flow diagrams (docs/flows/*.mmd) after changing a flow in flows/*.toml.
diagrams: $(STAMP)
	$(BIN)/python -m flows.diagram

clean:
	rm -rf $(VENV) .pytest_cache
