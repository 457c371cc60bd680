# Thin wrapper: every real rule lives in CMake. See README.md.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: deps configure build test sanitize-test run bench fuzz container-test fresh-test clean

deps:
	./scripts/install-deps

# The build tree is configured once, after deps: ccache (a package deps
# installs) is looked up when the recipe runs, not when this file is read, so
# the first configure already uses it and no later `make` reconfigures. Ninja
# re-runs CMake by itself when a CMakeLists.txt changes; `make configure`
# forces it (for example with new CMAKE_FLAGS).
$(BUILD_DIR)/build.ninja: | deps
	@$(MAKE) --no-print-directory configure

configure: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  $$(command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

# The unit and end-to-end tests again, built with AddressSanitizer and
# UndefinedBehaviorSanitizer in a tree of their own; any report fails the
# test that caused it. Leak checking is off: gRPC and Abseil keep process-wide
# state that LeakSanitizer reports at exit.
SANITIZE_DIR ?= build-sanitize
sanitize-test: deps
	cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPOOLGATE_SANITIZE=ON \
	  $$(command -v ccache >/dev/null 2>&1 && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) $(CMAKE_FLAGS)
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && \
	  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800 -LE static

run: build
	./scripts/run-local $(BUILD_DIR)

bench: build
	./bench/run-all $(BUILD_DIR)

fuzz: build
	./scripts/run-fuzzers $(BUILD_DIR)

# Builds the image from deploy/Dockerfile and runs deploy/docker-compose.yml.
container-test: deps
	./scripts/container-test

# `make test` once, from nothing, in a clean Debian 12 container.
fresh-test: deps
	./scripts/fresh-test

clean:
	rm -rf $(BUILD_DIR)
