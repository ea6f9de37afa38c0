# cert_plugin: `make demo` runs the demo LMS with the plugin; `make test` passes the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST := $(PY) -m pytest
# Translations: the .po are committed, the .mo are compiled at set-up (GNU gettext's msgfmt, from
# system-deps). django-admin runs inside cert_plugin/ without settings: only the plugin's own catalogues.
PO_FILES := $(wildcard cert_plugin/locale/*/LC_MESSAGES/*.po)
DJANGO_ADMIN := env -u DJANGO_SETTINGS_MODULE $(abspath $(VENV))/bin/django-admin

.PHONY: setup demo frontend test test-frontend test-mysql test-postgres test-celery test-services test-tutor lint clean bench

$(STAMP): setup.py requirements/base.in requirements/test.in requirements/constraints.txt scripts/system-deps.sh $(PO_FILES)
	scripts/system-deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip wheel setuptools
	$(PY) -m pip install -q -c requirements/constraints.txt -e '.[test]'
	cd cert_plugin && $(DJANGO_ADMIN) compilemessages -v 0
	touch $(STAMP)

setup: $(STAMP)

## The demo LMS on SQLite with seeded data, at http://127.0.0.1:8000 (the MFE harness built too)
demo: setup frontend
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver --noreload 127.0.0.1:8000

# axe-core (npm registry, tests/e2e/package-lock.json): the accessibility engine the browser tests
# inject into every page they audit (tests/e2e/axe.py)
E2E_NPM_STAMP := tests/e2e/node_modules/.npm-ci-stamp

$(E2E_NPM_STAMP): tests/e2e/package.json tests/e2e/package-lock.json
	cd tests/e2e && npm ci --ignore-scripts --no-audit --no-fund
	touch $(E2E_NPM_STAMP)

# cert-plugin-frontend (frontend/): the MFE widgets. npm ci from the committed lock file (npm registry
# only), then esbuild builds the package (dist/) and the harness the demo serves at /mfe-harness/.
FRONTEND_NPM_STAMP := frontend/node_modules/.npm-ci-stamp
FRONTEND_SOURCES := $(shell find frontend/src frontend/harness -type f) frontend/build.mjs
FRONTEND_HARNESS := frontend/build/harness/harness.js

$(FRONTEND_NPM_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund
	touch $(FRONTEND_NPM_STAMP)

$(FRONTEND_HARNESS): $(FRONTEND_NPM_STAMP) $(FRONTEND_SOURCES)
	cd frontend && npm run --silent build

frontend: $(FRONTEND_HARNESS)

## The widgets' unit tests (Jest and Testing Library, in jsdom), and the built package's exports
test-frontend: $(FRONTEND_HARNESS)
	cd frontend && npm test --silent -- --ci

## The test suite on SQLite, tasks in process (what CI runs first): the widgets' unit tests, then
## pytest (the browser tests drive the widgets in Chromium through the harness)
test: setup $(E2E_NPM_STAMP) frontend test-frontend
	$(PYTEST) -q

## The suite on MariaDB (127.0.0.1:3306) and PostgreSQL (127.0.0.1:5432). The browser tests (tests/e2e)
## run once, in `make test`: what they add over the integration tests is the page in Chromium, which no
## database changes, and running them in every stage would take CI past its 30 minutes.
SERVER_DB_TESTS := --ignore=tests/e2e
test-mysql: setup
	CERT_PLUGIN_DB=mysql $(PYTEST) -q -p no:cacheprovider $(SERVER_DB_TESTS)

test-postgres: setup
	CERT_PLUGIN_DB=postgres $(PYTEST) -q -p no:cacheprovider $(SERVER_DB_TESTS)

## Tasks through a real Celery worker on Redis, database PostgreSQL
test-celery: setup
	CERT_PLUGIN_DB=postgres CERT_PLUGIN_CELERY=1 CELERY_BROKER_URL=redis://127.0.0.1:6379/15 $(PYTEST) -q -m celery -p no:cacheprovider

test-services: test-mysql test-postgres test-celery

## The Tutor plugin (tutor-cert-plugin/), rendered by the real tutor and tutor-mfe of each supported
## Open edX line, one venv per line (tutor-cert-plugin/requirements-<line>.txt): Ulmo (Tutor 21) and
## Verawood (Tutor 22). The same tests run against each; they assert where the lines differ.
TUTOR_LINES := ulmo verawood
TUTOR_STAMPS := $(foreach line,$(TUTOR_LINES),var/venv-tutor-$(line)/.installed-stamp)

var/venv-tutor-%/.installed-stamp: tutor-cert-plugin/requirements-%.txt
	test -x $(@D)/bin/python || $(PYTHON) -m venv $(@D)
	$(@D)/bin/python -m pip install -q -r $<
	touch $@

# esbuild (npm registry, tutor-cert-plugin/package-lock.json) compiles the rendered env.config.jsx
TUTOR_NPM_STAMP := tutor-cert-plugin/node_modules/.npm-ci-stamp

$(TUTOR_NPM_STAMP): tutor-cert-plugin/package.json tutor-cert-plugin/package-lock.json
	cd tutor-cert-plugin && npm ci --ignore-scripts --no-audit --no-fund
	touch $(TUTOR_NPM_STAMP)

# The plugin's wheel is built once and installed into each line's venv. Every line runs even when
# an earlier one fails; the target fails if any did.
TUTOR_WHEELS := var/tutor-cert-plugin-wheel

test-tutor: $(TUTOR_STAMPS) $(TUTOR_NPM_STAMP)
	rm -rf $(TUTOR_WHEELS)
	var/venv-tutor-$(firstword $(TUTOR_LINES))/bin/python -m pip wheel -q --no-deps -w $(TUTOR_WHEELS) ./tutor-cert-plugin
	@status=0; for line in $(TUTOR_LINES); do \
	  venv=$(CURDIR)/var/venv-tutor-$$line; echo "== make test-tutor: $$line ($$venv)"; \
	  $$venv/bin/python -m pip install -q --no-deps --force-reinstall $(TUTOR_WHEELS)/*.whl \
	  && (cd tutor-cert-plugin && TUTOR_LINE=$$line $$venv/bin/python -m pytest -q -p no:cacheprovider tests) \
	  || status=1; \
	done; exit $$status

## The whole suite inside the Open edX platform's own pins (docs/integrations/open-edx.md): a fresh
## virtualenv constrained by the platform's lock file (scripts/openedx_pins.py derives the
## constraints), pip check, no pinned version moved, then every test. Rebuilt when its inputs change.
OPENEDX_LOCK ?= ../shared/openedx/edx-platform-base-2026-01.txt
PINS_DIR := build/openedx-pins
PINS_VENV := $(PINS_DIR)/venv
PINS_PY := $(PINS_VENV)/bin/python
PINS_CONSTRAINTS := $(PINS_DIR)/constraints.txt
PINS_STAMP := $(PINS_VENV)/.installed-stamp
PINS := $(PINS_PY) scripts/openedx_pins.py --lock $(OPENEDX_LOCK) --constraints $(PINS_CONSTRAINTS)

.PHONY: test-openedx-pins
$(OPENEDX_LOCK):
	@echo "No platform lock file at $@ (CI keeps a copy of shared/ beside the clone; OPENEDX_LOCK=... names another)" >&2; exit 1

$(PINS_STAMP): $(OPENEDX_LOCK) scripts/openedx_pins.py setup.py requirements/base.in requirements/test.in scripts/system-deps.sh
	scripts/system-deps.sh
	rm -rf $(PINS_VENV)
	$(PYTHON) -m venv $(PINS_VENV)
	$(PINS_PY) -m pip install -q --upgrade pip
	$(PINS) install -- -e '.[test]'
	touch $(PINS_STAMP)

test-openedx-pins: $(PINS_STAMP)
	$(PINS_PY) -m pip check
	$(PINS) check
	cd cert_plugin && env -u DJANGO_SETTINGS_MODULE $(abspath $(PINS_VENV))/bin/django-admin compilemessages -v 0
	$(PINS_PY) -m pytest -q -p no:cacheprovider $(SERVER_DB_TESTS)

## Static checks (CI runs them after the tests): ruff, the import-linter contracts, mypy on the package
LINT_STAMP := $(VENV)/.lint-installed-stamp

$(LINT_STAMP): $(STAMP) requirements/lint.in requirements/constraints.txt
	$(PY) -m pip install -q -c requirements/constraints.txt -r requirements/lint.in
	touch $(LINT_STAMP)

lint: $(LINT_STAMP)
	$(PY) -m ruff check cert_plugin devhost tests benchmarks
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m mypy

## Dependency audit (not run by CI: it needs PyPI's vulnerability data): pip-audit over the installed
## environment. --strict fails on a package it could not look up, so an audit that could not run never
## reads as a clean one. Findings and their explanations: docs/security.md.
.PHONY: audit
audit: $(STAMP) requirements/audit.in
	$(PY) -m pip install -q -c requirements/constraints.txt -r requirements/audit.in
	$(VENV)/bin/pip-audit --local --skip-editable --strict --desc on

clean:
	rm -rf $(VENV) var build dist *.egg-info .pytest_cache frontend/node_modules frontend/build frontend/dist

## Benchmarks (figures and ratios, never timed assertions): writes benchmarks/results*.md
## Their extra tools (wrk, gunicorn) are installed here only: `make test` never needs them.
BENCH_STAMP := $(VENV)/.bench-installed-stamp

$(BENCH_STAMP): $(STAMP) requirements/bench.in requirements/constraints.txt scripts/bench-deps.sh
	scripts/bench-deps.sh
	$(PY) -m pip install -q -c requirements/constraints.txt -r requirements/bench.in
	touch $(BENCH_STAMP)

bench: setup $(BENCH_STAMP)
	$(PY) -m benchmarks
	$(PY) -m benchmarks.workers
	$(PY) -m benchmarks.load
	$(PY) -m benchmarks.backfill
	$(PY) -m benchmarks.verify_scale
	$(PY) -m benchmarks.verify_file
	$(PY) -m benchmarks.events
	$(PY) -m benchmarks.memory

## Translations (maintainers): collect the strings of code and templates into every catalogue, compile
.PHONY: i18n
i18n: setup
	cd cert_plugin && $(DJANGO_ADMIN) makemessages --all --add-location file --no-obsolete
	cd cert_plugin && $(DJANGO_ADMIN) compilemessages
