#!/bin/sh
# fuzz/seeds.sh TARGET: prints the seed inputs of a fuzz target, one path
# (a file or a folder) a line: the sample documents of corpus/ and the test
# fixtures of its format, its own seeds (tests/fuzz/seeds/TARGET) and every
# crash found so far (tests/fuzz/crashes/TARGET), which must never crash
# again.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
t=$1
files() { find "$src/corpus" "$src/tests/fixtures" -type f \( "$@" \) 2>/dev/null | sort; }
case "$t" in
  text) files -name '*.txt' ;;
  markdown) files -name '*.md' ;;
  html) files -name '*.html' ;;
  xml) files -name '*.xml' ;;
  mail) files -name '*.eml' ;;
  mbox) files -name '*.mbox' ;;
  gzip) files -name '*.gz' ;;
  sniff|charset|entities) files -name '*.txt' -o -name '*.html' -o -name '*.eml' ;;
esac
for d in "$src/tests/fuzz/seeds/$t" "$src/tests/fuzz/crashes/$t"; do
  [ -d "$d" ] && echo "$d"
done
exit 0
