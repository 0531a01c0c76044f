# obsgen: `make build` compiles definitions/ into out/; `make test` checks everything on real servers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-12)
BENCH_STAMP := $(VENV)/.bench-$(shell cat pyproject.toml | md5sum | cut -c1-12)
DEBIAN_PACKAGES := prometheus prometheus-alertmanager prometheus-node-exporter postgresql chromium fonts-dejavu-core
STATE_DIR ?= .live
# pytest workers (tests/scheduling.py): the end-to-end tests mostly wait on compressed time, so more workers than
# cores overlap their waits with the rest. Measured alone on 2 cores, fresh clones of one commit: 3 workers 851 s
# (cores 70% busy), 4 workers 649 s (76%) with the same 2,470 test-seconds, so the tests did not slow each other.
# With 4, all four workers spend the run's first ~270 s on end-to-end files (1,091 of x137's 2,512 test-seconds),
# mostly waiting, and the CPU-bound rest (scenarios, diffs, builds) only starts after; 6 workers overlap them.
TEST_WORKERS ?= 6
# The checkout on sys.path through a .pth line (setuptools' compat editable mode): its default import hook for
# editable installs costs every Python process in the venv 10-20 ms at start, an obsgen --help's sixth.
INSTALL := $(BIN)/pip install --quiet --disable-pip-version-check --config-settings editable_mode=compat -e

# A pull request can commit bytecode (`git add -f` passes .gitignore). An unchecked-hash .pyc (PEP 552) in
# generator/__pycache__ runs instead of its reviewed source, and Python imports generator/ before any code of ours
# could look; so does a compiled extension module (entry.cpython-311-x86_64-linux-gnu.so beside entry.py: the
# importer tries it first). So make refuses a checkout that tracks bytecode, a .so or venv files, before anything
# runs (one git ls-files, ~5 ms), and the venv reads bytecode only from its own pycache, never from a __pycache__ in
# the tree:
# the .pth below sets sys.pycache_prefix at every start of the venv's Python (obsgen, python -m generator, pytest).
# `make clean` alone runs no Python and removes the venv: it is let through, so such a checkout can be cleaned.
ifneq ($(if $(MAKECMDGOALS),$(filter-out clean,$(MAKECMDGOALS)),default),)
TRACKED_BYTECODE := $(shell git ls-files -- '*.pyc' '*.pyo' '*.so' '*__pycache__/*' $(patsubst %,'%',$(filter-out /%,$(VENV))) 2>/dev/null | head -3)
ifneq ($(TRACKED_BYTECODE),)
$(error the checkout tracks bytecode or venv files, which Python would run instead of their reviewed source: \
  $(TRACKED_BYTECODE) (remove them from the commit: git rm -r --cached PATH))
endif
endif
PYCACHE_PTH := import os, sys; sys.pycache_prefix = sys.pycache_prefix or os.path.join(sys.prefix, "pycache")
# The prefix must hold the bytecode of all the venv imports, the standard library's too (no longer read from its
# own __pycache__): compiled into it here, once, ~8 s of CPU (compileall writes under PYTHONDONTWRITEBYTECODE, which
# CI sets and under which nothing else would: every start compiled them from source, a build's imports 1.2-1.5 s of
# CPU instead of 0.5). pip's install compiles what it installs into the prefix too.
WRITE_PYCACHE_PTH := $(BIN)/python -c 'import pathlib, sysconfig, sys; \
  pathlib.Path(sysconfig.get_path("purelib"), "obsgen-pycache-prefix.pth").write_text(sys.argv[1] + "\n")' \
  '$(PYCACHE_PTH)' && $(BIN)/python -c 'import compileall, re, sysconfig; [compileall.compile_dir(root, \
  quiet=1, workers=0, rx=re.compile(re.escape(root) + "/(.*/)?(tests?|idlelib|tkinter|turtledemo|lib2to3" + more)) \
  for root, more in ((sysconfig.get_path("stdlib"), "|[^/]*-packages)/"), (sysconfig.get_path("purelib"), ")/"))]' \
  >/dev/null

.PHONY: build test check lint bench clean debian-packages up down pycache-prefix

$(STAMP):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(WRITE_PYCACHE_PTH)
	$(INSTALL) '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

# A venv made before the .pth existed gets it so (or with the next change of pyproject.toml).
pycache-prefix:
	$(WRITE_PYCACHE_PTH)

build: $(STAMP)
	$(BIN)/obsgen build

debian-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# mypy takes each bench/ script and package under the name it is imported by: bench.* from the checkout, but
# BENCH_TOP_LEVEL's, kube_prometheus and nab as top-level modules (pyproject's mypy_path: scripts run from bench/
# import them so). A script imported both ways fails lint with "Source file found twice": import it one way.
BENCH_TOP_LEVEL := jsonnet_peer forecast_nab
BENCH_MODULES := $(patsubst bench/%.py,-m bench.%,$(filter-out $(BENCH_TOP_LEVEL:%=bench/%.py),$(wildcard bench/*.py))) \
  $(BENCH_TOP_LEVEL:%=-m %) -p kube_prometheus -p nab -p bench.dashvol

LINT := $(BIN)/ruff check generator definitions tests $(wildcard bench) && $(BIN)/mypy generator tests \
  $(if $(wildcard bench),&& $(BIN)/mypy $(BENCH_MODULES))

lint: $(STAMP)
	$(LINT)

# lint runs beside the tests: its CPU (mypy on a fresh clone has no cache, 30 s and more) fills what the end-to-end
# tests, waiting on compressed time, leave idle. A lint that passes says so in one line amid pytest's progress, so
# pytest's summary stays the log's last line; one that fails prints its output after the tests', and fails the target.
# (Not `$(MAKE) lint`: make -n runs a line that names $(MAKE), and would have run the tests.)
test: $(STAMP) debian-packages
	@fresh=$$(mktemp -d) && $(BIN)/obsgen build --quiet --out $$fresh/out >/dev/null && \
	  if diff -r -q out $$fresh/out; then rm -rf $$fresh; else \
	  echo "out/ is stale: run make build and commit out/"; rm -rf $$fresh; exit 1; fi
	@linted=$$(mktemp); ( (set -x; $(LINT)) >$$linted 2>&1 && echo "make lint passed: $$(tail -n 1 $$linted)" ) & lint=$$!; \
	  echo "$(BIN)/pytest -n $(TEST_WORKERS) --no-loadscope-reorder (make lint beside it)"; \
	  $(BIN)/pytest -n $(TEST_WORKERS) --no-loadscope-reorder; tests=$$?; \
	  wait $$lint; lint=$$?; \
	  if [ $$lint -ne 0 ]; then cat $$linted; echo "make lint failed (above)"; fi; rm -f $$linted; \
	  [ $$tests -eq 0 ] && [ $$lint -eq 0 ]

check: $(STAMP)
	$(BIN)/obsgen check out

$(BENCH_STAMP): $(STAMP)
	$(INSTALL) '.[test,bench]'
	rm -f $(VENV)/.bench-* && touch $@

bench: $(BENCH_STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

up: $(STAMP) debian-packages
	$(BIN)/obsgen up --state-dir $(STATE_DIR)

down: $(STAMP)
	$(BIN)/obsgen down --state-dir $(STATE_DIR)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
