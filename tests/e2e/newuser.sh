# What a new user trips over (issue 13): query semantics, counts and
# output, dates and titles, nightly runs — over corpus/ plus a few files
# of the kinds a real archive holds.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

X="$TMP/x"
mkdir -p "$X"
cp "$CORPUS/letters/2017-08-14-library-board-records.txt" "$X/copy-of-letter.txt"
cat >"$X/transcript.txt" <<'EOF'
Title: Hearing on the Motion to Suppress, Day 2
Date: 2023-03-14
Author: Court Reporter Dana Whitfield
Docket: 4:22-cr-00187

THE COURT: We are back on the record. Counsel, you may call your next witness.
MS. OKAFOR: The defense calls Detective Arlen Moss regarding the stingray deployment.
EOF
cat >"$X/undated-notes.txt" <<'EOF'
Notes from the coalition meeting

We talked about the pangolin ordinance and the next steps for outreach.
EOF
cat >"$X/letterhead.txt" <<'EOF'
Office of the Inspector General
City of Port Calder
100 Harbor Street, Port Calder

Dear Members of the Oversight Board,

We write to report our review of the municipal drone program's retention practices. The review found gaps.

Sincerely,
Rosa Imbert
Inspector General
EOF
cat >"$X/letterhead-re.txt" <<'EOF'
Office of the Inspector General
City of Port Calder
100 Harbor Street, Port Calder

Dear Members of the Oversight Board,

Re: Drone retention review

We write to report our review of the municipal drone program's retention practices.

Sincerely,
Rosa Imbert
Inspector General
EOF
cat >"$X/qi-brief.txt" <<'EOF'
Brief on qualified immunity

The officers claim qualified immunity for the warrantless search. Qualified immunity shields officials unless the right was clearly established.
EOF
cat >"$X/markup.md" <<'EOF'
# Caméras *piétons* et archives

*Val-d'Orme, le 3 mai 2023*

Le [rapport municipal](https://example.org/rapport) sur les caméras `piétons` recommande un délai de conservation de **trente jours**.

```
code_block_marker = 1
```
EOF
find "$X" -type f -exec touch -d '2030-06-01' {} +
IDX="$TMP/idx"
run "$CIVINDEX" -q -i "$IDX" "$CORPUS" "$X"
assert_rc 0 "indexing"
S() { run "$CIVSEARCH" -i "$IDX" "$@"; }
ids() { S --json -n 1000 --no-collapse -- "$@"; jqout '[.results[].id] | sort | .[]'; }
ALL=$(ids '*')
NALL=$(printf '%s\n' "$ALL" | wc -l)

# ---- queries -------------------------------------------------------------
WITH=$(ids surveillance)
NWITH=$(printf '%s\n' "$WITH" | wc -l)
for q in '-surveillance' 'NOT surveillance' '* -surveillance'; do
  WITHOUT=$(ids "$q")
  assert_rc 0 "$q"
  assert_eq "$(printf '%s\n%s\n' "$WITH" "$WITHOUT" | sort | uniq -d | wc -l)" 0 "documents both with and without ($q)"
  assert_eq "$(printf '%s\n' "$WITHOUT" | wc -l)" "$((NALL - NWITH))" "documents without the word ($q)"
done
ok "a query of exclusions only means every document without the words"

S judge:kagan
assert_rc 2
assert_err_has 'unknown field "judge"'
assert_err_has "fields: date, id, title"
assert_eq "$(printf '%s\n' "$ERR" | wc -l)" 1 "lines of the refusal"
assert_out_lacks "Did you mean"
run env CIVSEARCH_INDEX="$IDX" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING='q=judge:kagan' "$CIVSEARCH"
assert_out_has "Status: 400"
assert_out_has 'unknown field &quot;judge&quot; (fields: date, id, title'
ok "an unknown field is refused the same way on the command line and the page"

S qualifed immunity
assert_out_has "Did you mean: qualified immunity"
S surveilance
assert_out_has "Did you mean: surveillance"
S 'title:drones' surveilance
assert_out_has "Did you mean: title:drones surveillance"
ok "suggestions from the words as typed, never a field"

LONG=$(head -c 4090 /dev/zero | tr '\0' 'a')
S "$LONG pa"
assert_rc 1 "a query of 4,093 bytes is searched"
S "$LONG police"
assert_rc 2 "a query of 4,097 bytes"
assert_err_has "at most 4096"
run env CIVSEARCH_INDEX="$IDX" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING="q=$LONG+police" "$CIVSEARCH"
assert_out_has "Status: 400"
grep -q "4096 bytes" "$CIV_SOURCE_DIR/man/civsearch.1" || fail "civsearch(1) does not state the limit"
ok "one query limit, 4096 bytes, on the command line and the page"

# ---- counts and output ----------------------------------------------------
S --json -n 2 police
TOTAL=$(jqout .total)
assert_eq "$(jqout .total_exact)" true "total_exact"
assert_eq "$(ids police | wc -l)" "$TOTAL" "JSON total against the documents found"
S -n 2 police
assert_out_has "$TOTAL results"
assert_out_lacks "about"
ok "exact counts ($TOTAL), the same in text and JSON"

S --facets type,year surveillance
assert_out_has "Facets"
printf '%s\n' "$OUT" | grep -qE '^  type +(article|letter|press-release) \([0-9]+\)' || fail "no type row"
printf '%s\n' "$OUT" | grep -qE '^  year +[0-9]{4} \([0-9]+\)' || fail "no year row"
assert_out_has "$NWITH results"
S --facets=type surveillance
printf '%s\n' "$OUT" | grep -qE '^  year ' && fail "--facets=type printed years"
printf '%s\n' "$OUT" | grep -qE '^  type ' || fail "--facets=type printed no types"
ok "facets as a table in text; --facets[=FIELDS] chooses"

S --limit 0 police
assert_rc 0
assert_eq "$OUT" "$TOTAL" "--limit 0"
S --limit 0 zzzqqqxxv
assert_eq "$OUT" 0 "--limit 0, nothing found"
assert_rc 1
ok "--limit 0 prints the count only"

S --json 'title:(unclosed'
assert_rc 2
assert_eq "$(jqout .error.code)" bad_query "JSON error code"
jqout .error.message | grep -q . || fail "JSON error without a message"
S --json judge:kagan
assert_rc 2
assert_eq "$(jqout .error.status)" 400 "JSON error status"
ok "--json on a bad query prints a JSON error object"

S --json -n 50 'eastvale trustees amendments'
assert_eq "$(jqout '[.results[] | select(.id == "letters/2017-08-14-library-board-records.txt" or .id == "copy-of-letter.txt")] | length')" 1 "copies shown"
assert_eq "$(jqout '[.results[] | .duplicates // [] | .[]] | length')" 1 "copies listed"
assert_eq "$(jqout .folded)" 1 "copies folded"
S 'eastvale trustees amendments'
assert_out_has "also at:"
assert_out_has "(1 copy folded)"
run env CIVSEARCH_INDEX="$IDX" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
  QUERY_STRING='q=eastvale+trustees+amendments' "$CIVSEARCH"
assert_out_has "(1 copy folded)"
S --json -n 50 --no-collapse 'eastvale trustees amendments'
assert_eq "$(jqout '[.results[] | select(.id == "letters/2017-08-14-library-board-records.txt" or .id == "copy-of-letter.txt")] | length')" 2 "--no-collapse"
ok "copies fold into one hit (also at …), --no-collapse shows each"

TOTAL_SURV=$("$CIVSEARCH" -i "$IDX" --json -n 0 surveillance | jq .total)
S --csv -n 3 surveillance
assert_eq "$(printf "%s\n" "$OUT" | head -1 | tr -d "\r")" "id,title,date,type,authors,score,path" "CSV header"
assert_eq "$(printf '%s\n' "$OUT" | wc -l)" 4 "CSV rows"
S --csv -n 0 surveillance
assert_eq "$OUT" "$TOTAL_SURV" "--csv -n 0: the count alone"
S --json --like articles/geofence-warrant-ruling.md
assert_rc 0
[ "$(jqout '.results | length')" -gt 0 ] || fail "--like found nothing"
assert_eq "$(jqout '[.results[] | select(.id == "articles/geofence-warrant-ruling.md")] | length')" 0 "--like lists the document itself"
ok "--csv and --like"

# ---- dates, titles and text -------------------------------------------------
S --json --show markup.md
assert_eq "$(jqout .title)" "Caméras piétons et archives" "Markdown title"
TEXT=$(jqout .text)
for mark in '*' '](' '`' '**' '#'; do
  printf '%s' "$TEXT" | grep -qF -- "$mark" && fail "Markdown text keeps '$mark'"
done
printf '%s' "$TEXT" | grep -qF "rapport municipal sur les caméras piétons" || fail "Markdown text lost its words"
S --json --show articles/surveillance-faciale-manifestations.md
assert_eq "$(jqout .title)" "Drones et reconnaissance faciale : les manifestants de Val-d'Orme sous surveillance" "a corpus Markdown title"
ok "Markdown read as Markdown"

S --json --show undated-notes.txt
assert_eq "$(jqout .date)" null "date of an undated document"
[ "$(jqout .mtime)" != null ] || fail "the file time is not kept in mtime"
S --json --facets=year -n 0 'id:undated-notes.txt'
assert_eq "$(jqout .total)" 1 "the undated document by its id"
assert_eq "$(jqout '.facets.year | length')" 0 "year of an undated document"
S --show undated-notes.txt
assert_out_has "none of its own (the file was last changed on 2030-06-01)"
S --json -n 1000 --sort=-date '*'
assert_eq "$(jqout '[.results[] | .date == null] | . == (sort)')" true "undated documents last in -date"
S --json --facets=year -n 0 '*'
jqout '.facets.year // [] | .[].value' | grep -q 2030 && fail "the files' time reached the year facet"
ok "a file's time never poses as the document's date"

S --json --show transcript.txt
assert_eq "$(jqout .title)" "Hearing on the Motion to Suppress, Day 2" "header block title"
assert_eq "$(jqout .date)" "2023-03-14" "header block date"
assert_eq "$(jqout '.authors | join(";")')" "Court Reporter Dana Whitfield" "header block author"
assert_eq "$(jqout ".docket[0]")" "4:22-cr-00187" "header block docket"
S --json docket:4:22-cr-00187
assert_eq "$(jqout "[.results[].id] | join(\",\")")" "transcript.txt" "docket: search"
jqout .text | grep -q '^Title:' && fail "the header block is repeated in the text"
ok "a plain-text header block gives title, date, author and docket"

S --json --show letterhead.txt
assert_eq "$(jqout .title)" "We write to report our review of the municipal drone program's retention practices." "letterhead letter title"
S --json --show letters/2018-01-16-foia-request-cbp.txt
jqout .title | grep -q "Inspector\|Office of" && fail "a letter titled by its letterhead"
S --json --show letterhead-re.txt
assert_eq "$(jqout .title)" "Drone retention review" "a subject line below the salutation"
ok "a letter opening with a letterhead is titled by its subject or first sentence"

# ---- nightly runs ------------------------------------------------------------
N="$TMP/nightly"
mkdir -p "$N"
printf 'A note on the warrant canary.\n' >"$N/good.txt"
: >"$N/empty.txt"
printf 'not gzip\n' >"$N/broken.txt.gz"
head -c 3000 /dev/urandom >"$N/budget.xlsx"
head -c 3000 /dev/urandom >"$N/budget2.xlsx"
head -c 2000 /dev/urandom >"$N/slides.pptx"
find "$N" -type f -exec touch -d '2024-01-01' {} +
NI="$TMP/nidx"
run "$CIVINDEX" -i "$NI" "$N"
assert_rc 1 "first run with bad files"
assert_err_has "broken.txt.gz"
assert_out_has "not read (not a format civindex reads): 2 .xlsx, 1 .pptx"
run "$CIVINDEX" -i "$NI" "$N"
assert_rc 0 "a re-run over the same bad files"
assert_eq "$ERR" "" "a re-run reports nothing"
assert_out_has "2 known bad files, unchanged"
assert_out_has "not read (not a format civindex reads): 2 .xlsx, 1 .pptx"
printf 'still not gzip\n' >"$N/broken.txt.gz"
touch -d '2024-01-02' "$N/broken.txt.gz"
run "$CIVINDEX" -i "$NI" "$N"
assert_rc 1 "a changed bad file"
assert_err_has "broken.txt.gz"
assert_out_has "1 known bad file, unchanged"
run "$CIVINDEX" -i "$NI" "$N"
assert_rc 0
run "$CIVINDEX" --retry-failed -i "$NI" "$N"
assert_rc 1 "--retry-failed"
assert_err_has "broken.txt.gz"
assert_err_has "empty.txt"
printf 'Now it has words.\n' >"$N/empty.txt"
touch -d '2024-01-03' "$N/empty.txt"
rm "$N/broken.txt.gz"
run "$CIVINDEX" -i "$NI" "$N"
assert_rc 0 "the bad files fixed or gone"
assert_out_lacks "known bad"
run "$CIVSEARCH" -i "$NI" words
assert_out_has "empty.txt"
run "$CIVINDEX" -v -i "$NI" "$N"
assert_err_has "known bad, unchanged"
run "$CIVINDEX" --help
assert_out_has "--retry-failed"
grep -q -- "retry-failed" "$CIV_SOURCE_DIR/man/civindex.1" || fail "civindex(1) lacks --retry-failed"
ok "nightly runs: known bad files counted, not re-read nor re-reported; exit 0 unless new"

# ---- the document view (page) ------------------------------------------------
cgi() { run env CIVSEARCH_INDEX="$IDX" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING="$1" "$CIVSEARCH"; }
cgi 'q=footage+release&f=type%3Aarticle&sort=-date'
assert_out_has 'href="?id=articles%2Fbody-cameras-footage-release.html&amp;q=footage%20release&amp;f=type%3Aarticle&amp;sort=-date#hit"'
cgi 'id=articles%2Fbody-cameras-footage-release.html&q=footage+release&f=type%3Aarticle&sort=-date&page=2'
assert_out_has 'value="footage release"'
assert_out_has '<a href="?q=footage%20release&amp;f=type%3Aarticle&amp;sort=-date&amp;page=2">‹ Back to the results</a>'
assert_out_has '<a href="#hit">First match</a>'
assert_out_has 'Then the <mark id="hit">Footage</mark> Stayed'
[ "$(printf '%s' "$OUT" | grep -o '<mark' | wc -l)" -ge 8 ] || fail "not every occurrence is marked"
assert_out_has '<mark>released</mark> to the public'
assert_out_has '<h2>A policy written by the police</h2>'
assert_out_has '<p>When the Port Calder Police Department began'
[ "$(printf '%s' "$OUT" | grep -c '^<p>')" -ge 8 ] || fail "paragraphs not kept"
cgi 'id=articles%2Fbody-cameras-footage-release.html&q=footage&format=json'
OUT=$(printf '%s\n' "$OUT" | sed '1,/^\r*$/d')
assert_eq "$(jqout '.highlights | length')" 6 "JSON highlights of the document"
assert_eq "$(jqout '.text[.highlights[0][0]:.highlights[0][0]+.highlights[0][1]]')" Footage "the first highlight"
# Words the query excludes are not marked.
cgi 'id=articles%2Fbody-cameras-footage-release.html&q=release+-footage&format=json'
OUT=$(printf '%s\n' "$OUT" | sed '1,/^\r*$/d')
assert_eq "$(jqout '[.highlights[] as $h | .text[$h[0]:$h[0]+$h[1]] | ascii_downcase | select(startswith("footage"))] | length')" 0 "an excluded word marked"
[ "$(jqout '.highlights | length')" -ge 1 ] || fail "the query's other word is not marked"
cat >"$X/escape.html" <<'EOF2'
<html><head><title>Escaping &lt;check&gt;</title></head><body>
<h2>Section &amp; &lt;b&gt;heading&lt;/b&gt;</h2>
<p>The word marmoset &lt;script&gt;alert(1)&lt;/script&gt; stays text.</p>
</body></html>
EOF2
touch -d '2030-06-01' "$X/escape.html"
run "$CIVINDEX" -q -i "$IDX" "$CORPUS" "$X"
cgi 'id=escape.html&q=marmoset'
assert_out_has '<h2>Section &amp; &lt;b&gt;heading&lt;/b&gt;</h2>'
assert_out_has '<p>The word <mark id="hit">marmoset</mark> &lt;script&gt;alert(1)&lt;/script&gt; stays text.</p>'
assert_out_lacks '<script>'
cgi 'id=escape.html&q=title%3A%28unclosed'
assert_out_has "Status: 200"
assert_out_lacks "<mark"
ok "the document view keeps the query, marks its words, jumps to the first, links back; paragraphs and headings kept"
