SHELL := /bin/bash
# seqcast — two commands for a newcomer: `make demo` and `make test`. Each installs what is missing.
SWIFT       ?= swift
# Code generation for the CPU this builds on; `make build CPU=` gives a portable x86-64 build.
CPU         ?= $(shell echo 'print(0)' > /tmp/.seqcast-cpu.swift && swiftc -target-cpu native -parse /tmp/.seqcast-cpu.swift >/dev/null 2>&1 && echo native)
# The packed GEMM kernel picks its tile (8×32 AVX-512, 3×32 AVX2) at run time (PackedGEMM.swift).
CPU_FLAGS   := $(if $(CPU),-Xswiftc -target-cpu -Xswiftc $(CPU),)
RELEASE     := -c release $(CPU_FLAGS)
BIN         := .build/release/seqcast
# Seconds each fuzz target runs (`make fuzz`; two targets: CSV and HDF5).
FUZZ_SECONDS ?= 60
# Flags for scripts/accuracy.py, e.g. ACCURACY_ARGS="--group yearly --no-write" or "--label gru -- --cell gru".
ACCURACY_ARGS ?=

# Flags for scripts/bench-peers.sh, e.g. PEERS_ARGS="--rounds 1 --configs 'S1-lstm M1-gru' --no-keras".
PEERS_ARGS ?=

.PHONY: setup build test demo bench bench-peers bench-peers-setup accuracy longlag fuzz clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build $(RELEASE)

test: setup
	python3 scripts/folder-deps.py >/dev/null || { python3 scripts/folder-deps.py | tail -1; echo "the library's folders must form a DAG (README, Architecture)"; exit 1; }
	$(SWIFT) build $(RELEASE)
	@set -o pipefail; $(SWIFT) test $(RELEASE) --disable-swift-testing 2>&1 | tee .build/test.log; status=$$?; \
	  summary=$$(grep -E "Executed [0-9]+ tests?, with" .build/test.log | tail -1); \
	  total=$$(echo "$$summary" | grep -oE 'Executed [0-9]+' | grep -oE '[0-9]+'); \
	  failed=$$(echo "$$summary" | grep -oE '[0-9]+ failures?' | grep -oE '^[0-9]+'); \
	  skipped=$$(echo "$$summary" | grep -oE '[0-9]+ tests? skipped' | grep -oE '^[0-9]+' || echo 0); \
	  [ -n "$$total" ] && echo "tests: $$((total - failed - skipped)) passed, $$failed failed, $$skipped skipped"; \
	  [ -n "$$total" ] && [ "$$total" -gt 0 ] || { echo "no tests ran"; exit 1; }; \
	  exit $$status

demo: build
	@scripts/demo.sh $(BIN)

bench: build
	$(BIN) bench

# Same-run comparison with PyTorch and Keras (BENCHMARKS.md): seqcast and the peers interleaved config by
# config, 2 and 1 threads, 2 rounds; JSON lines to Benchmarks/peers-DATE.jsonl and a ratio table.
# Needs the peers' venv (outside the repo, $HOME/.cache/seqcast/peers-venv or PEERS_VENV): make bench-peers-setup.
bench-peers: build
	SEQCAST_BIN=$(BIN) scripts/bench-peers.sh $(PEERS_ARGS)

# Installs PyTorch and TensorFlow/Keras from PyPI into that venv (several GB, a few minutes).
bench-peers-setup:
	scripts/bench-peers.sh --install-only

# Forecast accuracy on Benchmarks/accuracy (36 series, one at a time; about 9 minutes, 7 of them elecdemand).
accuracy: build
	BIN=$(BIN) python3 scripts/accuracy.py $(ACCURACY_ARGS)

# The slow long-lag memory test (chrono vs constant forget-gate bias); a few minutes.
longlag: setup
	SEQCAST_SLOW=1 $(SWIFT) test $(RELEASE) --disable-swift-testing --filter LongLagTests

# libFuzzer targets for the CSV and HDF5 readers (Tests/Fuzz), built with -sanitize=fuzzer,address in
# .build/fuzz (not part of build or test); FUZZ_SECONDS per target; prints executions and crashes.
fuzz: setup
	@FUZZ_SECONDS=$(FUZZ_SECONDS) CPU_FLAGS="$(CPU_FLAGS)" scripts/fuzz.sh

clean:
	rm -rf .build runs
