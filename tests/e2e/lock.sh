#!/bin/sh
# A second civindex on the same index fails at once: exit 2, naming the pid.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

gen_docs "$TMP/docs" 300
IDX="$TMP/idx"
"$CIVINDEX" -q -j 1 -i "$IDX" "$TMP/docs" || fail "first index"
echo more >>"$TMP/docs/d001/doc00101.txt"

"$CIVINDEX" -q -j 1 -i "$IDX" "$TMP/docs" &
pid=$!
# Wait until it holds the lock (its pid is in the lock file), then freeze it.
i=0
while [ "$(cat "$IDX/civindex.lock" 2>/dev/null | tr -d '\n')" != "$pid" ]; do
  i=$((i + 1))
  [ $i -gt 500 ] && { kill -9 $pid; fail "first civindex never took the lock"; }
  kill -0 $pid 2>/dev/null || break
  sleep 0.01
done
kill -STOP $pid 2>/dev/null
held=$(cat "$IDX/civindex.lock" | tr -d '\n')
if [ "$held" = "$pid" ]; then
  start=$(date +%s)
  run "$CIVINDEX" -i "$IDX" "$TMP/docs"
  took=$(( $(date +%s) - start ))
  rc1=$RC err1=$ERR
  run "$CIVINDEX" compact -i "$IDX"
  kill -CONT $pid
  assert_rc 2
  assert_err_has "is locked by another civindex (pid $pid)"
  RC=$rc1 ERR=$err1
  assert_rc 2
  assert_err_has "civindex: index $IDX is locked by another civindex (pid $pid)"
  [ "$took" -le 5 ] || fail "the second civindex waited ${took}s instead of failing at once"
  ok "second writer refused with the holder's pid"
else
  kill -CONT $pid 2>/dev/null
  fail "could not catch the first civindex holding the lock"
fi
wait $pid
rc=$?
[ $rc -le 1 ] || fail "first civindex failed: $rc"

# The lock dies with its holder: after kill -9 the next run goes ahead.
"$CIVINDEX" -q -j 1 --full -i "$IDX" "$TMP/docs" &
pid=$!
while [ "$(cat "$IDX/civindex.lock" 2>/dev/null | tr -d '\n')" != "$pid" ] && kill -0 $pid 2>/dev/null; do
  sleep 0.01
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
run "$CIVINDEX" -i "$IDX" "$TMP/docs"
assert_rc 0
assert_eq "$(doc_ids "$IDX" | wc -l | tr -d ' ')" 300 "documents after the killed holder"
ok "a killed holder leaves no stale lock"
