#!/bin/sh
# civsearch keeps answering while civindex writes: updates committed in
# small batches, a --full rebuild swapping in a new generation, and a
# compaction. Searches run in a loop the whole time: 0 errors.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

D="$TMP/docs"
IDX="$TMP/idx"
gen_docs "$D" 2000 3
"$CIVINDEX" -q -i "$IDX" "$D" || fail "initial index"

# The writer: several kinds of run, one after the other. A search fails
# ("index changed while reading") only when it reads for longer than two
# of the writer's commits, even after reopening five times. Under valgrind
# (make test-valgrind) a search costs a second or more and a commit of 20
# documents less, so there the batches are of 200.
batch=20
[ "${CIV_VALGRIND:-0}" = 1 ] && batch=200
(
  for round in 1 2 3; do
    find "$D" -name "doc*$round.txt" -exec sh -c 'for f; do echo "round '$round' extra words" >>"$f"; done' sh {} +
    "$CIVINDEX" -q -j 2 --batch $batch -i "$IDX" "$D" || exit 1
  done
  "$CIVINDEX" -q -j 2 --full -i "$IDX" "$D" || exit 1
  "$CIVINDEX" -q --compact -i "$IDX" "$D" || exit 1
  echo more text >>"$D/d001/doc00100.txt"
  "$CIVINDEX" -q -j 2 -i "$IDX" "$D" || exit 1
  touch "$TMP/writer.done"
) >"$TMP/writer.log" 2>&1 &
writer=$!

searches=0
errors=0
: >"$TMP/search.err"
while kill -0 $writer 2>/dev/null; do
  for q in court 'privacy AND data' '"freedom speech"' 'surv*' uniq00042; do
    "$CIVSEARCH" -i "$IDX" -j -n 5 "$q" >"$TMP/s.out" 2>>"$TMP/search.err"
    rc=$?
    searches=$((searches + 1))
    if [ $rc -ne 0 ] || ! jq -e '.total > 0' "$TMP/s.out" >/dev/null 2>&1; then
      errors=$((errors + 1))
      echo "query $q: status $rc: $(head -c 300 "$TMP/s.out")" >>"$TMP/search.err"
    fi
  done
done
wait $writer
[ -f "$TMP/writer.done" ] || fail "writer failed: $(cat "$TMP/writer.log")"
[ $searches -ge 20 ] || fail "only $searches searches ran"
[ $errors -eq 0 ] || fail "$errors of $searches searches failed: $(head -c 1500 "$TMP/search.err")"
ok "$searches searches while civindex wrote, 0 errors"
assert_eq "$(doc_ids "$IDX" | wc -l | tr -d ' ')" 2000 "documents at the end"
