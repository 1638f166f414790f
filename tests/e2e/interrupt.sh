#!/bin/sh
# SIGINT/SIGTERM stop civindex cleanly: what was done is committed, exit
# 130 with a note, and the next run finishes the work. An interrupted
# --full keeps the previous index.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

N=3000
D="$TMP/docs"
IDX="$TMP/idx"
gen_docs "$D" $N 11

# interrupt SIG ARGS...: runs civindex -v, sends SIG once 200 files are
# done; sets RC and ERR.
interrupt() {
  sig=$1
  shift
  : >"$TMP/int.err"
  "$CIVINDEX" -v "$@" >"$TMP/int.out" 2>>"$TMP/int.err" &
  pid=$!
  i=0
  while [ "$(grep -c '^civindex: indexed:' "$TMP/int.err")" -lt 200 ] && kill -0 $pid 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 3000 ] && break
    sleep 0.01
  done
  kill -$sig $pid 2>/dev/null
  wait $pid
  RC=$?
  OUT=$(cat "$TMP/int.out")
  ERR=$(cat "$TMP/int.err")
}

interrupt INT -j 2 -i "$IDX" "$D"
assert_rc 130
assert_err_has "civindex: interrupted; the "
assert_err_has "files done are committed, run again to finish"
assert_clean_stderr
n=$(doc_ids "$IDX" | wc -l | tr -d ' ')
[ "$n" -ge 200 ] && [ "$n" -lt $N ] || fail "documents after an interrupted first run: $n"
ok "SIGINT during a first build: exit 130, $n documents kept"

run "$CIVINDEX" -i "$IDX" "$D"
assert_rc 0
assert_out_has "new $((N - n)), changed 0"
assert_eq "$(doc_ids "$IDX" | wc -l | tr -d ' ')" $N "documents after the next run"
ok "the next run finishes the work"

# Update interrupted by SIGTERM: committed batches stay, nothing pruned.
find "$D" -name '*.txt' -exec sh -c 'for f; do echo "edited qqedit" >>"$f"; done' sh {} +
rm "$D/d000/doc00001.txt"
interrupt TERM -j 2 --batch 50 -i "$IDX" "$D"
assert_rc 130
assert_err_has "civindex: interrupted"
assert_eq "$(doc_ids "$IDX" | uniq -d | wc -l | tr -d ' ')" 0 "duplicate ids"
run "$CIVINDEX" -i "$IDX" "$D"
assert_rc 0
assert_out_has "removed 1"
assert_eq "$(doc_ids "$IDX" | wc -l | tr -d ' ')" $((N - 1)) "documents after finishing the update"
run "$CIVSEARCH" -i "$IDX" -j qqedit
assert_eq "$(jqout '.total')" $((N - 1)) "edited documents found"
ok "SIGTERM during an update: exit 130, the next run finishes"

# An interrupted --full leaves the complete index in place.
before=$(doc_ids "$IDX")
interrupt INT --full -j 2 -i "$IDX" "$D"
assert_rc 130
assert_err_has "the rebuild was dropped and the index is as it was"
assert_eq "$(doc_ids "$IDX")" "$before" "ids after an interrupted --full"
ok "interrupted --full keeps the previous index"
