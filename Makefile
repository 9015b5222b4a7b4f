# The two commands of the README, and the developer's others.
#   make        build build/serialtrack
#   make run    install what is missing, build, start the server on a demo store
#   make tour   a guided tour of the command line
#   make test   install what is missing, build, run every test (ctest summary last) with a
#               throwaway PostgreSQL server for the PostgreSQL suites (scripts/pg-test-server.sh;
#               ST_TEST_PG_URL=postgres://... uses an existing server instead)
#   make bench  run the benchmarks (figures against same-run baselines)
#   make asan   the whole suite under ASan+UBSan
#   make fuzz   every fuzz target for FUZZ_SECONDS each
#   make format apply clang-format

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
ST_CC      ?= $(shell command -v clang >/dev/null 2>&1 && echo clang || echo cc)
CMAKE_ARGS ?=

.PHONY: all deps build run tour test bench asan fuzz format clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_C_COMPILER=$(ST_CC) $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@bash scripts/run.sh $(BUILD)/serialtrack

tour: build
	@bash scripts/tour.sh $(BUILD)/serialtrack

test: build
	@bash scripts/install-test-tools.sh || echo "warning: npm test tools unavailable; the JSON Schema checks will skip"
	@bash scripts/pg-test-server.sh with -- sh -c 'cd $(BUILD) && ctest --output-on-failure -j $(JOBS)'

bench: build
	@bash scripts/bench.sh $(BUILD)

asan: deps
	@bash scripts/install-test-tools.sh || true
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_C_COMPILER=$(ST_CC) -DST_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	@bash scripts/pg-test-server.sh with -- sh -c 'cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)'

fuzz: build
	@for f in $(BUILD)/fuzz/fuzz_*; do \
	  case $$f in *_replay) continue;; esac; \
	  n=$$(basename $$f); n=$${n#fuzz_}; \
	  bash scripts/fuzz-run.sh $$f $$n $(FUZZ_SECONDS) || exit 1; \
	done

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
