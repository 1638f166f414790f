#!/bin/sh
# Searches over the sample collection corpus/ with known answers
# (docs/corpus.md lists them and why each holds).
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

IDX="$TMP/idx"
run "$CIVINDEX" --index "$IDX" "$CORPUS"
[ "$RC" -le 1 ] || fail "civindex failed"
assert_clean_stderr
export CIVSEARCH_INDEX="$IDX"

# ids QUERY...: the result ids, sorted, comma-separated.
ids() { run "$CIVSEARCH" --json --limit 100 "$@"; jqout '[.results[].id] | sort | join(",")'; }
# top N QUERY...: the first N ids, sorted.
top() { n=$1; shift; run "$CIVSEARCH" --json --limit "$n" "$@"; jqout '[.results[].id] | sort | join(",")'; }

assert_eq "$(ids Ostrander)" "articles/facial-recognition-port-calder.txt" "1 plain word"
assert_eq "$(ids 'Ibáñez')" "articles/border-device-searches.txt" "2 Latin-1"
assert_eq "$(ids Quist)" "articles/geofence-warrants-explained.txt" "3 Windows-1252"
run "$CIVSEARCH" --json Quist
assert_eq "$(jqout '.results[0].title')" "What Is a Geofence Warrant — and Why Are Judges Worried?" "3 title"
assert_eq "$(ids '"patron borrowing records"')" "articles/library-records-request.txt.gz" "4 phrase in gzip"
run "$CIVSEARCH" trackingPixelZebra; assert_rc 1 "5 script text must not be indexed"
run "$CIVSEARCH" quokka; assert_rc 1 "5 style text must not be indexed"
assert_eq "$(top 3 '"facial recognition"')" \
  "articles/facial-recognition-port-calder.txt,letters/2021-04-02-mayor-alvarez-facial-recognition.txt,press/2021-03-15-facial-recognition-moratorium.txt" "6 ranking"
assert_eq "$(top 1 '"cell-site simulator"')" "articles/cell-site-simulator-secrecy.txt" "7 ranking"
assert_eq "$(ids '"unreasonable searches and seizures"')" "legal/bill-of-rights.txt" "8 Fourth Amendment"
assert_eq "$(ids 'author:Wrenfield')" "articles/drones-over-protest.txt,articles/protest-permit-denied.html.gz" "9 author"
assert_eq "$(ids 'title:geofence')" \
  "articles/geofence-warrant-ruling.md,articles/geofence-warrants-explained.txt,documents/order-geofence-suppression.pdf,press/2019-09-10-geofence-records-lawsuit.html" "10 title"
assert_eq "$(ids 'lang:de')" "articles/gesichtserkennung-bahnhof.html" "11 lang"
assert_eq "$(ids '* date:2015..2015')" "articles/due-process-no-fly.txt,articles/journalist-subpoena.xml" "14 dates"
assert_eq "$(ids 'geofence date:2019..2020')" \
  "articles/geofence-warrants-explained.txt,legal/carpenter-v-united-states-summary.html,letters/2019-10-21-judiciary-committee-geofence.html,press/2019-09-10-geofence-records-lawsuit.html" "15 words and dates"
ok "known answers"

# Titles come from metadata, and from the text past press-release boilerplate.
run "$CIVSEARCH" --json --show press/2021-03-15-facial-recognition-moratorium.txt
assert_eq "$(jqout '.title')" "Bellwether Privacy Institute Calls for Immediate Moratorium on Police Facial Recognition in Port Calder"
run "$CIVSEARCH" --json --show articles/cell-site-simulator-secrecy.txt
assert_eq "$(jqout '.date_source')" "mtime" "undated article"
run "$CIVSEARCH" --json --show legal/bill-of-rights.txt
assert_eq "$(jqout '.date')" "1789-09-25"
ok "titles and dates"

# Everything that comes out is valid JSON, whatever the query.
for q in '*' 'the' 'police OR drones' 'surveil*' 'title:"geofence warrant"' 'NOT police'; do
  run "$CIVSEARCH" --json --limit 100 --facets "$q"
  [ "$RC" -le 1 ] || fail "query $q failed"
  jqout '.total' >/dev/null
done
ok "JSON always valid"

# Facets are counted from one packed slot a document (CIV_SLOT_FACETS,
# 29); an index written before the pack is counted slot by slot, with the
# same counts. Its facets are also checked against terms.
facets() { "$CIVSEARCH" --json --limit 0 --facets "$@" | jq -c '.facets'; }
cp -r "$IDX" "$TMP/nopack"
packed_court=$(facets court)
packed_all=$(facets '*')
packed_some=$(facets '*' --facets=year,agency)
letters=$(printf '%s\n' "$packed_all" | jq -r '.type[] | select(.value == "letter") | .count')
assert_eq "$letters" "$("$CIVSEARCH" --json --limit 0 'type:letter' | jq -r .total)" "letters in the type facet"
n=$("$CIV_BUILD_DIR/tests/civ_drop_slot" "$TMP/nopack" 29) || fail "civ_drop_slot"
[ "$n" -gt 40 ] || fail "only $n documents held the facets' pack"
export CIVSEARCH_INDEX="$TMP/nopack"
assert_eq "$(facets court)" "$packed_court" "facets of court, without the pack"
assert_eq "$(facets '*')" "$packed_all" "facets of everything, without the pack"
assert_eq "$(facets '*' --facets=year,agency)" "$packed_some" "two facets, without the pack"
export CIVSEARCH_INDEX="$IDX"
ok "facets from the pack and slot by slot agree"
