# The two commands of the README, each doing its own set-up on a fresh machine:
#   make course   install if needed, then open JupyterLab on the course (prints the URL)
#   make test     install if needed, then run the whole test suite
# The virtual environment lives in .venv and is rebuilt when the lock file changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
PYTEST_ARGS ?=

.PHONY: course test release lock clean-venv

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

course: $(STAMP)
	@echo "Opening the course in JupyterLab: follow the http://127.0.0.1 link printed below (Ctrl-C stops it)."
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) \
		--ServerApp.root_dir="$(CURDIR)/notebooks"

test: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest $(PYTEST_ARGS)

# Instructor: regenerate the student notebooks after editing solutions/.
release: $(STAMP)
	$(BIN)/course release

# Maintainer: refresh requirements.lock from the current environment (then review the diff).
lock: $(STAMP)
	{ sed -n '1,2p' requirements.lock; $(BIN)/python -m pip freeze --exclude-editable \
		| grep -v '^course-lib' | sed 's/^torch==\(.*\)+cpu$$/torch==\1/'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean-venv:
	rm -rf $(VENV)
