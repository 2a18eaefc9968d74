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

# Before it installs, the set-up checks (tools/setup_check.sh) that the Python is at least the floor of
# pyproject.toml's requires-python and can make a venv, and that the disk has room, and says in words
# what is missing. Free space a new .venv needs, in MiB (measured on Debian 12's Python 3.11.2): with
# PyTorch's CPU build the .venv took 1.6 GiB and the downloads 0.4 GiB, so 3 GiB; on Linux x86-64, PyPI's
# torch 2.13.0 brings CUDA libraries (its wheels with theirs: 2.55 GiB, 4.42 GiB unpacked), about 8.2 GiB
# in all with pip's cache, so 10 GiB. An update of an existing .venv asks for 1 GiB; TMPDIR, where it is
# another file system, holds one download at a time (the largest, PyTorch's, is 0.5 GiB).
ifeq ($(shell uname -sm 2>/dev/null),Linux x86_64)
SETUP_NEW_MB    ?= 10240
else
SETUP_NEW_MB    ?= 3072
endif
SETUP_UPDATE_MB ?= 1024
SETUP_TMP_MB    ?= 1024

.PHONY: course instructor test system-packages release lock clean-venv setup-check

# Only the checks, without installing anything.
setup-check:
	@sh tools/setup_check.sh "$(PYTHON)" "$(VENV)" $(SETUP_NEW_MB) $(SETUP_UPDATE_MB) $(SETUP_TMP_MB)

$(STAMP): requirements.lock pyproject.toml
	@sh tools/setup_check.sh "$(PYTHON)" "$(VENV)" $(SETUP_NEW_MB) $(SETUP_UPDATE_MB) $(SETUP_TMP_MB)
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

# The browser site (docs/browser.md): notebooks 01-11 in JupyterLite, built into $(LITE_OUT) with its own
# pinned toolchain (lite/requirements.lock, in lite/.venv) and every file the page loads served by the site.
# make lite LITE_SOLUTIONS=1 also puts solutions/01-11 in it, for self-learners.
LITE_OUT       ?= build/lite
LITE_SOLUTIONS ?=
LITE_STAMP     := lite/.venv/.installed

.PHONY: lite

$(LITE_STAMP): lite/requirements.lock
	@test -x lite/.venv/bin/python || $(PYTHON) -m venv lite/.venv
	lite/.venv/bin/python -m pip install --quiet --disable-pip-version-check -r lite/requirements.lock
	@touch $(LITE_STAMP)

lite: $(LITE_STAMP)
	lite/.venv/bin/python lite/build.py --out "$(LITE_OUT)" $(if $(filter-out 0 no false,$(LITE_SOLUTIONS)),--solutions)
