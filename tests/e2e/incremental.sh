#!/bin/sh
# Incremental re-runs: unchanged files skipped, changed ones re-indexed,
# vanished ones pruned (unless --no-prune), moved ones recognised by their
# content and not extracted again, --full rebuilds.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

D="$TMP/docs"
IDX="$TMP/idx"
mkdir -p "$D/sub"
i=1
while [ $i -le 40 ]; do
  printf 'Report number %d\n\nThe committee examined surveillance case %d and the word marker%d.\n' \
    "$i" "$i" "$i" >"$D/f$i.txt"
  i=$((i + 1))
done
printf '<html><head><title>Open letter</title></head><body><p>We protest the dragnet.</p></body></html>' >"$D/sub/letter.html"
# Old mtimes: files settled long before the run (no same-second doubt).
find "$D" -type f -exec touch -d '2020-01-02 03:04:05' {} +

# ids PATTERN: the ids of every document, sorted.
ids() { "$CIVSEARCH" -i "$IDX" -j -n 10000 --no-collapse '*' | jq -r '.results[].id' | sort; }
count() { ids | wc -l | tr -d ' '; }
dups() { ids | uniq -d | wc -l | tr -d ' '; }

run "$CIVINDEX" -j 2 -i "$IDX" "$D"
assert_rc 0
assert_out_has "indexed 41, skipped 0, failed 0"
assert_out_has "unchanged 0, new 41, changed 0, moved 0, removed 0"
assert_out_has "built with 2 jobs"
assert_eq "$(count)" 41 "documents after the first run"
ok "first run builds 41 documents"

run "$CIVINDEX" -i "$IDX" "$D"
assert_rc 0
assert_out_has "indexed 0, skipped 0, failed 0; 0 documents"
assert_out_has "unchanged 41, new 0, changed 0, moved 0, removed 0"
assert_eq "$(count)" 41 "documents after an unchanged re-run"
ok "unchanged re-run indexes nothing"

# Changed content (other size, other mtime).
printf 'Report number 3\n\nRewritten: the tribunal quashed the warrant zebracrossing.\n' >"$D/f3.txt"
touch -d '2021-05-06 07:08:09' "$D/f3.txt"
run "$CIVINDEX" -v -i "$IDX" "$D"
assert_rc 0
assert_out_has "indexed 1, skipped 0, failed 0; 1 document"
assert_out_has "unchanged 40, new 0, changed 1"
assert_err_has "indexed: $D/f3.txt"
run "$CIVSEARCH" -i "$IDX" -j zebracrossing
assert_eq "$(jqout '.results[0].id')" "f3.txt" "changed file is found by its new word"
run "$CIVSEARCH" -i "$IDX" -j marker3
assert_eq "$(jqout '.total')" 0 "old words of a changed file"
assert_eq "$(count)" 41 "documents after a change"
ok "changed file re-indexed"

# Same size, new mtime, other content: found by the hash.
printf 'Report number 9\n\nThe committee examined surveillance case 9 and the word markerX.\n' >"$D/f9.txt"
touch -d '2021-05-06 07:08:09' "$D/f9.txt"
run "$CIVINDEX" -i "$IDX" "$D"
assert_out_has "changed 1"
run "$CIVSEARCH" -i "$IDX" -j markerx
assert_eq "$(jqout '.results[0].id')" "f9.txt" "same-size change"
ok "same-size change detected by content hash"

# Touched only: same content, new mtime → not re-extracted.
touch -d '2022-01-01 00:00:00' "$D/f4.txt"
run "$CIVINDEX" -v -i "$IDX" "$D"
assert_rc 0
assert_out_has "indexed 0, skipped 0, failed 0"
assert_out_has "unchanged 41"
assert_err_has "touched: $D/f4.txt"
run "$CIVINDEX" -v -i "$IDX" "$D"
assert_err_lacks "touched"
ok "touched file updated without extraction"

# Deleted file pruned.
rm "$D/f5.txt"
run "$CIVINDEX" -v -i "$IDX" "$D"
assert_rc 0
assert_out_has "removed 1"
assert_err_has "removed: $D/f5.txt"
assert_eq "$(count)" 40 "documents after a deletion"
run "$CIVSEARCH" -i "$IDX" --show f5.txt
assert_err_has "no document with id f5.txt"
ok "deleted file pruned"

# --no-prune keeps documents of vanished files; the next run prunes.
rm "$D/f6.txt"
run "$CIVINDEX" --no-prune -i "$IDX" "$D"
assert_out_has "removed 0"
assert_eq "$(count)" 40 "documents with --no-prune"
run "$CIVINDEX" -i "$IDX" "$D"
assert_out_has "removed 1"
assert_eq "$(count)" 39 "documents after pruning"
ok "--no-prune keeps, a later run prunes"

# Moved: same content under a new name → moved, not re-extracted.
mv "$D/f7.txt" "$D/sub/moved7.txt"
run "$CIVINDEX" -v -i "$IDX" "$D"
assert_rc 0
assert_out_has "indexed 0, skipped 0, failed 0; 0 documents"
assert_out_has "new 0, changed 0, moved 1, removed 0"
assert_err_has "moved: $D/sub/moved7.txt (from $D/f7.txt)"
assert_eq "$(count)" 39 "documents after a move"
run "$CIVSEARCH" -i "$IDX" -j marker7
assert_eq "$(jqout '.results[0].id')" "sub/moved7.txt" "moved document's id"
assert_eq "$(jqout '.results[0].path')" "$D/sub/moved7.txt" "moved document's path"
run "$CIVSEARCH" -i "$IDX" -j 'id:sub/moved7.txt'
assert_eq "$(jqout '.total')" 1 "id filter on the new id"
run "$CIVSEARCH" -i "$IDX" -j 'id:f7.txt'
assert_eq "$(jqout '.total')" 0 "old id is gone"
run "$CIVINDEX" -i "$IDX" "$D"
assert_out_has "unchanged 39, new 0, changed 0, moved 0, removed 0"
ok "moved file recognised by its content"

# A copy is new (the original is still there).
cp -p "$D/f8.txt" "$D/f8-copy.txt"
run "$CIVINDEX" -i "$IDX" "$D"
assert_out_has "new 1, changed 0, moved 0"
assert_eq "$(count)" 40 "documents after a copy"
ok "copy indexed as a new file"

# Another root in the same index is not pruned by a run over the first.
mkdir -p "$TMP/other"
printf 'Other root document about habeas corpus.\n' >"$TMP/other/o.txt"
touch -d '2020-01-02' "$TMP/other/o.txt"
run "$CIVINDEX" -i "$IDX" "$TMP/other"
assert_out_has "new 1"
run "$CIVINDEX" -i "$IDX" "$D"
assert_out_has "removed 0"
assert_eq "$(count)" 41 "documents of two roots"
ok "pruning stays within the run's roots"

# --full rebuilds from scratch: only what this run walks.
run "$CIVINDEX" --full -j 2 -i "$IDX" "$D"
assert_rc 0
assert_out_has "indexed 40, skipped 0, failed 0"
assert_out_has "built with 2 jobs"
assert_eq "$(count)" 40 "documents after --full"
assert_eq "$(dups)" 0 "duplicate ids"
ok "--full rebuilds"

# One job gives the same index; so do many small shards.
run "$CIVINDEX" --full -j 1 -i "$TMP/idx1" "$D"
assert_out_has "indexed 40"
assert_eq "$(doc_ids "$TMP/idx1" | tr '\n' ' ')" \
  "$(ids | tr '\n' ' ')" "ids with -j 1 and -j 2"
run "$CIVINDEX" --full -j 2 --shard-docs 3 -i "$TMP/idx3" "$D"
assert_out_has "indexed 40"
assert_eq "$(doc_ids "$TMP/idx3" | tr '\n' ' ')" \
  "$(ids | tr '\n' ' ')" "ids with shards of 3 documents"
run "$CIVSEARCH" -i "$TMP/idx3" -j marker12
assert_eq "$(jqout '.results[0].id')" "f12.txt" "search in an index merged from many shards"
ok "-j 1, -j 2 and 14 small shards agree"

# Compaction into a single file, searched, then updated again.
run "$CIVINDEX" --compact -i "$IDX" "$D"
assert_rc 0
assert_out_has "compacted to one file"
[ -f "$(ls -d "$IDX"/db.*.glass)" ] || fail "no single-file generation in $IDX"
run "$CIVSEARCH" -i "$IDX" -j marker12
assert_eq "$(jqout '.results[0].id')" "f12.txt" "search in a compacted index"
printf 'Fresh file after compaction about encryption.\n' >"$D/fresh.txt"
run "$CIVINDEX" -i "$IDX" "$D"
assert_rc 0
assert_out_has "new 1"
[ -d "$(ls -d "$IDX"/db.* | head -1)" ] || fail "index not turned back into a folder"
assert_eq "$(count)" 41 "documents after updating a compacted index"
run "$CIVINDEX" compact -i "$IDX" -o "$TMP/deploy.glass"
assert_rc 0
[ -f "$TMP/deploy.glass" ] || fail "no deployment file"
run "$CIVSEARCH" -i "$TMP/deploy.glass" -j encryption
assert_eq "$(jqout '.results[0].id')" "fresh.txt" "search in the deployment file"
ok "--compact and civindex compact"

# The table of word counts a question's feedback round reads: written by
# each run (a later commit leaves it unused), carried by compaction, and
# giving the page the posting lists give (--tune counts=0).
QN="what did the committee find when it examined the surveillance case"
counted() {
  run "$CIVSEARCH" -i "$1" --debug --json --or -n 5 "$QN"
  assert_rc 0 "question in $1"
  from=$(printf '%s\n' "$ERR" | sed -n 's/^civsearch: feedback round: [0-9]* candidate words counted from //p')
  [ "$from" = "the index's table of counts" ] || fail "$2: feedback words counted from '$from'"
  a=$(printf '%s' "$OUT" | jq -c 'del(.elapsed_ms)')
  run "$CIVSEARCH" -i "$1" --debug --json --or -n 5 --tune counts=0 "$QN"
  printf '%s\n' "$ERR" | grep -q 'counted from their posting lists' || fail "$2: counts=0 read the table"
  [ "$a" = "$(printf '%s' "$OUT" | jq -c 'del(.elapsed_ms)')" ] || fail "$2: the table gives another page"
}
counted "$IDX" "after an update"
printf 'The committee examined the surveillance case of the harbor.\n' >"$D/harbor.txt"
run "$CIVINDEX" -i "$IDX" "$D"
assert_rc 0
counted "$IDX" "after a second update"
counted "$TMP/deploy.glass" "in the deployment file"
run "$CIVINDEX" --compact -i "$IDX" "$D"
assert_rc 0
counted "$IDX" "after --compact"
counted "$TMP/idx3" "after a build of 14 shards"
rm "$D/harbor.txt"
ok "the feedback round's word counts from the index's table, as from the posting lists"

# An index folder that is itself a Xapian database (the older layout) is
# updated in place, and --full turns it into generations.
LEG="$TMP/legacy"
cp -r "$(ls -d "$TMP"/idx1/db.* | head -1)" "$LEG"
[ -f "$LEG/iamglass" ] || fail "test setup: no glass database copied"
rm "$D/f10.txt"
run "$CIVINDEX" -i "$LEG" "$D"
assert_rc 0
assert_out_has "removed 1"
assert_eq "$("$CIVSEARCH" -i "$LEG" -j -n 10000 --no-collapse '*' | jq '.results | length')" 40 "documents in the legacy index"
run "$CIVINDEX" --full -i "$LEG" "$D"
assert_rc 0
[ -f "$LEG/XAPIANDB" ] && [ ! -e "$LEG/iamglass" ] || fail "legacy index not turned into generations: $(ls "$LEG")"
assert_eq "$("$CIVSEARCH" -i "$LEG" -j -n 10000 --no-collapse '*' | jq '.results | length')" 40 "documents after converting"
ok "legacy index: updated in place, converted by --full"
