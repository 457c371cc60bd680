# Thin wrapper: every real rule lives in CMake. See README.md.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?=
LAUNCHER := $(if $(shell command -v ccache 2>/dev/null),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache,)

.PHONY: deps configure build test run bench fuzz container-test clean

deps:
	./scripts/install-deps

configure: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(LAUNCHER) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

run: build
	./scripts/run-local $(BUILD_DIR)

bench: build
	./bench/run-all $(BUILD_DIR)

fuzz: build
	./scripts/run-fuzzers $(BUILD_DIR)

container-test: deps
	./scripts/container-test

clean:
	rm -rf $(BUILD_DIR)
