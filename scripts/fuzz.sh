#!/bin/sh
# scripts/fuzz.sh [-s SECONDS] [TARGET...]: runs each fuzz target (all of
# fuzz/fuzz_*.c when none is named) for SECONDS (default 60) with
# libFuzzer, starting from its seeds (fuzz/seeds.sh) and the corpus grown
# by earlier runs (build-fuzz/fuzz-corpus/TARGET), and prints a table:
# executions, speed, coverage (edges), corpus size, crashes. An input that
# takes over 1 s is a failure, as is a crash or a leak; each is saved under
# build-fuzz/fuzz-crashes/TARGET/ — copy it to tests/fuzz/crashes/TARGET/
# once fixed, and ctest replays it for ever. Exit 1 when anything failed.
#   make fuzz FUZZ_SECONDS=600     every target, ten minutes each
#   make fuzz-smoke                every target, 10 s over its seeds (CI)
set -eu
cd "$(dirname "$0")/.."
secs=60
fresh=0
while [ $# -gt 0 ]; do
  case "$1" in
    -s) secs=$2; shift 2 ;;
    --smoke) secs=10; fresh=1; shift ;;
    *) break ;;
  esac
done
B=${FUZZ_BUILD:-build-fuzz}
if [ ! -f "$B/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCIV_FUZZ=ON >/dev/null
fi
cmake --build "$B" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
targets=${*:-$(ls fuzz/fuzz_*.c | sed 's|fuzz/fuzz_||; s|\.c$||')}
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
failed=0
printf '%-10s %6s %10s %8s %7s %7s %8s\n' target seconds executions exec/s edges corpus crashes
for t in $targets; do
  seeds="$B/fuzz-seeds/$t" corpus="$B/fuzz-corpus/$t" crashes="$B/fuzz-crashes/$t"
  rm -rf "$seeds"
  mkdir -p "$seeds" "$corpus" "$crashes"
  [ "$fresh" -eq 1 ] && rm -rf "$corpus" && mkdir -p "$corpus"
  n=0
  for p in $(sh fuzz/seeds.sh "$t"); do
    if [ -d "$p" ]; then
      for f in "$p"/*; do [ -f "$f" ] && n=$((n + 1)) && cp "$f" "$seeds/$n"; done
    else
      n=$((n + 1)); cp "$p" "$seeds/$n"
    fi
  done
  dict=""
  [ -f "fuzz/dict/$t.dict" ] && dict="-dict=fuzz/dict/$t.dict"
  log="$B/fuzz-$t.log"
  before=$(ls "$crashes" | wc -l)
  rc=0
  # One second an input; poppler (the pdf target) gets 10: a page of
  # garbage can cost it that much, which the sandbox bounds in civindex.
  tmo=1
  [ "$t" = pdf ] && tmo=10
  t0=$(date +%s)
  "$B/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=$tmo -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$crashes/" $dict "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  took=$(( $(date +%s) - t0 ))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  found=$(( $(ls "$crashes" | wc -l) - before ))
  printf '%-10s %6s %10s %8s %7s %7s %8s\n' "$t" "$took" "${execs:-?}" "${speed:-?}" "${edges:-?}" \
    "$(ls "$corpus" | wc -l)" "$found"
  if [ "$rc" -ne 0 ] || [ "$found" -gt 0 ]; then
    failed=1
    echo "  $t failed (status $rc): see $log and $crashes/" >&2
  fi
done
exit $failed
