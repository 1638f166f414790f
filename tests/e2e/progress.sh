#!/bin/sh
# The progress line: drawn on a terminal (one line redrawn with \r, files
# done/total, MB/s, skipped), never when stderr is not a terminal; the
# summary always.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"
command -v script >/dev/null || fail "script (util-linux) is needed to give civindex a terminal"

gen_docs "$TMP/docs" 2500 4
IDX="$TMP/idx"

# On a terminal (script gives civindex a pseudo-terminal).
script -q -e -c "'$CIVINDEX' -j 2 -i '$IDX' '$TMP/docs'" "$TMP/tty.log" >/dev/null 2>&1
rc=$?
[ $rc -eq 0 ] || fail "civindex on a terminal: status $rc: $(tail -c 500 "$TMP/tty.log")"
tr '\r' '\n' <"$TMP/tty.log" >"$TMP/tty.lines"
grep -qE '^civindex: [0-9]+(/[0-9]+)? files, [0-9.]+ MB/s' "$TMP/tty.lines" ||
  fail "no progress line on a terminal: $(head -c 600 "$TMP/tty.log")"
grep -qE '^civindex: [0-9]+/2500 files, .*, [0-9]+ skipped' "$TMP/tty.lines" ||
  fail "progress line lacks the total or the skipped count: $(grep -m3 'files,' "$TMP/tty.lines")"
grep -q 'indexed 2500, skipped 0, failed 0' "$TMP/tty.lines" || fail "no summary on a terminal"
# The line is erased before the summary: ESC[K after a carriage return.
grep -q "$(printf '\r\033\\[K')indexed 2500" "$TMP/tty.log" || fail "progress line not cleared before the summary"
ok "progress line on a terminal"

# Not a terminal: no progress at all, the summary still.
echo changed >>"$TMP/docs/d010/doc01000.txt"
touch -d '2021-01-01' "$TMP/docs/d010/doc01000.txt"
run "$CIVINDEX" -j 2 -i "$IDX" "$TMP/docs"
assert_rc 0
assert_err_lacks "MB/s"
assert_err_lacks "$(printf '\r')"
assert_out_has "indexed 1, skipped 0, failed 0"
assert_out_has "unchanged 2499, new 0, changed 1"
ok "no progress when stderr is not a terminal"
