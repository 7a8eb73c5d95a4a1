#!/usr/bin/env bash
# `make bench`: builds the benchmark in release and runs it; the report goes to stdout and to
# .build/bench-report.md. Copy the figures into BENCHMARKS.md with the date and machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test   # the benchmark needs the test tools too (aiosmtpd)
swift build -c release
bin=$(swift build -c release --show-bin-path)
"$bin/switchboard-bench" | tee .build/bench-report.md
