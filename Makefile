SHELL := /bin/bash
# seqcast — two commands for a newcomer: `make demo` and `make test`. Each installs what is missing.
SWIFT       ?= swift
# Code generation for the CPU this builds on; `make build CPU=` gives a portable x86-64 build.
CPU         ?= $(shell echo 'print(0)' > /tmp/.seqcast-cpu.swift && swiftc -target-cpu native -parse /tmp/.seqcast-cpu.swift >/dev/null 2>&1 && echo native)
CPU_FLAGS   := $(if $(CPU),-Xswiftc -target-cpu -Xswiftc $(CPU),)
RELEASE     := -c release $(CPU_FLAGS)
BIN         := .build/release/seqcast

.PHONY: setup build test demo bench clean

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build $(RELEASE)

test: setup
	$(SWIFT) build $(RELEASE)
	$(SWIFT) test $(RELEASE) 2>&1 | tee .build/test.log; exit $${PIPESTATUS[0]}

demo: build
	@scripts/demo.sh $(BIN)

bench: build
	$(BIN) bench

clean:
	rm -rf .build runs
