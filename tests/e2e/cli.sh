#!/bin/sh
# The command-line contract of civindex and civsearch: help, version,
# exit codes, defaults, the query language, JSON, --show, --stats.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

D="$TMP/docs"
mkdir -p "$D/press" "$D/letters"
cat > "$D/press/drones.txt" <<'T'
Drones over protests draw objections

By Maria Ortiz

SPRINGFIELD, May 3, 2019 — The police department flew surveillance drones over
peaceful protests downtown, and civil-liberties lawyers objected.
T
cat > "$D/press/phones.html" <<'T'
<html lang="en"><head><title>Warrantless phone searches at the border</title>
<meta name="author" content="John Roe"><meta name="date" content="2018-06-12"></head>
<body><h1>Border searches</h1><p>The court held that warrantless searches of phones
violate the Fourth Amendment. Drones were not at issue.</p></body></html>
T
cat > "$D/letters/moratorium.md" <<'T'
---
title: Open letter on facial recognition
author: Ada Lane
date: 2020-01-15
---
We write to urge a moratorium on facial recognition surveillance by police.
T
printf '<?xml version="1.0"?><a><title>Library privacy &lt;b&gt;bold&lt;/b&gt;</title><date>2015-09-30</date><p>Library records deserve privacy \342\200\224 patrons read unobserved.</p></a>' > "$D/library.xml"

# --help, --version, usage errors.
run "$CIVINDEX" --help
assert_rc 0; assert_out_has "Usage: civindex"; assert_out_has "--max-size"
run "$CIVSEARCH" --help
assert_rc 0; assert_out_has "Usage: civsearch"; assert_out_has "date:2018..2019"
run "$CIVINDEX" --version
assert_rc 0; assert_out_has "civindex "
run "$CIVSEARCH" --version
assert_rc 0; assert_out_has "civsearch "
run "$CIVINDEX" --no-such-option x
assert_rc 2; assert_err_has "Try 'civindex --help'"
run "$CIVINDEX"
assert_rc 2; assert_err_has "no PATH to index"
run "$CIVSEARCH" --limit lots drones
assert_rc 2; assert_err_has "--limit"
run "$CIVSEARCH" --sort sideways drones
assert_rc 2; assert_err_has "--sort"
ok "help, version and usage errors"

# No index yet.
cd "$TMP"
run "$CIVSEARCH" drones
assert_rc 2
assert_err_has "no index at civsearch-index (run civindex first"

# Default index location and $CIVSEARCH_INDEX.
run "$CIVINDEX" "$D"
assert_rc 0
assert_out_has "indexed 4, skipped 0, failed 0"
[ -d "$TMP/civsearch-index" ] || fail "default index not created"
CIVSEARCH_INDEX="$TMP/civsearch-index" run "$CIVSEARCH" drones
assert_rc 0
export CIVSEARCH_INDEX="$TMP/civsearch-index"
ok "default index and CIVSEARCH_INDEX"

# Text output: ranked, snippets with plain markers when not a terminal.
run "$CIVSEARCH" drones
assert_rc 0
assert_out_has "2 results; showing 1-2"
assert_out_has "  1. Drones over protests draw objections"
assert_out_has "**drones**"
assert_out_has "2019-05-03 · article · Maria Ortiz · press/drones.txt"
run "$CIVSEARCH" --color=always drones
assert_out_has "$(printf '\033[1;33m')"
ok "text output"

# Exit 1 when nothing matches; 2 and one line for a bad query.
run "$CIVSEARCH" xylophone
assert_rc 1
assert_out_has "No results"
for q in 'AND' '((((' 'drones AND' 'NOT' 'date:2019..2018'; do
  run "$CIVSEARCH" "$q"
  assert_rc 2 "for query $q"
  assert_err_has "civsearch: bad query: "
  [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "bad query message is not one line: $q"
done
run "$CIVSEARCH" "$(printf 'drones \377')"
assert_rc 2; assert_err_has "not valid UTF-8"
ok "exit codes"

# JSON: the contract fields, always valid.
run "$CIVSEARCH" --json --limit 1 drones
assert_rc 0
assert_eq "$(jqout '.query')" "drones"
assert_eq "$(jqout '.total')" "2"
assert_eq "$(jqout '.offset')" "0"
assert_eq "$(jqout '.limit')" "1"
assert_eq "$(jqout '.results | length')" "1"
assert_eq "$(jqout '.results[0] | [has("rank","id","path","title","author","date","type","lang","score","percent","snippet")] | all')" "true"
assert_eq "$(jqout '.results[0].id')" "press/drones.txt"
assert_eq "$(jqout '.results[0].date')" "2019-05-03"
assert_eq "$(jqout '.results[0].author')" "Maria Ortiz"
jqout '.results[0].snippet' | grep -q '<b>drones</b>' || fail "snippet highlight"
run "$CIVSEARCH" --json library
assert_eq "$(jqout '.results[0].title')" "Library privacy <b>bold</b>"
jqout '.results[0].snippet' | grep -q '—' || fail "UTF-8 in snippet"
run "$CIVSEARCH" --json --offset 1 --limit 5 drones
assert_eq "$(jqout '.results[0].rank')" "2"
ok "JSON output"

# The query language end to end.
q() { run "$CIVSEARCH" --json --limit 50 "$@"; jqout '[.results[].id] | join(",")'; }
assert_eq "$(q '"facial recognition"')" "letters/moratorium.md" "phrase"
assert_eq "$(q 'title:border')" "press/phones.html" "title field"
assert_eq "$(q 'author:ortiz')" "press/drones.txt" "author field"
assert_eq "$(q 'surveil*' --sort date)" "press/drones.txt,letters/moratorium.md" "wildcard"
assert_eq "$(q '* date:2018..2019' --sort date)" "press/phones.html,press/drones.txt" "date range"
assert_eq "$(q '* date:2015-09' )" "library.xml" "month"
assert_eq "$(q '*' --sort -date)" "letters/moratorium.md,press/drones.txt,press/phones.html,library.xml" "newest first"
assert_eq "$(q 'drones NOT border')" "press/drones.txt" "NOT"
assert_eq "$(q 'drones library' --or --sort date)" "library.xml,press/phones.html,press/drones.txt" "--or"
assert_eq "$(q 'police NEAR/4 drones')" "press/drones.txt" "NEAR"
assert_eq "$(q '* format:xml')" "library.xml" "format filter"
ok "query language"

# --show and --stats.
run "$CIVSEARCH" --show press/phones.html
assert_rc 0
assert_out_has "Title:       Warrantless phone searches at the border"
assert_out_has "violate the Fourth Amendment"
run "$CIVSEARCH" --json --show press/phones.html
assert_eq "$(jqout '.author')" "John Roe"
jqout '.text' | grep -q "Fourth Amendment" || fail "--show text"
run "$CIVSEARCH" --show nope.txt
assert_rc 1; assert_err_has "no document with id nope.txt"
run "$CIVSEARCH" --stats
assert_rc 0
assert_out_has "Documents:    4"
run "$CIVSEARCH" --stats --json
assert_eq "$(jqout '.documents')" "4"
assert_eq "$(jqout '.types.article')" "4"
assert_eq "$(jqout '.langs.en')" "3"  # library.xml has no common English words
[ "$(jqout '.terms')" -gt 30 ] || fail "terms"
[ "$(jqout '.disk_bytes')" -gt 1000 ] || fail "disk_bytes"
ok "--show and --stats"

# Re-indexing replaces documents instead of duplicating them.
printf 'Drones over protests draw objections\n\nUpdated text about kites.\n' > "$D/press/drones.txt"
run "$CIVINDEX" "$D"
assert_rc 0
run "$CIVSEARCH" --stats --json
assert_eq "$(jqout '.documents')" "4"
run "$CIVSEARCH" kites
assert_rc 0
ok "re-index replaces"
