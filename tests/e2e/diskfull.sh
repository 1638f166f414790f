#!/bin/sh
# A read-only index folder and a full disk: a clear error, exit 2, and the
# index as it was last committed, intact. Runs in a private mount namespace
# (unshare -m) so that its read-only bind mount and its tiny tmpfs vanish
# with it; fails, rather than skipping, when those are not available.
if [ -z "${CIV_IN_NS:-}" ]; then
  command -v unshare >/dev/null || { echo "FAIL: unshare (util-linux) is needed" >&2; exit 1; }
  CIV_IN_NS=1 exec unshare -m --propagation private sh "$0" "$@"
  echo "FAIL: cannot enter a mount namespace (unshare -m)" >&2
  exit 1
fi
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

# --- read-only index folder -----------------------------------------------
gen_docs "$TMP/small" 50 5
RO="$TMP/ro"
mkdir -p "$RO"
"$CIVINDEX" -q -i "$RO/idx" "$TMP/small" || fail "initial index"
before=$(doc_ids "$RO/idx")
mount --bind "$RO" "$RO" && mount -o remount,bind,ro "$RO" ||
  fail "cannot make a read-only bind mount (needed by this test)"
touch "$RO/idx/probe" 2>/dev/null && fail "bind mount is not read-only"
echo "a change" >>"$TMP/small/d000/doc00010.txt"
run "$CIVINDEX" -i "$RO/idx" "$TMP/small"
assert_rc 2
assert_err_has "civindex: cannot write to index $RO/idx: Read-only file system"
assert_clean_stderr
assert_eq "$(doc_ids "$RO/idx")" "$before" "ids in the read-only index"
run "$CIVINDEX" -i "$RO/new-idx" "$TMP/small"
assert_rc 2
assert_err_has "cannot create index $RO/new-idx: Read-only file system"
run "$CIVINDEX" compact -i "$RO/idx"
assert_rc 2
assert_err_has "Read-only file system"
umount "$RO"
ok "read-only index folder: exit 2, index intact"

# As an unprivileged user (root ignores permission bits).
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
  chmod 755 "$TMP" "$TMP/small"
  find "$TMP/small" -type d -exec chmod 755 {} + 
  find "$TMP/small" -type f -exec chmod 644 {} +
  run setpriv --reuid=65534 --regid=65534 --clear-groups "$CIVINDEX" -i "$RO/idx" "$TMP/small"
  assert_rc 2
  assert_err_has "civindex: cannot write to index $RO/idx: Permission denied"
  assert_eq "$(doc_ids "$RO/idx")" "$before" "ids after a refused user"
  ok "index folder not writable by the user: exit 2"
fi

# --- full disk: a 3 MB tmpfs -------------------------------------------------
# Xapian loses one allocation when a commit fails for lack of space (see
# tests/lsan-diskfull.supp); sanitizer builds suppress that one leak here.
LSAN_OPTIONS="suppressions=$CIV_SOURCE_DIR/tests/lsan-diskfull.supp:print_suppressions=0"
export LSAN_OPTIONS
FULL="$TMP/full"
mkdir -p "$FULL"
mount -t tmpfs -o size=3m tmpfs "$FULL" || fail "cannot mount a small tmpfs (needed by this test)"
"$CIVINDEX" -q -i "$FULL/idx" "$TMP/small" || fail "small index on the tmpfs"
before=$(doc_ids "$FULL/idx")
gen_docs "$TMP/big/batch" 6000 9

# An update that cannot fit: committed batches stay, nothing is half-written.
run "$CIVINDEX" -j 2 -i "$FULL/idx" "$TMP/big"
assert_rc 2
assert_err_has "No space left on device"
assert_clean_stderr
run "$CIVSEARCH" -i "$FULL/idx" -j -n 1 court
assert_rc 0
n=$(doc_ids "$FULL/idx" | wc -l | tr -d ' ')
[ "$n" -ge 50 ] || fail "documents lost after a full disk: $n"
assert_eq "$(doc_ids "$FULL/idx" | uniq -d | wc -l | tr -d ' ')" 0 "duplicate ids after a full disk"
ok "update on a full disk: exit 2, $n documents committed and searchable"

# A rebuild that cannot fit leaves the previous generation in use.
snapshot=$(doc_ids "$FULL/idx")
run "$CIVINDEX" --full -j 2 -i "$FULL/idx" "$TMP/big"
assert_rc 2
assert_err_has "No space left on device"
assert_eq "$(doc_ids "$FULL/idx")" "$snapshot" "ids after a failed rebuild"
[ -e "$FULL/idx/tmp" ] && fail "scratch space left behind: $(ls "$FULL/idx/tmp")"
ok "rebuild on a full disk: exit 2, previous index in use, scratch removed"

# With room again, the next run completes the work.
mount -o remount,size=256m "$FULL" || fail "cannot grow the tmpfs"
run "$CIVINDEX" -i "$FULL/idx" "$TMP/big"
[ "$RC" -le 1 ] || fail "run after freeing space"
assert_eq "$(doc_ids "$FULL/idx" | wc -l | tr -d ' ')" "$(find "$TMP/big" "$TMP/small" -type f | wc -l | tr -d ' ')" "documents after freeing space"
assert_eq "$(doc_ids "$FULL/idx" | uniq -d | wc -l | tr -d ' ')" 0 "duplicate ids"
umount "$FULL"
ok "after freeing space the next run completes"
