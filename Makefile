# The two commands of the README, each doing its own set-up on a fresh machine:
#   make course   install if needed, then open JupyterLab on the course (prints the URL)
#   make test     install if needed, then run the whole test suite
# Instructors: make instructor opens JupyterLab with nbgrader's instructor tools (formgrader,
# Create Assignment) on the repository; the learner's `make course` hides them.
# The virtual environment lives in .venv and is rebuilt when the lock file changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
PYTEST_ARGS ?=
# JupyterLab refuses to start as root (containers, cloud shells) unless told it may.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: course instructor test system-packages release lock clean-venv

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

course: $(STAMP)
	@echo "Opening the course in JupyterLab: follow the http://127.0.0.1 link printed below (Ctrl-C stops it)."
	PATH="$(CURDIR)/$(BIN):$$PATH" JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter/learner" \
		$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) \
		--ServerApp.root_dir="$(CURDIR)/notebooks" $(ALLOW_ROOT)

# The instructor's JupyterLab: nbgrader's formgrader and Create Assignment sidebar, on the repository.
instructor: $(STAMP)
	@echo "Opening JupyterLab with nbgrader's instructor tools: follow the http://127.0.0.1 link printed below."
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --port=$(PORT) \
		--ServerApp.root_dir="$(CURDIR)" $(ALLOW_ROOT)

# Debian packages some tests need: bubblewrap (the grading sandbox), chromium (the browser
# test) and postgresql (the shared-gradebook test). Installed when missing where that is
# possible (root and apt-get); elsewhere the tests that need one say what is missing.
system-packages:
	@missing=""; \
	command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="$$missing postgresql"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian packages:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q $$missing >/dev/null 2>&1 \
		|| { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $$missing >/dev/null 2>&1; } \
		|| echo "warning: apt-get could not install$$missing: the tests that need them will say so"; \
	else \
		echo "note: missing Debian packages:$$missing (sudo apt-get install$$missing): the tests that need them will say so"; \
	fi

test: $(STAMP) system-packages
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
