#!/bin/sh
# kill -9 at several points of a run: the index still opens and answers,
# and the next run ends with exactly the right documents (none lost, none
# duplicated). Points are hit exactly with CIVINDEX_CRASH_AT (see
# civ/indexdir.h), and at random moments with kill -9 from outside.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

N=1200
D="$TMP/docs"
gen_docs "$D" $N 7

# check_opens IDX: the index opens and answers a query.
check_opens() {
  run "$CIVSEARCH" -i "$1" --stats
  assert_rc 0
  run "$CIVSEARCH" -i "$1" -j -n 1 court
  [ "$RC" -le 1 ] || fail "search after a crash ($2)"
}

# check_complete IDX WHAT: after a normal run, exactly the files on disk,
# and no id twice.
check_complete() {
  run "$CIVINDEX" -i "$1" "$D"
  [ "$RC" -le 1 ] || fail "re-run after a crash ($2)"
  want=$(cd "$D" && find . -type f | sed 's|^\./||' | sort)
  got=$(doc_ids "$1")
  [ "$got" = "$want" ] || fail "$2: ids differ from the files: $(printf '%s\n' "$got" | wc -l) documents for $(printf '%s\n' "$want" | wc -l) files"
  assert_eq "$(doc_ids "$1" | uniq -d | wc -l | tr -d ' ')" 0 "duplicate ids ($2)"
}

# crash_run WHAT ARGS...: runs civindex with CIVINDEX_CRASH_AT=WHAT and
# expects it to die by SIGKILL.
crash_run() {
  at=$1
  shift
  CIVINDEX_CRASH_AT=$at "$CIVINDEX" -q "$@" >/dev/null 2>"$TMP/crash.err"
  rc=$?
  [ $rc -eq 137 ] || fail "civindex did not crash at $at (status $rc): $(cat "$TMP/crash.err")"
}

# 1. A first build killed in each phase: walking, extracting (after 500
#    files), a worker's scratch shard closed, the shards merged, the new
#    generation renamed into place.
for at in walk:600 file:500 shard:2 merged renamed:2; do
  IDX="$TMP/idx-$at"
  crash_run "$at" -j 2 --shard-docs 200 -i "$IDX" "$D"
  check_opens "$IDX" "build, $at"
  check_complete "$IDX" "build, $at"
  ok "first build killed at $at: opens, then completes"
done

# 2. Updates killed before and after commits of the live index: change a
#    third of the files, delete some, add some, move some.
IDX="$TMP/idx"
"$CIVINDEX" -q -i "$IDX" "$D" || fail "initial index"
step=0
for at in commit:3 committed:2 file:100 prune commit:1; do
  step=$((step + 1))
  find "$D" -name "doc*[0-9]$step.txt" -exec sh -c 'for f; do echo "changed in step '$step' zz$step" >>"$f"; done' sh {} +
  find "$D" -name "doc*$((step + 1))7.txt" -exec rm {} +
  mkdir -p "$D/new$step"
  gen_docs "$D/new$step" 150 $((step + 10))
  for f in $(find "$D/d002" -name "doc*$step[05].txt"); do mv "$f" "$D/new$step/"; done
  crash_run "$at" -j 2 --batch 100 -i "$IDX" "$D"
  check_opens "$IDX" "update, $at"
  before=$(doc_ids "$IDX" | uniq -d | wc -l | tr -d ' ')
  assert_eq "$before" 0 "duplicate ids right after the crash ($at)"
  check_complete "$IDX" "update, $at"
  run "$CIVSEARCH" -i "$IDX" -j "zz$step"
  want=$(grep -rl "zz$step" "$D" | wc -l | tr -d ' ')
  assert_eq "$(jqout '.total')" "$want" "changed files found after step $step"
  ok "update killed at $at: opens, then completes"
done

# 3. kill -9 from outside at moments nobody chose.
for delay in 0.3 0.7 0.15; do
  step=$((step + 1))
  find "$D" -name "*.txt" -exec sh -c 'for f; do echo "again '$step' yy'$step'" >>"$f"; done' sh {} +
  "$CIVINDEX" -q -j 2 --batch 50 -i "$IDX" "$D" >/dev/null 2>&1 &
  pid=$!
  sleep $delay
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  [ $? -eq 137 ] && killed="killed mid-run" || killed="had finished"
  check_opens "$IDX" "kill after ${delay}s"
  assert_eq "$(doc_ids "$IDX" | uniq -d | wc -l | tr -d ' ')" 0 "duplicate ids after kill at ${delay}s"
  check_complete "$IDX" "kill after ${delay}s"
  ok "kill after ${delay}s ($killed): opens, then completes"
done

# 4. Compaction killed after the compacted copy is written, before it is
#    published: the index in use is untouched, and a later run goes on.
CIVINDEX_CRASH_AT=compacted "$CIVINDEX" compact -i "$IDX" >/dev/null 2>"$TMP/crash.err"
rc=$?
[ $rc -eq 137 ] || fail "civindex compact did not crash (status $rc): $(cat "$TMP/crash.err")"
check_opens "$IDX" "compaction"
check_complete "$IDX" "killed compaction"
run "$CIVINDEX" compact -i "$IDX"
assert_rc 0 "compaction after a killed one"
check_opens "$IDX" "compacted"
check_complete "$IDX" "compacted, then updated"
ok "compaction killed before publishing: the index in use stays, the next compaction and update work"

# 5. A --full rebuild killed midway leaves the previous index in use.
before=$(doc_ids "$IDX" | wc -l | tr -d ' ')
crash_run file:300 --full -j 2 -i "$IDX" "$D"
assert_eq "$(doc_ids "$IDX" | wc -l | tr -d ' ')" "$before" "documents after a killed --full"
check_complete "$IDX" "killed --full"
ok "killed --full keeps the previous index"
