#!/bin/sh
# Broken, hostile and odd files: each gets one line naming it and the
# reason, the run goes on, the summary counts it, the exit status says so.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

BAD="$FIXTURES/bad"
IDX="$TMP/idx"
cp -r "$BAD" "$TMP/bad"
# Generated here rather than committed: too big, and a bomb that expands.
head -c 10000 /dev/zero | tr '\0' 'x' > "$TMP/bad/too-big.txt"
head -c 300000 /dev/zero | tr '\0' 'y' | gzip -n > "$TMP/bad/expands.txt.gz"

run "$CIVINDEX" --index "$IDX" --max-size 8K "$TMP/bad"
assert_rc 1 "(skipped/failed files must give exit 1)"
assert_clean_stderr
assert_out_has "indexed 7, skipped 5, failed 3 (2 warnings, 1 ignored)"
# One line per problem, naming the file and the reason.
assert_err_has "skipped: $TMP/bad/binary.txt: binary data"
assert_err_has "skipped: $TMP/bad/empty.txt: empty file"
assert_err_has "skipped: $TMP/bad/scripts-only.html: no text found"
assert_err_has "skipped: $TMP/bad/too-big.txt: larger than the maximum size"
assert_err_has "skipped: $TMP/bad/expands.txt.gz: decompresses to more than the maximum size"
assert_err_has "failed: $TMP/bad/truncated.txt.gz: truncated gzip data"
assert_err_has "failed: $TMP/bad/not-gzip.txt.gz: named .gz but not gzip data"
assert_err_has "failed: $TMP/bad/garbage.xml: malformed XML"
assert_err_has "warning: $TMP/bad/malformed.xml: malformed XML at line 2"
assert_err_has "warning: $TMP/bad/invalid-utf8.txt: invalid UTF-8: 3 bytes replaced"
assert_err_lacks "photo.jpg"          # ignored quietly unless -v
[ "$(printf '%s\n' "$ERR" | wc -l)" -eq 10 ] || fail "expected 10 stderr lines"
ok "bad files reported one line each"

# What could be read is searchable; hidden files are not indexed.
run "$CIVSEARCH" --index "$IDX" --json '*'
assert_rc 0
assert_eq "$(jqout '.total')" 7 "documents"
assert_eq "$(jqout '[.results[].id] | sort | join(",")')" \
  "NOTES,good.txt,invalid-utf8.txt,malformed.html,malformed.xml,nested/deeper/nested.md,xxe.xml" "ids"
run "$CIVSEARCH" --index "$IDX" zebraword
assert_rc 1
run "$CIVSEARCH" --index "$IDX" --json march
assert_rc 0
assert_eq "$(jqout '.results[0].id')" "malformed.html"
run "$CIVSEARCH" --index "$IDX" --json '"footage retention"'
assert_eq "$(jqout '.results[0].id')" "malformed.xml"
# Repaired UTF-8 stays valid JSON; the good words are found.
run "$CIVSEARCH" --index "$IDX" --json wiretaps
assert_eq "$(jqout '.results[0].id')" "invalid-utf8.txt"
printf '%s' "$(jqout '.results[0].snippet')" | grep -q "résumé" || fail "accents lost"
# External entities are never fetched.
run "$CIVSEARCH" --index "$IDX" --show xxe.xml
assert_rc 0
assert_out_lacks "root:"
ok "recovered text searchable, no secrets pulled in"

# -v names every file, ignored ones too.
run "$CIVINDEX" --index "$TMP/idx2" -v --max-size 8K "$TMP/bad"
assert_err_has "ignored: $TMP/bad/photo.jpg"
assert_err_has "indexed: $TMP/bad/good.txt (text, 1 document)"
# -q prints nothing at all, but the status still tells.
run "$CIVINDEX" --index "$TMP/idx3" -q --max-size 8K "$TMP/bad"
assert_rc 1
assert_eq "$OUT$ERR" "" "quiet output"

# An unreadable file (as an unprivileged user: root reads everything).
mkdir -p "$TMP/perm"
printf 'readable words\n' > "$TMP/perm/ok.txt"
printf 'secret words\n' > "$TMP/perm/locked.txt"
chmod 000 "$TMP/perm/locked.txt"
chmod 777 "$TMP" "$TMP/perm"
if [ "$(id -u)" -eq 0 ]; then
  as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
  as_user=""
fi
run $as_user "$CIVINDEX" --index "$TMP/idx4" "$TMP/perm"
assert_rc 1
assert_err_has "failed: $TMP/perm/locked.txt: cannot open: Permission denied"
assert_out_has "indexed 1, skipped 0, failed 1"
ok "unreadable file reported, the rest indexed"

# Fatal: the index cannot be created.
printf 'x' > "$TMP/notadir"
run "$CIVINDEX" --index "$TMP/notadir/idx" "$TMP/perm/ok.txt"
assert_rc 2
assert_err_has "civindex: "
run "$CIVINDEX" --index "$TMP/idx5" "$TMP/does-not-exist"
assert_rc 2
assert_err_has "does-not-exist: No such file or directory"
ok "fatal errors exit 2"
