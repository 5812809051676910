.PHONY: run test bench build

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
