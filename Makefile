# The two commands first; everything else is a convenience.
.PHONY: run test compose-test bench fuzz build clean

run:            ## start the whole suite (local PostgreSQL included); Ctrl-C stops it
	@bash scripts/run.sh

test:           ## install what is missing, start a throwaway PostgreSQL, build and run every test
	@bash scripts/test.sh

compose-test:   ## the Dockerfile and docker-compose.yml on a Docker engine of its own (root)
	@bash scripts/compose-test.sh

bench:          ## release-build the benchmark and record medians against baselines
	@bash scripts/bench.sh

fuzz:           ## the libFuzzer targets (line decoder, RPC envelope, MIME, Customizations), 5 minutes each
	@bash scripts/fuzz.sh

build:
	swift build

clean:
	rm -rf .build .data
