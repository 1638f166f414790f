#!/bin/sh
# A field end to end through the schema (docs/fields.md): "words", the
# number of words of a document's text, filled by one enricher, is a
# range filter (words:N..M), shown by --show, in JSON and on the page.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

D="$TMP/docs"
mkdir -p "$D"
printf 'Short note\n\nThree more words.\n' >"$D/short.txt"
{
  printf 'A longer report\n\n'
  i=0
  while [ $i -lt 120 ]; do printf 'surveillance records were requested again '; i=$((i + 1)); done
  printf '\n'
} >"$D/long.txt"
printf '<html><head><title>Page</title></head><body><p>Hyphenated well-known words don'"'"'t split \342\200\224 dashes do not count.</p></body></html>' >"$D/page.html"
run "$CIVINDEX" -i "$TMP/idx" "$D"
assert_rc 0
export CIVSEARCH_INDEX="$TMP/idx"

# Counted: "Short note" (title) is part of the text; hyphens and apostrophes
# join, dashes do not count.
run "$CIVSEARCH" --json --show short.txt
assert_eq "$(jqout '.words')" "5" "words of short.txt"
run "$CIVSEARCH" --json --show page.html
assert_eq "$(jqout '.words')" "9" "words of page.html"
run "$CIVSEARCH" --show long.txt
assert_out_has "Words:       603"
ok "counted and shown"

ids() { run "$CIVSEARCH" --json -n 100 "$@"; jqout '[.results[].id] | sort | join(",")'; }
assert_eq "$(ids '* words:1..10')" "page.html,short.txt" "range"
assert_eq "$(ids '* words:600..')" "long.txt" "open range"
assert_eq "$(ids '* words:..5')" "short.txt" "upper bound"
assert_eq "$(ids 'surveillance words:600..700')" "long.txt" "with words"
assert_eq "$(ids '* words:5')" "short.txt" "exact"
run "$CIVSEARCH" --json -n 1 surveillance
assert_eq "$(jqout '.results[0].words')" "603" "JSON hit"
for q in 'words:abc' '* words:9..1' '* words:-3..'; do
  run "$CIVSEARCH" "$q"
  assert_rc 2 "for $q"
  assert_err_has "bad query:"
done
ok "range filter"

# The page's document view shows it by its label.
OUT=$(GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING='id=long.txt' "$CIVSEARCH")
assert_out_has '<dt>Words</dt><dd dir="auto">603</dd>'
ok "page"
