#!/bin/sh
# make demo: index corpus/ with the freshly built civindex, then show what
# civsearch does with it. Usage: scripts/demo.sh [BUILD_DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case "$build" in /*) ;; *) build="$top/$build" ;; esac
bin="$build"
index="$build/demo-index"

bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }
show() {
  echo
  bold "\$ civsearch $*"
  "$bin/civsearch" --index "$index" "$@" || true
}

bold "== Indexing corpus/ (articles, press releases, letters, mail, legal texts)"
bold "\$ civindex --full --index $index corpus/"
# Exit 1 only means some files were reported; the demo goes on.
"$bin/civindex" --full --index "$index" "$top/corpus" || [ $? -eq 1 ]

echo
bold "== What is in the index"
"$bin/civsearch" --index "$index" --stats

echo
bold "== Sample searches"
show facial recognition --limit 3
show '"geofence warrant"' 'date:2019..2020'
show 'author:wrenfield'
show 'surveil* lang:fr' --limit 2
show --sort -date '* type:letter' --limit 5 --snippet 0
show 'drones NOT protest' --limit 3
show --json --limit 1 '"unreasonable searches and seizures"'
echo
bold "\$ civsearch --show legal/bill-of-rights.txt | head -20"
"$bin/civsearch" --index "$index" --show legal/bill-of-rights.txt | head -20

echo
bold "== Try your own:"
echo "  $bin/civsearch --index $index 'your query'"
echo "  man -l $top/man/civsearch.1"
