#!/bin/sh
# Golden output: what a user sees for a fixed set of commands over corpus/
# (text, JSON and HTML search results, --show, --stats, the indexing
# summary) compared byte for byte with tests/golden/. A change to the code
# that changes any of it must change the golden files in the same commit,
# so that the change is seen and meant.
#
#   CIV_GOLDEN_UPDATE=1 ctest -R golden    rewrites tests/golden/ from the
#                                           current binaries
#
# Timings, sizes on disk and the time of the last update are replaced by
# placeholders; file times are fixed, so dates taken from them are stable.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

GOLDEN="$CIV_SOURCE_DIR/tests/golden"
GOT="$TMP/got"
mkdir -p "$GOT"
cp -R "$CORPUS" "$TMP/corpus"
find "$TMP/corpus" -type f -exec touch -d '2022-02-02 12:00:00 UTC' {} +
cd "$TMP"
IDX=idx

# norm: stable placeholders for what changes from run to run.
norm() {
  sed -E -e 's/\(([0-9]+\.[0-9]+) s\)/(T s)/g' \
         -e 's/ in [0-9]+\.[0-9]+ s into / in T s into /' \
         -e 's/"elapsed_ms":[0-9.eE+-]+/"elapsed_ms":T/' \
         -e 's/"disk_bytes":[0-9]+/"disk_bytes":N/' \
         -e 's/"updated":[0-9]+/"updated":N/' \
         -e 's/^(Size on disk: +).*/\1N/' \
         -e 's/^(Updated: +).*/\1N/' \
         -e 's/with [0-9]+ jobs?/with J jobs/' \
         -e 's/<span class="time">[^<]*<\/span>/<span class="time">T<\/span>/' \
         -e 's/^Content-Length: [0-9]+/Content-Length: N/'
}

# save NAME CMD...: runs CMD, keeps its normalised stdout and exit status.
save() {
  name=$1
  shift
  "$@" >"$TMP/.raw" 2>"$TMP/.rawerr"
  rc=$?
  { norm <"$TMP/.raw"; echo "[exit $rc]"; } >"$GOT/$name"
}

save index.txt "$CIVINDEX" -j 1 --index "$IDX" corpus
export CIVSEARCH_INDEX="$TMP/$IDX"

n=0
while IFS= read -r q; do
  [ -n "$q" ] || continue
  n=$((n + 1))
  k=$(printf '%02d' "$n")
  save "q$k.txt" "$CIVSEARCH" "$q"
  save "q$k.json" "$CIVSEARCH" --json --facets "$q"
done <<'QUERIES'
facial recognition
"geofence warrant"
title:geofence
author:Wrenfield
surveil* date:2018..2020
drones NOT police
drones OR subpoena
* type:letter
from:openledger.example
records request foia border
What records did the county keep about the drones it flew over peaceful protests last summer
Gesichtserkennung
reconnaissance faciale
qualifed immunity
nothingmatchesthisword
QUERIES

save sorted.txt "$CIVSEARCH" --sort -date --limit 20 '*'
save page2.json "$CIVSEARCH" --json --offset 3 --limit 3 police
save nosnippet.txt "$CIVSEARCH" --snippet 0 warrant
save stats.txt "$CIVSEARCH" --stats
save stats.json "$CIVSEARCH" --stats --json
for id in articles/geofence-warrant-ruling.md letters/2021-04-02-mayor-alvarez-facial-recognition.txt \
          letters/foia-correspondence.mbox#2 articles/body-cameras-footage-release.html \
          legal/carpenter-v-united-states-summary.html foia/2021-06-14-fbi-response-cell-site-simulator.html; do
  f=$(printf '%s' "$id" | tr '/#' '__')
  save "show-$f.txt" "$CIVSEARCH" --show "$id"
  save "show-$f.json" "$CIVSEARCH" --json --show "$id"
done
save thread.txt "$CIVSEARCH" --thread '<prr-drones-1@openledger.example>'

# The page, as a CGI answers it.
cgi() {
  GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING="$1" "$CIVSEARCH"
}
save page-front.html cgi ''
save page-search.html cgi 'q=facial+recognition'
save page-filter.html cgi 'q=police&f=type%3Aletter&sort=-date'
save page-doc.html cgi 'id=articles%2Fgeofence-warrant-ruling.md&q=geofence'
save page-doc-cited.html cgi 'id=legal%2Fcarpenter-v-united-states-summary.html'
save facets-legal.txt "$CIVSEARCH" --facets cite,agency,exemption,amendment,type -n 3 warrant
save sorted-cited.json "$CIVSEARCH" --json --sort cited -n 3 --snippet 0 '*'
save page-like.html cgi 'like=articles%2Fgeofence-warrant-ruling.md'
save page-json.json cgi 'q=drones&format=json'
save page-bad.html cgi 'q=%28%28'

if [ "${CIV_GOLDEN_UPDATE:-}" = 1 ]; then
  rm -rf "$GOLDEN"
  mkdir -p "$GOLDEN"
  cp "$GOT"/* "$GOLDEN"/
  ok "golden files written to $GOLDEN ($(ls "$GOLDEN" | wc -l) files)"
  exit 0
fi

[ -d "$GOLDEN" ] || fail "no golden files (run with CIV_GOLDEN_UPDATE=1 to make them)"
diffs=0
for f in "$GOLDEN"/*; do
  b=$(basename "$f")
  if [ ! -f "$GOT/$b" ]; then
    echo "golden: $b is no longer produced" >&2
    diffs=$((diffs + 1))
  elif ! cmp -s "$f" "$GOT/$b"; then
    echo "golden: $b differs:" >&2
    diff -u "$f" "$GOT/$b" | head -40 >&2
    diffs=$((diffs + 1))
  fi
done
for f in "$GOT"/*; do
  [ -f "$GOLDEN/$(basename "$f")" ] || { echo "golden: new output $(basename "$f") has no golden file" >&2; diffs=$((diffs + 1)); }
done
[ "$diffs" -eq 0 ] || { RC=1; OUT=""; ERR=""; fail "$diffs golden files differ"; }
ok "$(ls "$GOLDEN" | wc -l) golden outputs unchanged"
