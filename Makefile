# ParSurvey — the two commands of the README, and a few helpers.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
FLASK   = $(VENV)/bin/flask --app wsgi
# Development (fixed local secret, development mailbox) is asked for explicitly: without
# PARSURVEY_ENV the app applies production rules and refuses to start without SECRET_KEY/MAIL_URL.
DEV     = PARSURVEY_ENV=development BASE_URL=$(BASE_URL)
HOST   ?= 127.0.0.1
PORT   ?= 5000
#: Mailed links must reach this server: they follow HOST and PORT unless BASE_URL is given.
BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test test-sqlite test-pg install install-dev catalogs migrate seed jobs bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

catalogs: install
	$(PY) -c "from app.core.i18n import compile_catalogs; compile_catalogs()"

migrate: catalogs
	mkdir -p instance
	$(DEV) $(FLASK) db upgrade

seed: migrate
	$(DEV) $(FLASK) demo seed --if-empty

## make run: the product on its embedded default (SQLite, mail shown in the web UI), demo campaign.
run: seed
	@echo ""
	@echo "ParSurvey: http://$(HOST):$(PORT)/login"
	@echo "Demo logins (password demo-Chiso-2026):"
	@echo "  admin@demo.parsurvey.vn (Thường trực)  theodoi@demo.parsurvey.vn (Cán bộ theo dõi)"
	@echo "  daumoi.sotp@demo.parsurvey.vn (Đầu mối Sở Tư pháp)  dieutravien@demo.parsurvey.vn (Điều tra viên)"
	@echo "Mail goes to the development mailbox: Hộp thư thử nghiệm in the menu."
	@echo ""
	$(DEV) $(FLASK) jobs run & JOBS=$$!; trap "kill $$JOBS 2>/dev/null" EXIT INT TERM; \
	$(DEV) $(FLASK) run --host $(HOST) --port $(PORT)

## make test: the whole suite on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set.
test: install-dev catalogs
	env -u TEST_DATABASE_URL $(PY) -m pytest -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
	  $(PY) -m pytest -q -m "not sqlite_only"; \
	fi

bench: install-dev catalogs
	@# the scratch PostgreSQL database the benches use unless BENCH_PG_URL names another
	@[ -n "$$BENCH_PG_URL" ] || psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE ps_speed_bench" 2>/dev/null || true
	$(PY) -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache
