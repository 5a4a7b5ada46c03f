# Set-up, run, test. Everything a fresh machine needs is installed from this repository's files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export INSTANCE_DIR ?= $(CURDIR)/instance

.PHONY: run test lint bench services install assets translations messages db clean
CATALOG := queue_server/translations/en/LC_MESSAGES/messages

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CATALOG).mo: $(CATALOG).po $(BIN)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d queue_server/translations

install: $(BIN)/.installed assets translations
assets: node_modules/.installed
translations: $(CATALOG).mo

# After changing page texts: extract them (message ids are the Vietnamese) and update English.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --omit-header \
	  -o queue_server/translations/messages.pot queue_server kiosk display
	$(BIN)/pybabel update -i queue_server/translations/messages.pot -d queue_server/translations

db: install
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi seed-demo
	@test -s $(INSTANCE_DIR)/demo-kiosk.token || \
	  $(BIN)/flask --app wsgi create-device-token --kind kiosk --site NA-HCC --name "Demo kiosk" \
	  | tail -n 1 > $(INSTANCE_DIR)/demo-kiosk.token

run: db
	@echo
	@echo "Demo centre: Trung tâm Phục vụ hành chính công tỉnh Nghệ An (site NA-HCC)"
	@echo "  Kiosk:            http://$(HOST):$(PORT)/kiosk/NA-HCC#token=$$(cat $(INSTANCE_DIR)/demo-kiosk.token)"
	@echo "  Hall display:     http://$(HOST):$(PORT)/display/NA-HCC"
	@echo "  Counter 3 screen: http://$(HOST):$(PORT)/display/NA-HCC/counter/3"
	@echo "  Officer console:  http://$(HOST):$(PORT)/console"
	@echo "  API and its browsable document:  http://$(HOST):$(PORT)/api/v1/docs"
	@echo "  Queue now (JSON):                 http://$(HOST):$(PORT)/api/v1/sites/NA-HCC/queue"
	@echo "  Logins: admin/quan-tri-demo, supervisor/giam-sat-demo, officer1/officer-demo,"
	@echo "          officer2/officer-demo, officer3/officer-demo (ward NA-TRUONGVINH), postal/buu-dien-demo"
	@echo "  Demo kiosk token (in $(INSTANCE_DIR)/demo-kiosk.token); take a number with:"
	@echo "    curl -X POST -H \"Authorization: Bearer \$$(cat $(INSTANCE_DIR)/demo-kiosk.token)\" \\"
	@echo "         -H 'Content-Type: application/json' -d '{\"service\": \"NM-DD\"}' \\"
	@echo "         http://$(HOST):$(PORT)/api/v1/sites/NA-HCC/tickets"
	@echo
	BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: install
	$(BIN)/python -m pytest

PY_PATHS := queue_server kiosk display hardware postal tests bench wsgi.py
lint: install
	$(BIN)/ruff check $(PY_PATHS)
	$(BIN)/ruff format --check $(PY_PATHS)
	$(BIN)/mypy
	$(BIN)/lint-imports

services:
	bash scripts/test-services.sh

bench: install services
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) node_modules .pytest_cache
