# Two commands on a fresh machine: `make run` and `make test`. Both build .venv themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
REQS := requirements/base.txt requirements/test.txt
STAMP := $(VENV)/.installed
PORT ?= 8000
# Two pytest-xdist processes: the suite waits on browsers, servers and workers as much as on CPU.
PYTEST_WORKERS ?= 2

.PHONY: run test lint format venv clean front-door-packages css

$(STAMP): $(REQS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements/test.txt
	touch $@

INTEROP_STAMP := var/fed-interop-venv/.installed

$(INTEROP_STAMP): requirements/interop.txt
	test -x var/fed-interop-venv/bin/python || $(PYTHON) -m venv var/fed-interop-venv
	var/fed-interop-venv/bin/python -m pip install -q -r requirements/interop.txt
	touch $@

venv: $(STAMP)

# Debian packages the suite drives: chromium (Playwright's browser tests), Caddy and nginx (the front
# door in tests/production), redis-server (each test process's own broker for the worker tests),
# docker-compose (checks docker/compose.yml with no Docker daemon; the `docker compose` plugin does too).
# Installed when missing, as .ci/run does, so no test skips for want of them.
SYSTEM_PACKAGES := chromium nginx-light caddy redis-server docker-compose
front-door-packages:
	@test -x /usr/bin/chromium && command -v nginx >/dev/null && command -v caddy >/dev/null && \
	    command -v redis-server >/dev/null && command -v docker-compose >/dev/null || \
	    (apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null))

# Absolute links, the Sites and ActivityPub ids follow the port the server listens on.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	PORT=$(PORT) scripts/serve-dev

test: $(STAMP) $(INTEROP_STAMP) front-door-packages
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The one stylesheet, static/css/site.css, built from the design system in home/design/ (committed;
# `manage.py build_css --check` in CI and tests/home/test_stylesheet.py fail when it is stale).
css: $(STAMP)
	$(BIN)/python manage.py build_css

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var
