# ipbureau developer tasks. `make demo` runs the site with demo data on
# http://127.0.0.1:8000/ ; `make test` runs the whole suite on SQLite and on PostgreSQL.

VENV      := .venv
PY        := $(VENV)/bin/python
IPBUREAU  := $(VENV)/bin/ipbureau
STAMP     := $(VENV)/.installed
# The suite runs in PYTEST_WORKERS processes (pytest-xdist; 0 = all in this one), each on a database of its own.
PYTEST_WORKERS ?= 2
PYTEST    := $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
# Coverage, reported by the SQLite run only (it slows a run down by about 80 %): a terminal summary of the
# files not fully covered. `make test COVERAGE=` leaves it out.
COVERAGE  ?= --cov=ipbureau --cov-report=term:skip-covered

.PHONY: demo test bench lint install

install: $(STAMP)

# The virtualenv: Python 3.11 where available, else the system python3.
$(PY):
	python3.11 -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)

# Reinstall only when pyproject.toml is newer than the last installation.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(IPBUREAU) migrate
	$(IPBUREAU) load-reference
	$(IPBUREAU) load-plan
	$(IPBUREAU) demo-data
	$(IPBUREAU) serve --host 127.0.0.1 --port 8000

# Lint first, then both runs; all three always happen and the target fails if any fails. The
# SQLite run reports coverage (COVERAGE= to leave it out). The throwaway PostgreSQL server is
# removed however the run ends.
test: $(STAMP)
	@scripts/ensure-system-deps.sh
	@status=0; \
	echo "== lint =="; \
	$(MAKE) --no-print-directory lint || status=1; \
	echo "== tests on SQLite =="; \
	env -u IPBUREAU_TEST_DATABASE_URL $(PYTEST) $(COVERAGE) || status=1; \
	echo "== tests on PostgreSQL =="; \
	if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || [ "$$CI" = "true" ]; then \
		trap 'scripts/pg-test-server.sh stop' EXIT INT TERM; \
		if scripts/pg-test-server.sh start; then \
			IPBUREAU_TEST_DATABASE_URL="$$(scripts/pg-test-server.sh url)" $(PYTEST) || status=1; \
		else \
			status=1; \
		fi; \
	else \
		echo "PostgreSQL is not installed: skipped (apt-get install postgresql)"; \
	fi; \
	if [ $$status -ne 0 ]; then echo "== make test: FAILED =="; else echo "== make test: passed lint, SQLite and PostgreSQL =="; fi; \
	exit $$status

# Import, index and search (bench/run.py), the statistics dashboard (bench/stats.py), then
# marketplace matching, abnormal-application screening and navigation reports, each at 100k.
# Sizes: `make bench BENCH_ARGS="--sizes 100000 1000000"` (import/index/search); the other
# scripts take --size (see bench/README.md).
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/stats.py
	$(PY) bench/matching.py
	$(PY) bench/screening.py
	$(PY) bench/navigation.py

# ruff (rules in pyproject.toml) and the import contracts ([tool.importlinter] in pyproject.toml).
lint: $(STAMP)
	@status=0; \
	$(VENV)/bin/ruff check src tests bench || status=1; \
	$(VENV)/bin/lint-imports || status=1; \
	exit $$status
