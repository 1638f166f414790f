#!/bin/sh
# A build in many small shards: workers merge 32 closed shards at a time
# while the run goes on, and the spelling dictionary is written once for
# all of them. The result must be the same collection as a build in one
# shard: every file once, the same answers, the same suggestions.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

D="$TMP/docs"
gen_docs "$D" 700 3
want=$(cd "$D" && find . -type f | sed 's|^\./||' | sort)

# 700 documents in shards of 10: 70 shards, so at least two merges of 32
# happen during the run.
run "$CIVINDEX" --full -j 2 --shard-docs 10 -i "$TMP/many" "$D"
assert_rc 0
assert_out_has "indexed 700"
assert_clean_stderr
[ -e "$TMP/many/tmp" ] && fail "scratch space left behind: $(ls "$TMP/many/tmp")"
got=$(doc_ids "$TMP/many")
[ "$got" = "$want" ] || fail "ids differ from the files: $(printf '%s\n' "$got" | wc -l) documents"
assert_eq "$(printf '%s\n' "$got" | uniq -d | wc -l | tr -d ' ')" 0 "duplicate ids"
ok "70 shards merged: every file once"

# The merges do happen during the run: a crash just after the second one
# (CIVINDEX_CRASH_AT, see civ/indexdir.h) leaves an index that opens, and
# the next run completes it.
CIVINDEX_CRASH_AT=shards-merged:2 "$CIVINDEX" -q --full -j 2 --shard-docs 10 -i "$TMP/crashed" "$D" 2>/dev/null
RC=$?
assert_rc 137 "(no second merge of 32 shards?)"
run "$CIVSEARCH" -i "$TMP/crashed" --stats
assert_rc 0
run "$CIVINDEX" -i "$TMP/crashed" "$D"
[ "$RC" -le 1 ] || fail "re-run after a crash in a merge"
assert_eq "$(doc_ids "$TMP/crashed")" "$want" "ids after a crash in a merge"
ok "a crash after a merge of shards: the next run completes"

run "$CIVINDEX" --full -j 1 -i "$TMP/one" "$D"
assert_rc 0
for q in surveillance "journalist warrant" '"police record"' uniq00123 'title:court'; do
  run "$CIVSEARCH" -i "$TMP/one" -j -n 5 "$q"
  one=$(jqout '.total')
  run "$CIVSEARCH" -i "$TMP/many" -j -n 5 "$q"
  assert_eq "$(jqout '.total')" "$one" "results for $q"
done
ok "the same answers as a build in one shard"

# Shards fill a document at a time: one mbox of 70 messages in shards of
# 2 is 35 shards, so a merge of 32 happens inside that one file.
M="$TMP/mail"
mkdir -p "$M"
awk 'BEGIN { for (i = 1; i <= 70; i++) {
  printf "From sender%d@example.org Mon Jun  3 16:%02d:00 2019\n", i, i % 60
  printf "From: Sender %d <sender%d@example.org>\nTo: records@city.example\n", i, i
  printf "Subject: Records request %d\nMessage-ID: <m%d@example.org>\n", i, i
  printf "Date: Mon, 3 Jun 2019 16:%02d:00 +0000\n\nPlease send the records, item %d.\n\n", i % 60, i
} }' >"$M/requests.mbox"
CIVINDEX_CRASH_AT=shards-merged "$CIVINDEX" -q --full -j 1 --shard-docs 2 -i "$TMP/mbox-idx" "$M" 2>/dev/null
RC=$?
assert_rc 137 "(an mbox's messages did not fill several shards)"
run "$CIVINDEX" --full -j 1 --shard-docs 2 -i "$TMP/mbox-idx" "$M"
assert_rc 0
run "$CIVSEARCH" -i "$TMP/mbox-idx" -j -n 0 'type:letter'
assert_eq "$(jqout '.total')" 70 "messages of the mbox"
ok "an mbox fills shards a message at a time"

# Misspelled words are corrected from the one dictionary: counts came
# from every shard.
run "$CIVSEARCH" -i "$TMP/many" survelance
assert_rc 1
assert_out_has "Did you mean: surveillance"
run "$CIVSEARCH" -i "$TMP/many" -j journalst
assert_eq "$(jqout '.suggestion')" "journalist" "JSON suggestion"
ok "spelling suggestions from a dictionary written once"
