# Ranking and snippets: behaviours that bench/relevance tuned and that
# must not regress (title weight, phrases, natural-language queries,
# snippets that show the matched words).
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

D="$TMP/docs"
mkdir -p "$D"
filler() { # N words of neutral text
  i=0
  while [ "$i" -lt "$1" ]; do
    printf 'the committee met again on tuesday and reviewed the minutes of the previous session. '
    i=$((i + 1))
  done
}
cat >"$D/title.md" <<'T'
---
title: Surveillance of journalists
---
A report from the press freedom desk about a weekly meeting.
T
cat >"$D/body.md" <<'T'
---
title: Weekly notes
---
Among other things the notes mention surveillance once, in passing.
T
cat >"$D/phrase.md" <<'T'
---
title: Marriage law
---
Marriage shall be entered into only with the free and full consent of the intending spouses.
T
cat >"$D/scattered.md" <<'T'
---
title: Consent forms
---
The form is free to download. Full instructions follow. Consent is recorded on paper.
T
{ printf -- '---\ntitle: Long minutes\n---\n'; filler 60; printf 'Finally the writ of habeas corpus was discussed. '; filler 5; } >"$D/deep.md"
cat >"$D/detention.md" <<'T'
---
title: Detained reporter
---
The reporter was detained without charge for twelve days and denied access to a lawyer.
The court refused to hear an appeal against the arbitrary detention.
T

cat >"$D/french.md" <<'T'
---
title: Rapport annuel
---
Le rapport annuel décrit les cas. Détention arbitraire de militants à Paris.
T

run "$CIVINDEX" -q -i "$TMP/idx" "$D"
[ "$RC" -le 1 ] || fail "civindex failed"

# A title match ranks above a body match of the same word.
run "$CIVSEARCH" -i "$TMP/idx" --json surveillance
assert_rc 0
assert_eq "$(jqout '.results | length')" 2 "hits for surveillance"
assert_eq "$(jqout '.results[0].id')" title.md "best hit for surveillance"
ok "title match beats body match"

# A phrase finds the exact phrase only; the same words ANDed find both.
run "$CIVSEARCH" -i "$TMP/idx" --json '"free and full consent"'
assert_rc 0
assert_eq "$(jqout '[.results[].id] | join(",")')" phrase.md "phrase hits"
jqout '.results[0].snippet' | grep -q '<b>free and full consent</b>' || fail "phrase not highlighted as one"
run "$CIVSEARCH" -i "$TMP/idx" --json free full consent
assert_eq "$(jqout '[.results[].id] | sort | join(",")')" "phrase.md,scattered.md" "AND hits"
ok "phrase search"

# The snippet shows the matched word even deep in a long text, and not
# the start of the text.
run "$CIVSEARCH" -i "$TMP/idx" --json habeas
assert_rc 0
snip=$(jqout '.results[0].snippet')
printf '%s' "$snip" | grep -q '<b>habeas</b> corpus' || fail "deep match not in snippet: $snip"
case "$snip" in …*) ;; *) fail "snippet from the middle should start with …: $snip" ;; esac
ok "snippet of a deep match"

# A field query's word is highlighted in the body text too; a match that
# is only in the title gives the start of the text.
run "$CIVSEARCH" -i "$TMP/idx" --json title:marriage
jqout '.results[0].snippet' | grep -q '<b>Marriage</b> shall' || fail "title: word not highlighted in body"
run "$CIVSEARCH" -i "$TMP/idx" --json title:journalists
assert_eq "$(jqout '.results[0].snippet')" "A report from the press freedom desk about a weekly meeting." "title-only snippet"
ok "field query snippets"

# Stemming: a plural finds the singular and is highlighted.
run "$CIVSEARCH" -i "$TMP/idx" --json reporters
assert_eq "$(jqout '.results[0].id')" detention.md "stemmed match"
jqout '.results[0].snippet' | grep -q '<b>reporter</b>' || fail "stemmed word not highlighted"
ok "stemming"

# Wildcards and words beyond ASCII are highlighted too.
run "$CIVSEARCH" -i "$TMP/idx" --json 'surveil*'
jqout '[.results[].snippet] | join(" ")' | grep -q '<b>surveillance</b>' || fail "wildcard not highlighted"
run "$CIVSEARCH" -i "$TMP/idx" --json détention
assert_eq "$(jqout '.results[0].id')" french.md "accented word"
jqout '.results[0].snippet' | grep -q '<b>Détention</b> arbitraire' || fail "accented word not highlighted"
ok "wildcard and accented highlights"

# A paragraph of facts (plain text, 10 words or more) is a natural-language
# query: any word may match, the best first, without --or. --and keeps
# every word required.
q="A journalist was held for twelve days without charge and without a lawyer; the court would not hear her appeal."
run "$CIVSEARCH" -i "$TMP/idx" --json "$q"
assert_rc 0
assert_eq "$(jqout '.results[0].id')" detention.md "best hit for the paragraph"
run "$CIVSEARCH" -i "$TMP/idx" --json --and "$q"
assert_rc 1
assert_eq "$(jqout '.total')" 0 "--and paragraph"
ok "natural-language query"

# Long pasted text is accepted (up to 8 KiB); a longer one is refused.
long=$(filler 40)
run "$CIVSEARCH" -i "$TMP/idx" --json "$long habeas"
assert_rc 0
huge=$(filler 120)
run "$CIVSEARCH" -i "$TMP/idx" "$huge"
assert_rc 2
assert_err_has "query is too long"
ok "long queries"

# A pasted page keeps its 128 most telling words.
page=$(i=0; while [ "$i" -lt 300 ]; do printf 'word%s ' "$i"; i=$((i + 1)); done)
run "$CIVSEARCH" -i "$TMP/idx" --debug "$page habeas"
assert_rc 0
assert_err_has "ELITE_SET 128"
ok "pasted page"

# --debug tells where the time went.
run "$CIVSEARCH" -i "$TMP/idx" --debug surveillance
assert_rc 0
assert_err_has "civsearch: ms: open"
assert_clean_stderr
ok "--debug timing"
