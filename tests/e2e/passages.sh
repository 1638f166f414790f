# Long documents (issue 16): passages ranked and shown as units. A short
# document about a thing ranks above a long one that names it in passing;
# a long document with one passage about a thing still ranks first, its
# snippet from that passage (¶ N, JSON passage); --snippets N gives
# snippets of different passages in the order of the text; --debug says
# how each score was made; --show keeps the whole text exact; pages of a
# paged text (form feeds, as pdftotext writes them) are named p. N and
# shown alone with --show ID --page N.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

D="$TMP/docs"
mkdir -p "$D"

# gen FILE TITLE SEED PARAS [NAME=VALUE...]: a Markdown document of PARAS
# paragraphs of exactly 150 words of neutral text (passages of this
# length are two paragraphs each: paragraph i, from 0, is in passage
# i/2 + 1). pass="w1 w2" names two words `times` times (default 1) in
# every `every`-th paragraph (default 1); dense="w1 w2" puts them every
# `stride`-th place (default 10) of paragraph `at` (-1: every one);
# sep=ff separates paragraphs by form feeds instead of blank lines; an
# empty TITLE writes plain text without a header. (The settings are awk's
# assignment operands, made before /dev/null is read, hence END.)
gen() {
  f=$1 title=$2 seed=$3 paras=$4
  shift 4
  awk -v f="$f" -v title="$title" -v seed="$seed" -v paras="$paras" \
      -v pass= -v times=1 -v every=1 -v dense= -v at=-1 -v stride=10 -v sep=blank 'END {
    n = split("the of and to a in that it was for on as with by at from this be which or an \
      had were not but all they his their has have been one would there we when who more no \
      if out so what up its about into than them can only other new some could time these two \
      may then do first any my now such like our over man me even most made after also did many \
      before must through back years where much your way well down should because each just \
      those people how too little state good very make world still own see men work long get \
      here between both life being under never day same another know while last might us great \
      old year off come since against go came right used take three house meeting minutes \
      committee tuesday review budget garden library report river bridge weather harvest \
      season market railway station village school letter morning evening council road", w, " ")
    srand(seed)
    if (title != "") printf "---\ntitle: %s\n---\n\n", title > f
    np = split(pass, pw, " "); nd = split(dense, dw, " ")
    for (i = 0; i < paras; i++) {
      for (k = 1; k <= 150; k++) x[k] = w[1 + int(rand() * n)]
      if (np && i % every == 0)
        for (t = 0; t < times; t++) { p = 2 + int(rand() * 140); x[p] = pw[1]; x[p + 1] = pw[2] }
      if (nd && (i == at || at == -1))
        for (k = 3; k < 150; k += stride) { x[k] = dw[1]; x[k + 1] = dw[2] }
      line = x[1]
      for (k = 2; k <= 150; k++) line = line " " x[k]
      if (i) printf (sep == "ff" ? "\f" : "\n\n") > f
      printf "%s.", line > f
    }
    printf "\n" > f
    close(f)
  }' "$@" /dev/null
}

# X = "custodial warnings": a summary about it (one passage, X eight
# times), and a long transcript naming it twice in each of its 80
# paragraphs, in passing.
gen "$D/summary.md" "Harrowgate v. Ostrander: summary" 1 2 dense="custodial warnings" stride=40
gen "$D/transcript.md" "Quillane v. Marsdale: transcript of oral argument" 2 80 \
    pass="custodial warnings" times=2 dense="peremptory strike" at=40
for i in 1 2 3 4 5 6; do
  gen "$D/note$i.md" "Weekly note $i" $((10 + i)) 2
done
# Y = "peremptory strike": the transcript's paragraph 40 (passage 21) is
# about it; a short brief and another long document name it in passing.
gen "$D/brief.md" "Tennick v. Aldermoor: brief" 30 2 pass="peremptory strike" every=2
gen "$D/opinion.md" "Corvane v. Dunmere: opinion" 31 80 pass="peremptory strike" every=8
# A paged text: 12 pages of one paragraph each, form feeds between them;
# page 7 is about Z.
gen "$D/release.txt" "" 40 12 dense="sealed docket" at=6 sep=ff

run "$CIVINDEX" -q -i "$TMP/idx" "$D"
assert_rc 0 "civindex"

# A short document about X ranks above a long one that mentions X in
# passing, although the long one holds X many more times.
run "$CIVSEARCH" -i "$TMP/idx" --json custodial warnings
assert_rc 0
assert_eq "$(jqout '.results[0].id')" summary.md "best hit for custodial warnings"
assert_eq "$(jqout '.results[1].id')" transcript.md "second hit for custodial warnings"
# ...and only because of its passages: weighed as one bag of words the
# transcript comes first (this test can fail).
run "$CIVSEARCH" -i "$TMP/idx" --json --tune mix=0 custodial warnings
assert_rc 0
assert_eq "$(jqout '.results[0].id')" transcript.md "best hit of the whole texts alone"
ok "short document about X above a long one naming it in passing"

# A long document whose one passage is about Y ranks first, its snippet
# from that passage.
run "$CIVSEARCH" -i "$TMP/idx" --json peremptory strike
assert_rc 0
assert_eq "$(jqout '.results[0].id')" transcript.md "best hit for peremptory strike"
assert_eq "$(jqout '.results[0].passage')" 21 "passage of the best snippet"
assert_eq "$(jqout '.results[0].page')" null "page of an unpaged text"
jqout '.results[0].snippet' | grep -q '<b>peremptory strike</b>.*<b>peremptory strike</b>' || fail "snippet not from the passage"
run "$CIVSEARCH" -i "$TMP/idx" peremptory strike
assert_rc 0
printf '%s\n' "$OUT" | grep -q '¶ 21' || fail "text output does not name ¶ 21"
ok "long document with one passage about Y"

# --debug: how each hit's score was made.
run "$CIVSEARCH" -i "$TMP/idx" --debug peremptory strike
assert_rc 0
assert_err_has "civsearch: score #1 transcript.md:"
assert_err_has "x best passage (¶ 21 of 40)"
printf '%s\n' "$ERR" | grep 'score #.* brief.md' | grep -q 'whole text [0-9.]* (BM25, one passage)' ||
  fail "short document's score not explained"
# No citation graph here: no prior, and no mention of one.
assert_err_lacks "prior"
assert_clean_stderr
ok "--debug explains scores"

# --snippets N: up to N snippets, each from another passage, in the
# order of the text; the best one is among them.
run "$CIVSEARCH" -i "$TMP/idx" --json --snippets 3 custodial warnings
assert_rc 0
n=$(jqout '[.results[] | select(.id == "transcript.md") | .snippets[]] | length')
assert_eq "$n" 3 "snippets of the transcript"
ps=$(jqout '[.results[] | select(.id == "transcript.md") | .snippets[].passage] | map(tostring) | join(" ")')
sorted=$(printf '%s\n' $ps | sort -n -u | tr '\n' ' ' | sed 's/ $//')
assert_eq "$ps" "$sorted" "passages of the snippets, in order and distinct"
jqout '[.results[] | select(.id == "transcript.md") | .snippets[].snippet] | .[]' |
  grep -c '<b>custodial warnings</b>' | grep -qx 3 || fail "a snippet without the query's words"
run "$CIVSEARCH" -i "$TMP/idx" --snippets 11 custodial
assert_rc 2
ok "--snippets"

# Pages: the hit names its page, and --show ID --page N shows it alone.
run "$CIVSEARCH" -i "$TMP/idx" --json sealed docket
assert_rc 0
assert_eq "$(jqout '.results[0].id')" release.txt "paged hit"
assert_eq "$(jqout '.results[0].page')" 7 "page of the snippet"
run "$CIVSEARCH" -i "$TMP/idx" sealed docket
printf '%s\n' "$OUT" | grep -q 'p\. 7' || fail "text output does not name p. 7"
run "$CIVSEARCH" -i "$TMP/idx" --json --show release.txt --page 7
assert_rc 0
assert_eq "$(jqout '.page')" 7 "page shown"
jqout '.text' | grep -q 'sealed docket' || fail "page 7 lacks its words"
# Page 7 alone is the file's seventh page.
want=$(awk 'BEGIN { RS = "\f" } NR == 7 { printf "%s", $0 }' "$D/release.txt" | tr -d '\n')
assert_eq "$(jqout '.text' | tr -d '\n\f')" "$want" "text of page 7"
run "$CIVSEARCH" -i "$TMP/idx" --show release.txt --page 13
assert_rc 1
assert_err_has "no page 13 (its pages: 1 to 12)"
ok "pages"

# The whole-document view stays exact: --show gives every word of the
# text, in order, passages or not.
run "$CIVSEARCH" -i "$TMP/idx" --json --show transcript.md
assert_rc 0
got=$(jqout '.text' | tr -s ' \n' '\n\n' | grep -c .)
want=$(sed '1,4d' "$D/transcript.md" | tr -s ' \n' '\n\n' | grep -c .)
assert_eq "$got" "$want" "words of the transcript in --show"
assert_eq "$(jqout '.text' | tr -d ' \n' | cksum)" "$(sed '1,4d' "$D/transcript.md" | tr -d ' \n' | cksum)" \
  "text of the transcript in --show"
ok "--show exact"

# The search page: a snippet a hit, up to 3 when asked (snippets=), each
# naming its place with a link to the document view there; the view has
# the anchor, the query's words marked.
cgi() { run env CIVSEARCH_INDEX="$TMP/idx" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING="$1" "$CIVSEARCH"; }
cgi 'q=peremptory+strike'
assert_rc 0
assert_out_has '<a class="at" href="?id=transcript.md&amp;q=peremptory%20strike#s21">¶ 21</a>'
assert_eq "$(printf '%s' "$OUT" | grep -c 'id=opinion.md&amp;q=peremptory%20strike#s[0-9]*')" 1 \
  "snippets of the opinion on the page by default"
assert_out_has '<option value="1" selected>1</option>'
# The opinion names it in passing in many passages: 3 snippets, in order,
# and the page's links keep asking for 3.
cgi 'q=peremptory+strike&snippets=3'
assert_rc 0
assert_eq "$(printf '%s' "$OUT" | grep -o 'id=opinion.md&amp;q=peremptory%20strike&amp;snippets=3#s[0-9]*' | sed 's/.*#s//' | tr '\n' ' ')" \
  "1 5 9 " "passages of the opinion's snippets on the page"
assert_out_has '<option value="3" selected>3</option>'
cgi 'q=peremptory+strike&snippets=4'
assert_rc 0
assert_out_has 'parameter snippets must be a whole number from 1 to 3'
cgi 'q=peremptory+strike&snippets=2&format=json'
assert_eq "$(printf '%s' "$OUT" | sed '1,/^\r*$/d' | jq '[.results[] | select(.id == "opinion.md") | .snippets | length] | .[0]')" 2 \
  "snippets of the opinion in the JSON answer with snippets=2"
cgi 'q=sealed+docket'
assert_out_has '<a class="at" href="?id=release.txt&amp;q=sealed%20docket#p7">p. 7</a>'
cgi 'id=transcript.md&q=peremptory+strike'
assert_rc 0
assert_out_has '<span id="s21"></span>'
printf '%s' "$OUT" | sed -n '/<span id="s21">/,/<span id="s22">/p' | grep -q '<mark[^>]*>peremptory</mark>' ||
  fail "passage 21 of the document view without the query's words marked"
cgi 'id=release.txt&q=sealed+docket'
assert_out_has 'id="p7"'
ok "search page: places and the document view at them"

# Long documents that cannot reach the page are not weighed by their
# passages (their positions are not read): the page is the same as when
# every one of the best is weighed (--tune prune=0), at any offset.
P="$TMP/prune"
mkdir -p "$P"
for i in $(seq 1 30); do
  if [ $((i % 4)) -eq 0 ]; then # one passage about it: these rank by it
    gen "$P/long$i.md" "Ferry log $i" $((100 + i)) 20 dense="harbor lantern" at=$((i % 20)) stride=$((4 + i / 4))
  else
    gen "$P/long$i.md" "Ferry log $i" $((100 + i)) 20 pass="harbor lantern" every=$((1 + i % 5)) times=$((1 + i % 3))
  fi
done
for i in $(seq 1 8); do
  gen "$P/short$i.md" "Harbor note $i" $((200 + i)) 2 pass="harbor lantern" times=$((1 + i % 3))
done
for i in $(seq 1 60); do # the words are rare: they weigh
  gen "$P/other$i.md" "Minutes $i" $((300 + i)) 2
done
run "$CIVINDEX" -q -i "$TMP/pidx" "$P"
assert_rc 0 "civindex (prune)"
run "$CIVSEARCH" -i "$TMP/pidx" --debug -n 5 harbor lantern
assert_rc 0
printf '%s\n' "$ERR" | grep -q 'passages not weighed (they could not reach the page): [1-9]' ||
  fail "no long document left unweighed for a page of 5"
# Where every match may reach the page by its whole text, the floor rises
# as the documents are weighed, the heaviest words first: these pages
# leave 10 or more of the 30 long documents unweighed (none with one
# floor set before any is weighed).
for q in "harbor lantern|-n 10" "ferry harbor|-n 5" "harbor lantern ferry log|-n 10"; do
  # shellcheck disable=SC2086
  run "$CIVSEARCH" -i "$TMP/pidx" --debug ${q#*|} "${q%|*}"
  n=$(printf '%s\n' "$ERR" | sed -n 's/.*could not reach the page): \([0-9]*\) documents.*/\1/p')
  [ "${n:-0}" -ge 10 ] || fail "${q%|*} (${q#*|}): ${n:-0} documents left unweighed, not 10 or more"
done
# A word weighs at most what all its occurrences weigh in the document's
# shortest passage (here 300 words, two paragraphs): bounds that tight
# leave these pages' long documents with fewer of their position lists
# read (a bound of a passage of no length read 22, 36 and 84 of them;
# every document weighed, 60, 60 and 120).
for q in "harbor lantern|-n 10|20" "ferry harbor|-n 5|30" "harbor lantern ferry log|-n 10|75"; do
  args=${q#*|}
  # shellcheck disable=SC2086
  run "$CIVSEARCH" -i "$TMP/pidx" --debug ${args%|*} "${q%%|*}"
  n=$(printf '%s\n' "$ERR" | sed -n 's/^civsearch: position lists read for passages: \([0-9]*\)$/\1/p')
  [ -n "$n" ] && [ "$n" -le "${q##*|}" ] ||
    fail "${q%%|*} (${args%|*}): ${n:-no} position lists read, not ${q##*|} or fewer"
done
for q in "harbor lantern" harbor lantern "ferry harbor" "harbor lantern ferry log"; do
  for page in "-n 5" "-n 10" "--offset 5 -n 5" "--offset 20 -n 10" "--offset 45 -n 10"; do
    # shellcheck disable=SC2086
    a=$("$CIVSEARCH" -i "$TMP/pidx" --json $page "$q" | jq -c 'del(.elapsed_ms)')
    # shellcheck disable=SC2086
    b=$("$CIVSEARCH" -i "$TMP/pidx" --json --tune prune=0 $page "$q" | jq -c 'del(.elapsed_ms)')
    [ -n "$a" ] && [ "$a" = "$b" ] || fail "$q ($page): the page differs when every long document is weighed"
  done
done
ok "long documents off the page left unweighed: the same pages"

# A field's word that is not in the text (title:ferry; ferry alone finds
# it in the titles only): each hit shows the start of its text, and that
# is the one passage read (the positions say no passage holds the word).
for q in title:ferry ferry; do
  run "$CIVSEARCH" -i "$TMP/pidx" --debug -n 5 "$q"
  assert_rc 0
  printf '%s\n' "$ERR" | grep -q '^civsearch: passage texts read for snippets: 5$' ||
    fail "$q: not one passage read a hit: $(printf '%s\n' "$ERR" | grep 'passage texts')"
  run "$CIVSEARCH" -i "$TMP/pidx" --json -n 5 "$q"
  [ "$(printf '%s' "$OUT" | jq '[.results[] | select(.passage == 1)] | length')" = 5 ] ||
    fail "$q: a snippet not from the first passage"
  for id in $(printf '%s' "$OUT" | jq -r ".results[].id"); do
    start=$(sed -n 5p "$P/$id" | cut -d' ' -f1-6)
    printf '%s' "$OUT" | jq -r --arg id "$id" '.results[] | select(.id == $id) | .snippet' | grep -qF "$start" ||
      fail "$q: $id does not show the start of its text ($start)"
  done
done
ok "a field's word absent from the text: the start shown, one passage read a hit"


# A phrase whose words are in many passages apart ("lantern mooring",
# once a paragraph every fourth) and together in one only (paragraph 31,
# passage 16, which holds them no more often, and is tried after five
# others by their weights alone): the positions say which
# passage holds the phrase, so that its snippet is read first and alone.
Q="$TMP/phrase"
mkdir -p "$Q"
gen "$Q/ledger.md" "Harbour ledger" 50 40 pass="lantern mooring" every=4 dense="mooring lantern" at=31 stride=150
gen "$Q/note.md" "Harbour note" 51 2 pass="lantern mooring"
run "$CIVINDEX" -q -i "$TMP/phidx" "$Q"
assert_rc 0 "civindex (phrase)"
run "$CIVSEARCH" -i "$TMP/phidx" --debug --json '"mooring lantern"'
assert_rc 0
assert_eq "$(jqout '[.results[].id] | join(" ")')" ledger.md "the phrase's one match"
assert_eq "$(jqout '.results[0].passage')" 16 "the passage holding the phrase"
jqout '.results[0].snippet' | grep -q '<b>mooring lantern</b>' || fail "the snippet does not show the phrase"
printf '%s\n' "$ERR" | grep -q '^civsearch: passage texts read for snippets: 1$' ||
  fail "not one passage read: $(printf '%s\n' "$ERR" | grep 'passage texts')"
ok "a phrase's passage found by the positions: its snippet, one passage read"

# A question whose best matches are all long documents: its feedback round
# adds no words (it reads only documents of at most 5,000 words), and the
# match it looked at gives the page, which is the one a second match
# gives (with --facets every match is counted: a match of its own).
F="$TMP/feedback"
mkdir -p "$F"
for i in $(seq 1 12); do
  gen "$F/log$i.md" "Pier log $i" $((400 + i)) 40 pass="ferry lantern" every=$((1 + i % 4)) times=$((1 + i % 2))
done
for i in $(seq 1 4); do
  gen "$F/note$i.md" "Minutes $i" $((500 + i)) 2
done
run "$CIVINDEX" -q -i "$TMP/fbidx" "$F"
assert_rc 0 "civindex (feedback)"
QN="the ferry lantern was lit again on the pier"
run "$CIVSEARCH" -i "$TMP/fbidx" --debug --json --or -n 5 "$QN"
assert_rc 0
printf '%s\n' "$ERR" | grep -q '^civsearch: feedback round: no words added' ||
  fail "the feedback round's match did not give the page"
a=$(printf '%s' "$OUT" | jq -c '[.total, .total_exact, [.results[] | [.id, .score, .passage]]]')
run "$CIVSEARCH" -i "$TMP/fbidx" --debug --json --or -n 5 --facets "$QN"
assert_rc 0
printf '%s\n' "$ERR" | grep -q '^civsearch: feedback round: no words added' &&
  fail "a search counting facets took the feedback round's match"
b=$(printf '%s' "$OUT" | jq -c '[.total, .total_exact, [.results[] | [.id, .score, .passage]]]')
[ -n "$a" ] && [ "$a" = "$b" ] || fail "the pages differ: $a against $b"
assert_eq "$(printf '%s' "$a" | jq '.[2] | length')" 5 "five hits"
ok "a question among long documents: one match for its feedback round and its page"
