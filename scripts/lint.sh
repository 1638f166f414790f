#!/bin/sh
# Static analysis over lib/ indexer/ searcher/: cppcheck, then clang-tidy
# (.clang-tidy) with the compile commands of a build folder.
#   scripts/lint.sh [BUILD]     (default: build; configured here if needed)
# Exit 0 when both are clean. Findings that are not bugs are suppressed
# inline with a reason (// cppcheck-suppress ID, // NOLINT(check)).
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
JOBS=$(nproc 2>/dev/null || echo 2)
[ -f "$BUILD/compile_commands.json" ] ||
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
start=$(date +%s)

echo "cppcheck: lib/ indexer/ searcher/"
cppcheck --quiet --enable=warning,portability,performance --error-exitcode=1 --inline-suppr \
  --std=c11 --language=c -j "$JOBS" \
  -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DCIV_VERSION=\"0\" \
  -I include -I indexer -I searcher -I lib \
  --suppress=missingIncludeSystem \
  lib/*.c lib/entities/*.c indexer/*.c searcher/*.c
cppcheck --quiet --enable=warning,portability,performance --error-exitcode=1 --inline-suppr \
  --std=c++17 --language=c++ -j "$JOBS" -I include -I lib/xapian \
  --suppress=missingIncludeSystem \
  lib/xapian/*.cc

echo "clang-tidy: lib/ indexer/ searcher/"
files=$(ls lib/*.c lib/entities/*.c lib/xapian/*.cc indexer/*.c searcher/*.c)
# One process a file, JOBS at a time.
printf '%s\n' $files | xargs -P "$JOBS" -n 4 clang-tidy -p "$BUILD" --quiet 2>/dev/null >"$BUILD/clang-tidy.log" || true
if grep -q 'error:\|warning:' "$BUILD/clang-tidy.log"; then
  grep -A3 'error:\|warning:' "$BUILD/clang-tidy.log"
  echo "clang-tidy: findings above" >&2
  exit 1
fi
echo "lint: clean in $(( $(date +%s) - start )) s"
