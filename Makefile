# runbook — build, test, run. `make run` and `make test` work on a fresh Debian machine with
# Swift installed: missing system packages are installed first (as root, through apt-get).

SWIFT      ?= swift
BUILD_FLAGS ?= -j 2
RELEASE    := $(SWIFT) build -c release --static-swift-stdlib $(BUILD_FLAGS)
BIN_DEBUG  := .build/debug/runbook
BIN        := .build/release/runbook

# Debian packages the build, the tests and the lab need.
APT_PACKAGES := libedit-dev zlib1g-dev pkg-config openssh-server openssh-client iproute2 iptables procps graphviz tmux hyperfine pssh pdsh

.PHONY: all deps build release run test runbook-tests snapshot-tests lab-tests bench fuzz fuzz-smoke clean

all: build

deps:
	@scripts/install-deps.sh $(APT_PACKAGES)

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

release: deps
	$(RELEASE)

# The embedded default: node-health on this machine. A problem found (exit 1) or a check that
# could not tell (4) is the report doing its job, not a failure of `make`; usage errors (2)
# and aborts (3) still fail.
run: release
	@$(BIN) run runbooks/node-health.runbook --no-journal; code=$$?; [ $$code -le 1 ] || [ $$code -eq 4 ] || exit $$code

test: deps
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	$(SWIFT) test $(BUILD_FLAGS) --skip-build
	$(MAKE) --no-print-directory runbook-tests snapshot-tests lab-tests fuzz-smoke

# The shipped runbooks: they check, are formatted, and every scenario reaches its diagnosis
# (the cluster-backed ones against runbooks/clusters); docs/COVERAGE.md must match the run
# (refresh it with: $(BIN_DEBUG) test --coverage docs/COVERAGE.md runbooks/).
runbook-tests:
	$(BIN_DEBUG) check --quiet runbooks/*.runbook runbooks/lib/*.runbook
	$(BIN_DEBUG) fmt --check runbooks/*.runbook runbooks/lib/*.runbook
	$(BIN_DEBUG) test --jobs 2 --coverage-check docs/COVERAGE.md runbooks/

# Every fixture cluster snapshotted through the real kubectl and replayed: each runbook's
# scenarios give the same report against the replay as against the live fixture.
snapshot-tests:
	Tests/snapshot/replay-matches-live.sh $(BIN_DEBUG)

# Real ssh hosts in network namespaces: needs root; says why and passes over it otherwise.
lab-tests:
	@Tests/lab/node-health-lab.sh $(BIN_DEBUG); code=$$?; \
	  if [ $$code -eq 77 ]; then echo "lab tests skipped (not root)"; exit 0; else exit $$code; fi
	@Tests/lab/kube-transport-lab.sh $(BIN_DEBUG); code=$$?; \
	  if [ $$code -eq 77 ]; then echo "kube transport lab skipped (not root)"; exit 0; else exit $$code; fi

# Speed against baselines measured in the same run; figures go to docs/PERFORMANCE.md.
bench: release
	BIN=$(CURDIR)/$(BIN) bench/run.sh

# Fuzz the lexer, parser and checker (libFuzzer); FUZZ_SECONDS=600 make fuzz for longer.
FUZZ_SECONDS ?= 300
fuzz:
	fuzz/run.sh $(FUZZ_SECONDS)

# A short fuzz run for the test suite: the regression inputs, then a minute of new ones.
fuzz-smoke:
	fuzz/run.sh 60

clean:
	rm -rf .build
