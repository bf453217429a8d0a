# Guankao: the README's two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export GUANKAO_DATA_DIR ?= $(CURDIR)/var
PYTEST_ARGS ?=

.PHONY: demo test lint fmt bench lock messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The lock files pin every version; the project itself goes in without deps.
$(VENV)/.base: $(BIN)/python requirements/base.txt pyproject.toml
	$(BIN)/pip install -q -r requirements/base.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.test: $(VENV)/.base requirements/test.txt
	$(BIN)/pip install -q -r requirements/test.txt
	touch $@

demo: $(VENV)/.base
	GUANKAO_DEMO=1 $(BIN)/guankao demo

test: $(VENV)/.test
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

lint: $(VENV)/.test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	GUANKAO_DEMO=1 $(BIN)/python manage.py makemigrations --check --dry-run

fmt: $(VENV)/.test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.test
	$(BIN)/python bench/api_load.py

# Regenerate the lock files on purpose (needs network to PyPI).
lock:
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml -o requirements/base.txt --python-version 3.11 --no-header
	$(BIN)/uv pip compile pyproject.toml --extra test -o requirements/test.txt --python-version 3.11 --no-header

# Rebuild the zh-Hant catalogue after changing user-facing strings (needs GNU gettext).
messages: $(VENV)/.test
	cd guankao && ../$(BIN)/django-admin makemessages -l zh_Hant --no-obsolete
	cd guankao && ../$(BIN)/django-admin compilemessages -l zh_Hant

clean:
	rm -rf $(VENV) var
