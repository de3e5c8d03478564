# Casework: `make run` serves the app with demo data; `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)

.PHONY: run test lint format migrate demo demo-code assets test-postgres servers-check bench clean

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

# The web app and the queue's worker (mail, daily housekeeping) together; Ctrl+C stops both.
run: $(STAMP) migrate demo
	@echo "Casework is at http://127.0.0.1:5000 (Ctrl+C to stop)"
	scripts/run-dev

migrate: $(STAMP)
	$(FLASK) db upgrade

demo: $(STAMP)
	$(FLASK) demo

# A demo user's current sign-in code, as their authenticator app would show it: make demo-code EMAIL=...
demo-code: $(STAMP)
	@$(FLASK) demo-code "$(EMAIL)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The suite in parallel: one worker per core, each test file kept on one worker so the worlds
# built once per module or class are built once, in the suite's order (longest files first; the
# default would start the files with most tests first and leave the long single tests to the
# end). Bytecode is written even where the environment says not to: each worker would otherwise
# rewrite the assertions of every test module again.
PYTEST_WORKERS ?= auto
test: lint
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The suite against PostgreSQL, in a database created for the run and dropped after it.
test-postgres: $(STAMP)
	bash .ci/run-postgres

# Two gunicorn app servers and a worker sharing PostgreSQL, Redis and an S3 store, checked over HTTP.
servers-check: $(STAMP)
	$(BIN)/python scripts/two_servers.py

# One year of a partnership beside ten years, in PostgreSQL: every main page's statements and
# times side by side, throughput, the daily reminders, the full export (scripts/bench.py).
# The built databases are kept for the next run; BENCH_ARGS="--factor 3" for a smaller large scale.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

assets:
	scripts/build-assets

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
