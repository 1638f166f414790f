#!/bin/sh
# A second civindex on the same index fails at once: exit 2, naming the pid.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

gen_docs "$TMP/docs" 1500
IDX="$TMP/idx"
"$CIVINDEX" -q -j 1 -i "$IDX" "$TMP/docs" || fail "first index"
echo more >>"$TMP/docs/d001/doc00101.txt"

# The first writer stops itself (SIGSTOP) at its first walked path, holding
# the lock, until the test sends SIGCONT: no race with a run that ends early.
CIVINDEX_CRASH_AT=walk:1:stop "$CIVINDEX" -q -j 1 --full -i "$IDX" "$TMP/docs" &
pid=$!
at_exit() { kill -KILL $pid 2>/dev/null; }
i=0
while [ "$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null)" != T ]; do
  i=$((i + 1))
  kill -0 $pid 2>/dev/null && [ $i -lt 6000 ] || fail "the first civindex did not stop at its first walked path"
  sleep 0.01
done
assert_eq "$(cat "$IDX/civindex.lock" 2>/dev/null | tr -d '\n')" "$pid" "pid in the lock file of the stopped writer"
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
wait $pid
rc=$?
[ $rc -le 1 ] || fail "first civindex failed: $rc"

# The lock dies with its holder: a writer killed (SIGKILL, at its first
# walked path) while it holds the lock leaves its pid in the lock file, and
# the next run goes ahead.
CIVINDEX_CRASH_AT=walk "$CIVINDEX" -q -j 1 --full -i "$IDX" "$TMP/docs"
[ $? -ge 128 ] || fail "the writer told to die at its first walked path did not"
[ -n "$(cat "$IDX/civindex.lock" 2>/dev/null)" ] || fail "the killed writer left no pid in the lock file"
run "$CIVINDEX" -i "$IDX" "$TMP/docs"
assert_rc 0
assert_eq "$(doc_ids "$IDX" | wc -l | tr -d ' ')" 1500 "documents after the killed holder"
ok "a killed holder leaves no stale lock"
