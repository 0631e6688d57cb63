# Netwright — the two commands that matter:
#   make run    set up .venv and start Netwright (the designer)
#   make test   install everything the tests need (apt and pip) and run the whole suite
#
# The virtual environment is built from Debian's /usr/bin/python3 so that the unprivileged
# users the D-Bus tests run as can execute it (a pyenv under /root is mode 700).

PYTHON_BASE ?= /usr/bin/python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LINKS := $(VENV)/netwright-links
LINKED := $(LINKS)/.made
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
DEB := build/deb/netwright_$(VERSION)-1_$(shell dpkg --print-architecture).deb
DEB_SOURCES := $(shell git ls-files backend gui packaging polkit examples pyproject.toml README.md 2>/dev/null)

.PHONY: run test venv deps bytecode lint typecheck test-host test-network test-designer test-kernel bench deb clean

run: $(STAMP) $(LINKED) bytecode
	$(VENV)/bin/netwright

# The project's modules compiled once, here: the tests start the CLI and the daemon hundreds
# of times, as root and as users who cannot write __pycache__ (PYTHONDONTWRITEBYTECODE may be
# set too), and each start would compile every module it imports again. Up-to-date files are
# skipped, and a stale .pyc is never used (Python checks the source's time and size).
bytecode: $(STAMP) $(LINKED)
	$(PY) -m compileall -q -j0 backend gui tests >/dev/null

venv: $(STAMP)

# Made again while it has no pip: Debian's python3 without python3-venv makes bin/python, then
# fails at ensurepip (naming the package to install), and the next run must not take that
# half-made environment as done (tests/test_makefile_venv.py).
$(VENV)/bin/pip:
	$(PYTHON_BASE) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/bin/pip
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# setuptools' editable install maps netwright.backend and netwright.gui to backend/ and gui/
# with a finder that `site` loads at every start of Python, importing pathlib, importlib.util
# and fnmatch on the way: ~11 ms of every netwright command (`--help` takes ~40 ms in all).
# The same live checkout is reached through two symlinks in the venv, named by a plain path
# line in that .pth file instead, which costs `site` one directory lookup. Made again after
# every install (pip writes the finder's line back). tests/test_import_links.py holds it.
$(LINKED): $(STAMP)
	mkdir -p "$(LINKS)/netwright"
	ln -sfn "$(CURDIR)/backend" "$(LINKS)/netwright/backend"
	ln -sfn "$(CURDIR)/gui" "$(LINKS)/netwright/gui"
	echo "$(abspath $(LINKS))" >"$$($(PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/__editable__.netwright-$(VERSION).pth"
	touch $(LINKED)

deps:
	tests/tools/install-deps.sh

# mypy cannot follow setuptools' editable finder, so it reads the package through a symlink
# tree that mirrors the import names (build/ is ignored by git).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	mkdir -p build/typecheck/netwright
	ln -sfn $(CURDIR)/backend build/typecheck/netwright/backend
	ln -sfn $(CURDIR)/gui build/typecheck/netwright/gui
	$(VENV)/bin/mypy -p netwright.backend -p netwright.gui

# The host suite runs inside a network + mount namespace of its own (tests/tools/run-isolated):
# the machine's own interfaces and /run/netns are never touched. It has two parts, each in a
# process of its own: the networking tests, and the designer's tests (a Qt application lives as
# long as its process, and none of its objects may ever fire inside a networking test). Exit 5,
# "nothing collected", is success here: a PYTEST_ARGS selection may leave a part empty.
HOST_PYTEST := $(PY) -m pytest -m 'not kernel' --ignore=tests/bench
test-network: deps $(STAMP) bytecode $(DEB)
	NETWRIGHT_TEST_DEB=$(CURDIR)/$(DEB) tests/tools/run-isolated $(HOST_PYTEST) --ignore=tests/gui \
		$(PYTEST_ARGS) || [ $$? = 5 ]

test-designer: deps $(STAMP) bytecode
	tests/tools/run-isolated $(HOST_PYTEST) tests/gui $(PYTEST_ARGS) || [ $$? = 5 ]

test-host: deps $(STAMP) bytecode $(DEB)
	@status=0; \
	$(MAKE) --no-print-directory test-network || status=1; \
	$(MAKE) --no-print-directory test-designer || status=1; \
	exit $$status

# Tests that need ipvlan, dummy or 802.1q (marker `kernel`) run in ONE VM booting Debian's
# stock kernel under QEMU (tests/kernel/README.md), or directly on a kernel that has them.
test-kernel: deps $(STAMP) bytecode
	PYTHON=$(PY) tests/kernel/run-kernel-tier $(PYTEST_ARGS)

# The networking tests keep the CPUs less than half busy (they mostly wait for the kernel,
# daemons and subprocesses), so beside them run, one after the other, the stock-kernel tier's
# VM and then the designer's tests: the whole takes about the time of the networking tests.
# Those two parts' output is kept in build/test-kernel.log and build/test-designer.log and
# printed once the networking tests have ended. Every part always runs, and make fails if any
# failed.
BESIDE := kernel designer
test: deps $(STAMP) bytecode lint
	@mkdir -p build; \
	for part in $(BESIDE); do rm -f build/test-$$part.failed; done; \
	for part in $(BESIDE); do \
		$(MAKE) --no-print-directory test-$$part >build/test-$$part.log 2>&1 \
			|| touch build/test-$$part.failed; \
	done & beside=$$!; \
	status=0; \
	$(MAKE) --no-print-directory test-network || status=1; \
	wait $$beside; \
	for part in $(BESIDE); do \
		echo "=== the $$part tests (ran beside the networking tests): build/test-$$part.log"; \
		cat build/test-$$part.log; \
		[ ! -e build/test-$$part.failed ] || { echo "=== the $$part tests FAILED"; status=1; }; \
	done; \
	exit $$status

bench: deps $(STAMP)
	tests/tools/run-isolated $(PY) -m pytest tests/bench -s -p no:cacheprovider $(PYTEST_ARGS)

# The Debian package; see packaging/build-deb.sh. Rebuilt when a file it ships changes. The
# host suite installs, uses and purges it (tests/packaging/test_deb_install.py); it is built
# here, outside the tests' network namespace, because pip needs the package index.

deb: $(DEB)

$(DEB): $(DEB_SOURCES)
	packaging/build-deb.sh

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
