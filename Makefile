.PHONY: run test bench build lint faults

# Serve the app in development mode with a local Redis (see README).
run:
	@scripts/run.sh

# Run the whole suite against a throwaway Redis (and browser), then clean up.
test:
	@scripts/test.sh

# Benchmarks whose figures are recorded in docs/.
bench:
	@BENCH=1 scripts/test.sh

build:
	go build -o bin/server ./server

# Fault checks against the built binary (docs/faults.md): crash during
# promotions, SMTP outage, Redis outage. Takes minutes; not part of make test.
# SCENARIO=1,3 picks scenarios; FAULTS_FLAGS passes more, e.g. -smtp-outage=2m.
SCENARIO ?= 1,2,3
faults:
	@scripts/ensure-pkg.sh redis-server redis-server
	go test -tags faults -count=1 -v -timeout 3h -run TestFaults ./internal/faultcheck/ -args -scenario=$(SCENARIO) $(FAULTS_FLAGS)

# gofmt, go vet and the short linter list of .golangci.yml (pinned; the
# first run builds golangci-lint into bin/, which takes a few minutes).
GOLANGCI_LINT_VERSION := v2.15.0
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	go vet ./...
	@test -x bin/golangci-lint || GOBIN=$(CURDIR)/bin go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
	bin/golangci-lint run ./...
