#!/bin/sh
# Odd files and I/O faults: each gives one line naming the file (or a
# clean exit 2), the run goes on, the last committed index stays intact.
#  - a FIFO, a device node and a link to one, a unix socket, symbolic link
#    loops, a 2 GB sparse file, names with a newline and invalid UTF-8,
#    a folder of 50,000 entries, a folder not readable by the user;
#  - files deleted, truncated and replaced while civindex reads them;
#  - a full disk while compacting (civindex compact).
# Also covered elsewhere: an unreadable file (bad_input.sh), a read-only
# index folder and a full disk while indexing (diskfull.sh).
# Runs in a private mount namespace (unshare -m) for its small tmpfs.
if [ -z "${CIV_IN_NS:-}" ]; then
  command -v unshare >/dev/null || { echo "FAIL: unshare (util-linux) is needed" >&2; exit 1; }
  CIV_IN_NS=1 exec unshare -m --propagation private sh "$0" "$@"
  echo "FAIL: cannot enter a mount namespace (unshare -m)" >&2
  exit 1
fi
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"
command -v python3 >/dev/null || fail "python3 is needed (a unix socket)"

# --- odd files -----------------------------------------------------------------
D="$TMP/odd"
mkdir -p "$D/loops/sub" "$D/many"
printf 'An ordinary letter about surveillance.\n' >"$D/good.txt"
mkfifo "$D/fifo.txt"
mknod "$D/null-device.txt" c 1 3
ln -s /dev/null "$D/link-to-null.txt"
ln -s /dev/zero "$D/link-to-zero.txt"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$D/socket.txt"
ln -s loop-b "$D/loops/loop-a.txt"
ln -s loop-a.txt "$D/loops/loop-b"
ln -s .. "$D/loops/sub/up"          # a folder loop
ln -s "$D/loops" "$D/loops/sub/again"
truncate -s 2G "$D/sparse.txt"
printf 'newline name quokkaword\n' >"$D/$(printf 'new\nline.txt')"
printf 'latin1 name wombatword\n' >"$D/$(printf 'caf\351.txt')"
printf 'another latin1 name wombatword too\n' >"$D/$(printf 'caf\350.txt')"
printf 'two spaces wombatword\n' >"$D/a  b.txt"
printf 'one space wombatword\n' >"$D/a b.txt"
(cd "$D/many" && seq -f 'e%05g.dat' 1 50000 | xargs touch)
printf 'the one with words numbatword\n' >"$D/many/e50001.txt"

run timeout 300 "$CIVINDEX" -i "$TMP/idx" "$D"
[ "$RC" -le 1 ] || fail "civindex over odd files (exit $RC)"
assert_clean_stderr
# The 50,000 empty files: one line each, then set aside.
assert_eq "$(printf '%s\n' "$ERR" | grep -c '/many/e[0-9]*\.dat: empty file$')" 50000 "lines for the empty files"
ERR=$(printf '%s\n' "$ERR" | grep -v '/many/e[0-9]*\.dat: empty file$')
printf '%s\n' "$ERR" | grep -v '^civindex: ' | grep -v '^  ' >/dev/null &&
  fail "lines not in civindex's format"
# Link loops: one line each. FIFOs, devices, sockets and links to devices
# are never opened (a FIFO would block the run): one line each, saying
# what they are.
assert_err_has "failed: $D/loops/loop-a.txt: cannot read: Too many levels of symbolic links"
assert_err_has "failed: $D/loops/loop-b: cannot read: Too many levels of symbolic links"
assert_err_has "skipped: $D/sparse.txt: larger than the maximum size"
for f in fifo.txt null-device.txt socket.txt link-to-null.txt link-to-zero.txt; do
  [ "$(printf '%s\n' "$ERR" | grep -c "$f")" -eq 1 ] || fail "$f: not one line for a special file"
done
assert_err_has "skipped: $D/fifo.txt: a named pipe (FIFO), not a regular file"
assert_err_has "skipped: $D/socket.txt: a socket, not a regular file"
assert_err_has "skipped: $D/null-device.txt: a device, not a regular file"
assert_out_has "indexed 7, skipped 50006, failed 2"
run "$CIVSEARCH" -i "$TMP/idx" -j --or surveillance quokkaword wombatword numbatword
assert_rc 0
assert_eq "$(jqout '.total')" 7 "documents found"
run "$CIVSEARCH" -i "$TMP/idx" -j -n 10 '*'
# Ids are clean UTF-8 on one line, one for each name: a byte a document
# field would change or lose (invalid UTF-8, a newline, a second space)
# is written as U+FFFD and its hex digits.
R=$(printf '\357\277\275')
assert_eq "$(jqout '[.results[].id] | sort | join("|")')" \
  "a b.txt|a ${R}20b.txt|caf${R}E8.txt|caf${R}E9.txt|good.txt|many/e50001.txt|new${R}0Aline.txt" "ids (one for each name)"
# A second run reads nothing again, moves nothing.
run "$CIVINDEX" -i "$TMP/idx" "$D"
assert_out_has "indexed 0,"
assert_out_has "unchanged 7, new 0, changed 0, moved 0, removed 0"
ok "FIFO, devices, socket, link loops, 2 GB sparse file, odd names, 50,000 entries: one line each where there is something to say"

# --- a folder and a file the user may not read --------------------------------
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
  P="$TMP/perm"
  mkdir -p "$P/closed" "$P/open"
  printf 'readable words\n' >"$P/open/ok.txt"
  printf 'secret words\n' >"$P/closed/secret.txt"
  printf 'secret words\n' >"$P/open/locked.txt"
  chmod 755 "$TMP" "$P" "$P/open"; chmod 644 "$P/open/ok.txt"
  chmod 000 "$P/closed" "$P/open/locked.txt"
  mkdir -p "$TMP/pidx"; chown 65534 "$TMP/pidx"
  run setpriv --reuid=65534 --regid=65534 --clear-groups "$CIVINDEX" -i "$TMP/pidx" "$P"
  assert_rc 1
  assert_err_has "failed: $P/closed: cannot read: Permission denied"
  assert_err_has "failed: $P/open/locked.txt: cannot open: Permission denied"
  assert_out_has "indexed 1,"
  ok "unreadable folder and file: one line each, the rest indexed"
else
  echo "skip: unreadable folder (setpriv cannot drop to nobody here)"
fi

# --- files deleted, truncated, replaced while civindex reads them --------------
gen_docs "$TMP/churn" 3000 4
( i=0
  while [ ! -e "$TMP/churn.stop" ]; do
    i=$(( (i % 2900) + 1 ))
    f=$(printf '%s/d%03d/doc%05d.txt' "$TMP/churn" $((i / 100)) "$i")
    case $((i % 3)) in
      0) rm -f "$f" ;;
      1) : >"$f" ;;
      2) printf 'replaced while read platypusword\n' >"$f.new" && mv "$f.new" "$f" ;;
    esac
  done ) &
churner=$!
run "$CIVINDEX" -j 2 -i "$TMP/cidx" "$TMP/churn"
touch "$TMP/churn.stop"; wait "$churner"
[ "$RC" -le 1 ] || fail "civindex while files change (exit $RC)"
assert_clean_stderr
printf '%s\n' "$ERR" | grep -v '^civindex: \(skipped\|failed\|warning\): ' | grep . &&
  fail "a line not in civindex's format"
run "$CIVSEARCH" -i "$TMP/cidx" -j -n 1 '*'
assert_rc 0
# The next run makes the index match the folder as it is now.
run "$CIVINDEX" -j 2 -i "$TMP/cidx" "$TMP/churn"
[ "$RC" -le 1 ] || fail "second run after the churn (exit $RC)"
want=$(cd "$TMP/churn" && find . -type f -size +0 | sed 's|^\./||' | sort)
assert_eq "$(doc_ids "$TMP/cidx")" "$want" "ids after the churn"
ok "files deleted, emptied and replaced while read: one line each, the next run matches the folder"

# --- a full disk while compacting ------------------------------------------------
LSAN_OPTIONS="suppressions=$CIV_SOURCE_DIR/tests/lsan-diskfull.supp:print_suppressions=0"
export LSAN_OPTIONS
FULL="$TMP/full"
mkdir -p "$FULL"
mount -t tmpfs -o size=16m tmpfs "$FULL" || fail "cannot mount a small tmpfs (needed by this test)"
at_exit() { umount "$FULL" 2>/dev/null; }
gen_docs "$TMP/cdocs" 1500 7
"$CIVINDEX" -q -i "$FULL/idx" "$TMP/cdocs"; [ $? -le 1 ] || fail "index on the tmpfs"
before=$(doc_ids "$FULL/idx")
used=$(du -sk "$FULL" | cut -f1)
# Fill the disk until what is left cannot hold a compacted copy.
head -c $(( (16384 - used - used / 3) * 1024 )) /dev/zero >"$FULL/filler" 2>/dev/null
run "$CIVINDEX" compact -i "$FULL/idx"
assert_rc 2
assert_err_has "No space left on device"
assert_clean_stderr
assert_eq "$(doc_ids "$FULL/idx")" "$before" "ids after a failed compaction"
[ -e "$FULL/idx/tmp" ] && fail "scratch left behind: $(ls "$FULL/idx/tmp")"
rm -f "$FULL/filler"
run "$CIVINDEX" compact -i "$FULL/idx"
assert_rc 0
assert_eq "$(doc_ids "$FULL/idx")" "$before" "ids after the compaction"
umount "$FULL"
ok "a full disk while compacting: exit 2, the index as it was; with room, compacted"
