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
# Prints an argument as a user would type it.
quote() {
  case "$1" in
    *[\ \*\"\']*) printf "'%s'" "$1" ;;
    *) printf '%s' "$1" ;;
  esac
}
show() {
  echo
  line="\$ civsearch"
  for a in "$@"; do line="$line $(quote "$a")"; done
  bold "$line"
  "$bin/civsearch" --index "$index" "$@" || true
}

bold "== Indexing corpus/ (articles, press releases, letters, mail, legal texts, PDF, office files, a zip)"
bold "\$ civindex --full --ocr --index $index corpus/"
# --ocr reads the scanned page of corpus/documents/ (about 10 s); its text
# is cached in the index, so a re-run does not read it again. Exit 1 only
# means some files were reported; the demo goes on.
"$bin/civindex" --full --ocr --index "$index" "$top/corpus" || [ $? -eq 1 ]

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
show 'location records format:pdf' --limit 2
show 'flight log' 'pages:1' --limit 2
show 'cell-site simulator' --limit 3
echo
bold "\$ civsearch --show legal/bill-of-rights.txt | head -20"
"$bin/civsearch" --index "$index" --show legal/bill-of-rights.txt | head -20

echo
bold "== Try your own:"
echo "  $bin/civsearch --index $index 'your query'"
echo "  man -l $top/man/civsearch.1"
