#!/usr/bin/env bash
# The fuzz targets of Tests/Fuzz (libFuzzer, through `swiftc -sanitize=fuzzer`), built in a
# folder of their own, each run for FUZZ_SECONDS (`make fuzz`: 300 each; `make test`: 20) from
# its seed corpus in Tests/Fuzz/corpus, which every run replays first. A crash stops with its
# input saved in .build/fuzz/crashes; fixed, that input goes into the seed corpus for good.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-300}
export SWITCHBOARD_FUZZ=1
swift build --build-path .build/fuzz --product switchboard-fuzz
bin=$(swift build --build-path .build/fuzz --show-bin-path)
mkdir -p .build/fuzz/crashes
for target in lines envelope mime customizations; do
  work=".build/fuzz/corpus/$target"
  log=".build/fuzz/$target.log"
  mkdir -p "$work"
  echo "fuzz: $target for ${seconds}s"
  status=0
  SWIFT_BACKTRACE=enable=no FUZZ_TARGET=$target "$bin/switchboard-fuzz" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix=".build/fuzz/crashes/$target-" "$work" "Tests/Fuzz/corpus/$target" >"$log" 2>&1 \
    || status=$?
  grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units)" "$log" || true
  if ((status != 0)); then
    tail -40 "$log" >&2
    echo "fuzz: $target found a failing input: $(ls -t .build/fuzz/crashes/$target-* 2>/dev/null | head -1)" >&2
    exit 1
  fi
done
echo "fuzz: no failures"
