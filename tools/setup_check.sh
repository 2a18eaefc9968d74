#!/bin/sh
# What `make course` and `make test` check before they install anything, said in words:
#   the Python that will run the course is at least the floor of pyproject.toml's requires-python,
#   it can make a virtual environment (Debian and Ubuntu ship venv's ensurepip separately),
#   and the disk holding .venv (and the temporary folder) has room for the packages.
# Usage: sh tools/setup_check.sh PYTHON VENV NEW_MB UPDATE_MB TMP_MB
#   PYTHON     the interpreter that makes .venv (make's PYTHON, python3 by default)
#   VENV       the virtual environment's folder; when it exists, its own Python is checked
#   NEW_MB     free MB needed to make .venv from nothing (packages, pip's cache, temporary files)
#   UPDATE_MB  free MB needed to update an existing .venv after requirements.lock changed
#   TMP_MB     free MB needed in $TMPDIR (or /tmp) when that is another file system
# Exits 1 with a message that names what is missing and how to get it; prints nothing when all is well.

python=${1:-python3}
venv=${2:-.venv}
new_mb=${3:-0}
update_mb=${4:-0}
tmp_mb=${5:-0}

fail() {
    printf '\nCannot set up the course: %s\n\n' "$1" >&2
    exit 1
}

floor=$(sed -n 's/^requires-python *= *"[[:space:]]*>=[[:space:]]*\([0-9][0-9.]*\)[[:space:]]*".*/\1/p' pyproject.toml)
[ -n "$floor" ] || fail "pyproject.toml states no Python floor (requires-python = \">=3.x\")."

# -- Python ----------------------------------------------------------------------------------------
if [ -x "$venv/bin/python" ]; then
    py="$venv/bin/python"
    fresh=0
else
    py="$python"
    fresh=1
fi
if ! command -v "$py" >/dev/null 2>&1; then
    fail "no Python called '$py' was found. The course needs Python $floor or newer: install it
(Debian and Ubuntu: sudo apt-get install python3 python3-venv), or name one that you have:
    make course PYTHON=/path/to/python3"
fi
version=$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null) \
    || fail "'$py' does not run as a Python interpreter.$( [ $fresh = 0 ] && printf '%s' "
The virtual environment $venv is broken (its Python may have been removed or upgraded):
remove it with 'make clean-venv' and run make again.")"
if ! "$py" -c "import sys; sys.exit(tuple(sys.version_info[:3]) < tuple(int(p) for p in '$floor'.split('.')))" 2>/dev/null; then
    if [ $fresh = 1 ]; then
        fail "'$py' is Python $version, and the course needs Python $floor or newer (pyproject.toml's
requires-python; every pinned package of requirements.lock installs from $floor up).
Install a newer Python and name it, for example:
    make course PYTHON=/usr/bin/python3.12"
    else
        fail "the virtual environment $venv was made with Python $version, and the course needs
Python $floor or newer. Remove it with 'make clean-venv', then run make again with a newer
Python, for example: make course PYTHON=/usr/bin/python3.12"
    fi
fi
if [ $fresh = 1 ] && ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    fail "'$py' (Python $version) cannot make a virtual environment: its venv module or ensurepip
is missing. On Debian and Ubuntu install it with:
    sudo apt-get install python3-venv
(or python$(printf '%s' "$version" | cut -d. -f1,2)-venv for that exact version), then run make again."
fi

# -- disk space ------------------------------------------------------------------------------------
# The file system of .venv (its parent folder while it does not exist yet), and of the temporary folder.
free_mb() {  # free MB on the file system holding $1; empty where df cannot tell
    df -Pk "$1" 2>/dev/null | awk 'NR == 2 { printf "%d", $4 / 1024 }'
}
device() {
    df -Pk "$1" 2>/dev/null | awk 'NR == 2 { print $1 " " $6 }'
}
where=$venv
while [ ! -d "$where" ] && [ "$where" != "$(dirname "$where")" ]; do where=$(dirname "$where"); done
if [ $fresh = 1 ]; then need=$new_mb; what="a new $venv"; else need=$update_mb; what="updating $venv"; fi
free=$(free_mb "$where")
if [ -n "$free" ] && [ "$free" -lt "$need" ]; then
    fail "not enough free disk space: $what needs about $need MB (the course's pinned packages,
PyTorch included, pip's download cache and temporary files), and the disk holding
$(cd "$where" && pwd) has $free MB free. Free some space, or put the environment on another disk:
    make course VENV=/path/on/a/bigger/disk/.venv"
fi
tmp=${TMPDIR:-/tmp}
if [ -d "$tmp" ] && [ "$(device "$tmp")" != "$(device "$where")" ]; then
    free=$(free_mb "$tmp")
    if [ -n "$free" ] && [ "$free" -lt "$tmp_mb" ]; then
        fail "not enough free space in the temporary folder $tmp: pip keeps each download there
while it installs it (PyTorch's is the largest) and needs about $tmp_mb MB; it has $free MB free.
Free some space there, or name another folder:
    TMPDIR=/path/with/room make course"
    fi
fi
exit 0
