#!/bin/sh
# Every dynamic symbol libciv.so defines must be a civ_* function.
set -eu
lib="$1"
bad=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^civ_' | grep -v '^$' || true)
if [ -n "$bad" ]; then
  echo "symbols outside civ_* exported by $lib:"
  echo "$bad"
  exit 1
fi
count=$(nm -D --defined-only "$lib" | grep -c ' civ_')
[ "$count" -gt 20 ] || { echo "only $count civ_ symbols exported: build problem?"; exit 1; }
echo "ok: $count civ_* symbols, nothing else"
