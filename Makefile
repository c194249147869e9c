# estapp: `make run` serves the demo on SQLite, `make test` runs ruff and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed-stamp
PO_FILES := $(wildcard estapp/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test lint bench install translations extract-messages clean

install: $(STAMP) $(MO_FILES)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "estapp behöver Python 3.11 eller nyare (PYTHON=$(PYTHON))")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

translations: $(MO_FILES)

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o estapp/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i estapp/translations/messages.pot -d estapp/translations --no-fuzzy-matching

# For `make run` only: mail goes to the local sink (`estapp mailsink`), which keeps every message
# as a .eml file in instance/mail. Set ESTAPP_SMTP_HOST (and _PORT, _SECURITY) to use a real server.
run: export ESTAPP_SMTP_HOST ?= 127.0.0.1
run: export ESTAPP_SMTP_PORT ?= 8025
run: export ESTAPP_SMTP_SECURITY ?= none
# Links in e-mail point at the address `make run` serves on.
run: export ESTAPP_BASE_URL ?= http://$(HOST):$(PORT)

run: install
	$(BIN)/estapp db upgrade
	$(BIN)/estapp seed demo --if-empty
	@# The mail sink (when mail stays on this machine) and the scheduler run in their own
	@# processes beside the web server and stop with it.
	pids=; \
	if [ "$$ESTAPP_SMTP_HOST" = 127.0.0.1 ]; then \
		$(BIN)/estapp mailsink --port "$$ESTAPP_SMTP_PORT" & pids=$$!; \
	fi; \
	$(BIN)/estapp scheduler & pids="$$pids $$!"; \
	trap 'kill $$pids 2>/dev/null' EXIT INT TERM; \
		$(BIN)/estapp run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# With ESTAPP_TEST_DATABASE_URL set the suite runs twice: on SQLite without the browser and
# reliability tests (they drive the app over HTTP the same way on either database), then whole
# on PostgreSQL, the production database. Without it, everything runs on SQLite.
test: lint
	@if [ -n "$$ESTAPP_TEST_DATABASE_URL" ]; then \
		echo "== the suite on SQLite (browser and reliability tests: in the PostgreSQL pass) =="; \
		env -u ESTAPP_TEST_DATABASE_URL $(BIN)/pytest -m "not e2e" --ignore=tests/reliability \
			&& echo "== the whole suite on PostgreSQL ==" && $(BIN)/pytest; \
	elif [ "$$ESTAPP_FAIL_ON_SKIP" = 1 ]; then \
		echo "ESTAPP_FAIL_ON_SKIP=1 but no ESTAPP_TEST_DATABASE_URL: the PostgreSQL pass (and the reliability tests that only run on it) would be missing" >&2; \
		exit 1; \
	else \
		$(BIN)/pytest; \
	fi

# Benchmarks (bench/) on SQLite, and on a throwaway PostgreSQL database when the server in
# ESTAPP_BENCH_DATABASE_URL (default postgres@127.0.0.1:5432) answers. The full size takes
# about 11 minutes here; `make bench BENCH_SIZE=small` about 3. See README, "Prestanda och skala".
bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis
