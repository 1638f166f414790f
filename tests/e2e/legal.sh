#!/bin/sh
# Legal entities as fields, end to end (issue 15): civindex over corpus/
# (a case summary whose own citation is in its metadata, a court filing and
# a press release citing it, FOIA responses with redactions and exemption
# codes), then civsearch: the legal query fields, plain words and pasted
# citations, facets in text, JSON and on the page, the citation graph
# (cites:ID, cited_by, --sort cited, kept right by incremental runs),
# --show's entities, document kinds, and --no-entities.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"
command -v jq >/dev/null || fail "jq is missing (scripts/deps.sh test installs it)"
IDX="$TMP/idx"
CARP=legal/carpenter-v-united-states-summary.html
MOTION=legal/2023-09-18-motion-to-suppress-geofence.txt
PRESS=press/2024-02-06-location-data-warrant-bill.md
FBI=foia/2021-06-14-fbi-response-cell-site-simulator.html

run "$CIVINDEX" -q -i "$IDX" "$CORPUS"
assert_rc 0
assert_clean_stderr
S() { run "$CIVSEARCH" -i "$IDX" "$@"; assert_clean_stderr; }
# ids QUERY...: the ids found, sorted, one a line.
ids() { S --json -n 100 --snippet 0 "$@"; jqout '.results[].id' | sort; }
# has QUERY ID: QUERY finds ID.
has() { ids "$1" | grep -qxF "$2" || fail "$1 does not find $2 (found: $(ids "$1" | tr '\n' ' '))"; }
lacks() { ids "$1" | grep -qxF "$2" && fail "$1 finds $2"; return 0; }
count() { S -n 0 "$@"; printf '%s' "$OUT"; }

# ---- query fields -------------------------------------------------------------
has 'usc:18/2703' "$MOTION"
has 'usc:"18 U.S.C. § 2703"' "$CARP"
has 'cite:"18 usc 2703"' "$MOTION"
has 'case:585-us-296' "$PRESS"
has 'case:"585 U.S. 296"' "$MOTION"
has 'case:"138 S. Ct. 2206"' "$MOTION"
has 'case:carpenter' "$MOTION"
has 'case:"Riley v. California"' "$MOTION"
lacks 'case:"Riley v. California"' "$PRESS"
has 'cite:"585 U.S. 296"' "$CARP"     # the case itself, by its own citation
has 'cite:"585 U.S. 296"' "$PRESS"
has 'act:sca' "$CARP"
has 'act:"Stored Communications Act"' "$MOTION"
has 'amendment:4' "$MOTION"
has 'amendment:fourth' "$PRESS"
has 'amendment:IV' "$CARP"
lacks 'amendment:4' legal/fourteenth-amendment-section-1.txt
has 'amendment:14' legal/fourteenth-amendment-section-1.txt
has 'exemption:b6' "$FBI"
has 'exemption:(b)(7)(C)' "$FBI"
has 'exemption:b7' "$FBI"               # 7 covers 7(A)-(F)
lacks 'exemption:b5' "$FBI"
has 'agency:fbi' "$MOTION"
has 'agency:"Federal Bureau of Investigation"' "$FBI"
has 'agency:cbp' foia/2018-04-30-cbp-response-device-searches.txt
lacks 'agency:fbi' "$CARP"
has 'court:wd-wash' "$MOTION"
has 'docket:"2:23-cr-00417"' "$MOTION"
has 'body:riverton-police' "$PRESS"
has 'redacted:yes' "$FBI"
lacks 'redacted:yes' "$CARP"
has 'redacted:no' "$CARP"
has 'redactions:2..' "$FBI"
has 'type:filing' "$MOTION"
has 'type:foia-response' "$FBI"
has 'type:press-release' "$PRESS"
S -n 0 'exemption:b99'
[ "$RC" -ne 0 ] || fail "a bad exemption is an error"
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "a bad exemption is one line: $ERR"
ok "query fields: usc cfr case cite act amendment exemption agency court docket body redacted redactions type"

# ---- plain words ------------------------------------------------------------------
# "FBI" and the agency's full name find each other (their canonical term);
# "4th Amend." and "fourth amendment" the same documents; a pasted citation
# finds the documents citing it.
[ "$(count FBI)" -gt 0 ] || fail "FBI finds nothing"
assert_eq "$(count FBI)" "$(count 'Federal Bureau of Investigation')" "FBI and its name"
has 'FBI' "$FBI"
has 'Federal Bureau of Investigation' "$MOTION"   # it says "FBI" too, but also the name
assert_eq "$(count 'fourth amendment')" "$(count '4th Amend.')" "fourth amendment and 4th Amend."
has '4th Amend.' "$CARP"                     # it says "Fourth Amendment"
has 'Amendment IV' "$PRESS"
has '585 U.S. 296' "$MOTION"                 # the filing breaks it over two lines
has '585 U.S. 296' "$PRESS"
has '18 U.S.C. § 2703(d)' "$MOTION"
assert_eq "$(count 'an ice storm')" 0 "an ice storm is no agency"
ok "plain words: synonyms both ways, amendment spellings, pasted citations"

# ---- facets ---------------------------------------------------------------------
S --facets cite,agency,exemption,amendment,type,court warrant
assert_out_has "Facets"
printf '%s\n' "$OUT" | grep -qE '^  case +585-us-296 \(2\)' || fail "no most-cited row: $OUT"
printf '%s\n' "$OUT" | grep -qE '^  amendment +4 \([0-9]+\)' || fail "no amendment row"
printf '%s\n' "$OUT" | grep -qE '^  court +wd-wash \(1\)' || fail "no court row"
S --json -n 0 --facets agency,exemption,case,type 'redacted:yes'
assert_eq "$(jqout '[.facets.exemption[] | select(.value == "b6")][0].count')" 3 "JSON exemption facet"
assert_eq "$(jqout '[.facets.agency[].value] | index("fbi") != null')" true "JSON agency facet"
assert_eq "$(jqout '[.facets.type[].value] | index("foia-response") != null')" true "JSON kinds facet"
run env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING='q=warrant' CIVSEARCH_INDEX="$IDX" "$CIVSEARCH"
assert_rc 0
assert_out_has 'f=case%3A585-us-296'
assert_out_has 'f=amendment%3A4'
ok "facets in text, JSON and on the page; --facets cite lists the most cited cases"

# ---- the citation graph ------------------------------------------------------------
S --json --show "$CARP"
assert_eq "$(jqout .citation)" 585-us-296 "own citation from <meta name=citation>"
assert_eq "$(jqout .cited_by)" 2 "cited_by"
assert_eq "$(jqout '[.cited_by_documents[].id] | sort | join(",")')" "$MOTION,$PRESS" "cited_by_documents"
S --show "$CARP"
assert_out_has "Cited by:    2 documents here"
S --json --show "$MOTION"
assert_eq "$(jqout '.cites | join(",")')" "$CARP" "cites"
assert_eq "$(jqout '.cites_documents[0].title')" "Carpenter v. United States (2018): A Case Summary" "cited title"
assert_eq "$(ids "cites:\"$CARP\"" | tr '\n' ',')" "$MOTION,$PRESS," "cites:ID"
S --json -n 1 --snippet 0 --sort cited '*'
assert_eq "$(jqout '.results[0].id')" "$CARP" "--sort cited"
run env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING="id=legal%2Fcarpenter-v-united-states-summary.html" CIVSEARCH_INDEX="$IDX" "$CIVSEARCH"
assert_out_has 'cited by 2 documents here'
assert_out_has 'href="?id=press%2F2024-02-06-location-data-warrant-bill.md'
ok "citation graph: own citation, cites, cited_by, cites:ID, --sort cited, the page"

# Parallel cites: an opinion's first page gives its case in three
# reporters, a summary's <meta name="citation"> in two; a brief citing the
# case by any of them is linked to it, once however many it cites.
G="$TMP/graph"
mkdir -p "$G"
cat >"$G/riley-opinion.txt" <<'END'
RILEY v. CALIFORNIA
573 U.S. 373, 134 S. Ct. 2473, 189 L. Ed. 2d 430 (2014)

CERTIORARI TO THE COURT OF APPEAL OF CALIFORNIA

CHIEF JUSTICE ROBERTS delivered the opinion of the Court.

Officers must generally secure a warrant before searching a cell phone.
END
printf 'Brief one\n\nRiley v. California, 134 S. Ct. 2473 (2014), requires a warrant.\n' >"$G/brief-sct.txt"
printf 'Brief two\n\nRiley v. California, 573 U.S. 373 (2014), requires a warrant.\n' >"$G/brief-us.txt"
printf 'Brief three\n\nRiley v. California, 573 U.S. 373, 134 S. Ct. 2473 (2014).\n' >"$G/brief-both.txt"
printf 'Brief four\n\nRiley v. California, 189 L. Ed. 2d 430 (2014).\n' >"$G/brief-led.txt"
printf '<html><head><title>Carpenter, a summary</title><meta name="citation" content="585 U.S. 296, 138 S. Ct. 2206"></head><body><p>The Court held that the Government needs a warrant.</p></body></html>' >"$G/carpenter.html"
printf 'Brief five\n\nCarpenter v. United States, 138 S. Ct. 2206 (2018).\n' >"$G/brief-carpenter.txt"
for ix in "$TMP/igraph" "$TMP/igraph-set"; do
  case $ix in *set) run "$CIVINDEX" -q --shards 2 -i "$ix" "$G" ;; *) run "$CIVINDEX" -q -i "$ix" "$G" ;; esac
  assert_rc 0
  run "$CIVSEARCH" -i "$ix" --json --show riley-opinion.txt
  assert_eq "$(jqout .citation)" 573-us-373 "the opinion's citation ($ix)"
  assert_eq "$(jqout '.parallel | join(",")')" 134-sct-2473,189-led2d-430 "its parallel cites ($ix)"
  assert_eq "$(jqout .cited_by)" 4 "cited by its parallel cites ($ix)"
  assert_eq "$(jqout '[.cited_by_documents[].id] | sort | join(",")')" \
    brief-both.txt,brief-led.txt,brief-sct.txt,brief-us.txt "citing documents ($ix)"
  run "$CIVSEARCH" -i "$ix" --json --show brief-both.txt
  assert_eq "$(jqout '.cites | join(",")')" riley-opinion.txt "two parallels, one link ($ix)"
  run "$CIVSEARCH" -i "$ix" --json --show carpenter.html
  assert_eq "$(jqout .citation),$(jqout '.parallel | join(",")'),$(jqout .cited_by)" 585-us-296,138-sct-2206,1 \
    "parallel cites from the metadata ($ix)"
done
run "$CIVSEARCH" -i "$TMP/igraph" --json -n 10 --snippet 0 'cite:"138 S. Ct. 2206"'
assert_eq "$(jqout '[.results[].id] | sort | join(",")')" brief-carpenter.txt,carpenter.html \
  "cite: finds the case by a parallel cite"
run "$CIVSEARCH" -i "$TMP/igraph" --show riley-opinion.txt
assert_out_has "Parallel:    134-sct-2473; 189-led2d-430"
assert_out_has "Cited by:    4 documents here"
ok "parallel cites: the first page's and the metadata's, linked by any of them, once; over shards too"

# ---- --sort redactions -----------------------------------------------------------------
# Most redaction markers first, then documents without any (no value), in
# the command line, JSON, over shards and on the page.
CBP=foia/2018-04-30-cbp-response-device-searches.txt
CBPMAIL=letters/mail/2018-05-02-cbp-final-response.eml
S --json -n 100 --snippet 0 --sort redactions 'redacted:yes OR warrant'
assert_eq "$(jqout '[.results[:3][] | "\(.id)=\(.redactions)"] | join(",")')" "$CBP=9,$FBI=4,$CBPMAIL=3" "--sort redactions"
assert_eq "$(jqout '[.results[3:][].redactions] | unique | join(",")')" "" "unredacted documents last"
[ "$(jqout '.results | length')" -gt 10 ] || fail "the unredacted matches are listed too"
S -n 1 --snippet 0 --sort redactions '*'
assert_out_has "$CBP"
run env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING='q=redacted%3Ayes&sort=redactions&format=json' CIVSEARCH_INDEX="$IDX" "$CIVSEARCH"
assert_rc 0
assert_eq "$(printf '%s\n' "$OUT" | sed '1,/^\r*$/d' | jq -r '.results[0].id')" "$CBP" "sort=redactions (JSON page)"
run env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING='q=redacted%3Ayes&sort=redactions' CIVSEARCH_INDEX="$IDX" "$CIVSEARCH"
assert_rc 0
assert_out_has '<option value="redactions" selected>most redacted</option>'
assert_out_has 'sort=redactions'
run "$CIVSEARCH" -i "$IDX" --sort redacted '*'
assert_rc 2
assert_err_has "cited or redactions"
ok "--sort redactions: most markers first, unredacted last; JSON, the page's menu"

# Incremental: a citing document removed, the cited one moved, then gone.
cp -r "$CORPUS" "$TMP/c"
run "$CIVINDEX" -q -i "$TMP/i2" "$TMP/c"
assert_rc 0
rm "$TMP/c/$PRESS"
run "$CIVINDEX" -q -i "$TMP/i2" "$TMP/c"
assert_rc 0
S_i2() { run "$CIVSEARCH" -i "$TMP/i2" "$@"; assert_clean_stderr; }
S_i2 --json --show "$CARP"
assert_eq "$(jqout .cited_by)" 1 "cited_by after a citing document was removed"
mv "$TMP/c/$CARP" "$TMP/c/legal/carpenter.html"
run "$CIVINDEX" -q -i "$TMP/i2" "$TMP/c"
assert_rc 0
S_i2 --json --show "$MOTION"
assert_eq "$(jqout '.cites | join(",")')" legal/carpenter.html "cites follows a move"
rm "$TMP/c/legal/carpenter.html"
run "$CIVINDEX" -q -i "$TMP/i2" "$TMP/c"
assert_rc 0
S_i2 --json --show "$MOTION"
assert_eq "$(jqout '.cites // [] | length')" 0 "no link to a removed document"
S_i2 -n 0 'cited_by:1..'
assert_eq "$OUT" 0 "no document cited any more"
ok "citation graph kept right by incremental runs (remove, move, remove)"

# ---- --show lists the entities with counts ----------------------------------------------
S --show "$MOTION"
assert_out_has "Entities:"
printf '%s\n' "$OUT" | grep -qE '^  agency:fbi +2$' || fail "agency:fbi with its count: $OUT"
printf '%s\n' "$OUT" | grep -qE '^  case:"riley v california" +1$' || fail "case name as a query"
assert_out_has 'Type:        filing'
S --json --show "$FBI"
assert_eq "$(jqout '[.entities[] | select(.query == "exemption:b6")][0].count')" 3 "JSON entity count"
assert_eq "$(jqout '.redactions')" 4 "redactions"
ok "--show and JSON list the entities with counts"

# every_query_finds INDEX: for each document of INDEX, each entity --show
# lists is a query (FIELD:VALUE, the page's link) finding the document
# again: a canonical form typed as it is finds the documents holding it.
every_query_finds() {
  "$CIVSEARCH" -i "$1" --json -n 1000 --snippet 0 '*' | jq -r '.results[].id' >"$TMP/all-ids" ||
    fail "listing $1"
  [ -s "$TMP/all-ids" ] || fail "no documents in $1"
  nq=0
  while IFS= read -r id; do
    "$CIVSEARCH" -i "$1" --json --show "$id" | jq -r '.entities[]?.query' >"$TMP/queries" ||
      fail "--show $id"
    while IFS= read -r q; do
      "$CIVSEARCH" -i "$1" --json -n 1000 --snippet 0 "$q" | jq -r '.results[].id' |
        grep -qxF "$id" || fail "$q (listed by --show $id) does not find $id"
      nq=$((nq + 1))
    done <"$TMP/queries"
  done <"$TMP/all-ids"
}
every_query_finds "$IDX"
[ "$nq" -gt 100 ] || fail "only $nq entity queries in the corpus"
# Acts named by a section: act:fisa/702 is section 702 of FISA, not FISA
# (the document naming FISA alone is not found).
mkdir -p "$TMP/acts"
printf 'Memo\n\nSection 702 of FISA authorizes the collection.\n' >"$TMP/acts/fisa-702.txt"
printf 'Memo\n\nThe Foreign Intelligence Surveillance Act created the court.\n' >"$TMP/acts/fisa.txt"
printf 'Memo\n\nDetention under section 236(a) of the Immigration and Nationality Act.\n' >"$TMP/acts/ina-236.txt"
printf 'Memo\n\nThe Immigration and Nationality Act governs removal.\n' >"$TMP/acts/ina.txt"
printf 'Memo\n\nSection 3 of the Religious Freedom Restoration Act applies.\n' >"$TMP/acts/rfra-3.txt"
printf 'Memo\n\nSection 2 of the Voting Rights Act bars vote dilution.\n' >"$TMP/acts/vra-2.txt"
printf 'Memo\n\nSection 703 of Title VII forbids it.\n' >"$TMP/acts/title-vii-703.txt"
printf 'Memo\n\nSection 706 of the APA sets the standard of review.\n' >"$TMP/acts/apa-706.txt"
run "$CIVINDEX" -q -i "$TMP/iacts" "$TMP/acts"
assert_rc 0
every_query_finds "$TMP/iacts"
[ "$nq" -eq 8 ] || fail "8 entity queries in the acts, got $nq"
A() { run "$CIVSEARCH" -i "$TMP/iacts" --json -n 10 --snippet 0 "$@"; assert_clean_stderr; jqout '[.results[].id] | sort | join(",")'; }
assert_eq "$(A 'act:fisa/702')" fisa-702.txt "act:fisa/702"
assert_eq "$(A 'cite:fisa/702')" fisa-702.txt "cite:fisa/702"
assert_eq "$(A 'act:fisa')" fisa.txt "act:fisa"
assert_eq "$(A 'act:ina/236')" ina-236.txt "act:ina/236"
run env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING='q=act%3Afisa%2F702' CIVSEARCH_INDEX="$TMP/iacts" "$CIVSEARCH"
assert_rc 0
assert_out_has 'href="?id=fisa-702.txt'
assert_out_lacks 'href="?id=fisa.txt'
ok "each entity --show lists finds its document (corpus and sectioned acts), on the page too"

# ---- PDF pages ------------------------------------------------------------------------
# Entities are read from every format: a two-page PDF (pages joined as the
# indexer stores them) cites the case of the summary beside it.
MKDOC="$CIV_BUILD_DIR/tests/civ_mkdoc"
if [ -x "$MKDOC" ]; then
  mkdir -p "$TMP/pdf"
  cp "$CORPUS/$CARP" "$TMP/pdf/"
  cat >"$TMP/release.txt" <<'EOF'
Release of records about location data purchases
The Federal Bureau of Investigation withheld four pages
under 5 U.S.C. 552(b)(7)(C) and Exemption 6.
===
The requester cited Carpenter v. United States,
585 U.S. 296 (2018), and the Fourth Amendment.
Special Agent [REDACTED] signed the letter.
EOF
  "$MKDOC" pdf "$TMP/pdf/release.pdf" "$TMP/release.txt" --title "Release of location data records" ||
    fail "civ_mkdoc pdf"
  run "$CIVINDEX" -q -i "$TMP/ipdf" "$TMP/pdf"
  assert_rc 0
  run "$CIVSEARCH" -i "$TMP/ipdf" --json --show release.pdf
  assert_eq "$(jqout '.agency | join(",")')" fbi "agency in a PDF"
  assert_eq "$(jqout '.exemption | sort | join(",")')" b6,b7c "exemptions in a PDF"
  assert_eq "$(jqout '.case | join(",")')" 585-us-296 "case cited in a PDF"
  assert_eq "$(jqout '.amendment | join(",")')" 4 "amendment in a PDF"
  assert_eq "$(jqout '.redactions')" 1 "redaction in a PDF"
  assert_eq "$(jqout '.cites | join(",")')" carpenter-v-united-states-summary.html "a PDF cites the case"
  ok "entities of PDF pages, and the PDF linked to the case it cites"
fi

# ---- a set of shards ------------------------------------------------------------------
# civindex --shards: the links cross shards (the documents are spread by
# the hash of their path).
run "$CIVINDEX" -q --shards 3 -i "$TMP/set" "$CORPUS"
assert_rc 0
run "$CIVSEARCH" -i "$TMP/set" --json --show "$CARP"
assert_eq "$(jqout .cited_by)" 2 "cited_by over shards"
run "$CIVSEARCH" -i "$TMP/set" --json -n 10 --snippet 0 "cites:\"$CARP\""
assert_eq "$(jqout '[.results[].id] | sort | join(",")')" "$MOTION,$PRESS" "cites:ID over shards"
spread=0
for k in 0 1 2; do
  n=$("$CIVSEARCH" -i "$TMP/set/shard-$k" -n 0 "cites:\"$CARP\" OR id:\"$CARP\"")
  [ "$n" -gt 0 ] && spread=$((spread + 1))
done
[ "$spread" -ge 2 ] || fail "the test wants the cited and citing documents in different shards"
run "$CIVSEARCH" -i "$TMP/set" --json -n 3 --snippet 0 --sort redactions '*'
assert_eq "$(jqout '[.results[].id] | join(",")')" "$CBP,$FBI,$CBPMAIL" "--sort redactions over shards"
ok "citation links across a set of shards; --sort redactions over them"

# ---- --no-entities ------------------------------------------------------------------
run "$CIVINDEX" -q --no-entities -i "$TMP/i3" "$CORPUS"
assert_rc 0
run "$CIVSEARCH" -i "$TMP/i3" -n 0 'agency:fbi'
assert_eq "$OUT" 0 "--no-entities leaves the fields empty"
ok "--no-entities"

# ---- --help ------------------------------------------------------------------------
# Every legal query field (the schema's, from docket to cited_by in the
# list an unknown field's error gives) is in --help, and cite:.
run "$CIVSEARCH" -i "$IDX" 'nosuchfield:x'
assert_rc 2
legal=$(printf '%s\n' "$ERR" | sed -n 's/.*(fields: \(.*\))$/\1/p' | tr -d ' ' | tr ',' '\n' |
  sed -n '/^docket$/,/^cited_by$/p')
[ "$(printf '%s\n' "$legal" | wc -l)" -ge 15 ] || fail "the legal fields from the error: $legal"
run "$CIVSEARCH" --help
assert_rc 0
for f in $legal; do
  printf '%s\n' "$OUT" | grep -qE "(^| )$f:" || fail "--help lacks $f:"
done
ok "--help lists every legal query field"

# ---- measured figures -------------------------------------------------------------
# docs/entities.md and bench/README.md quote the same runs: the indexing
# overhead table (wall and CPU on/off) and the extraction speed table
# (MB/s), row by row past the corpus' name.
# table FILE TEXT: the rows of the table whose header holds TEXT, less
# their first column.
table() {
  awk -v h="$2" 'index($0, h) && /^\|/ { on = 1; next } on && !/^\|/ { exit }
    on && !/^\|---/ { sub(/^\| [^|]*\|/, ""); print }' "$CIV_SOURCE_DIR/$1"
}
for h in 'wall on/off' 'a document a line (MB/s)'; do
  a=$(table docs/entities.md "$h")
  b=$(table bench/README.md "$h")
  [ "$(printf '%s\n' "$a" | wc -l)" -ge 3 ] || fail "docs/entities.md: no table '$h'"
  [ "$a" = "$b" ] || { OUT=$(printf 'docs/entities.md:\n%s\nbench/README.md:\n%s\n' "$a" "$b"); fail "the '$h' tables differ"; }
done
ok "docs/entities.md and bench/README.md quote the same measurements"
