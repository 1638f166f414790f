#!/bin/sh
# The sandbox's limits and the files they stop: a document stopped at
# --doc-timeout or --doc-memory is remembered like any bad file (not read
# again by the next run with the same limits), and read again by a run
# with other limits. The documents use the test-only helper modes
# (CIV_SANDBOX_TEST, docs/documents.md): one spins, one eats memory.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

D="$TMP/limits"
mkdir -p "$D"
printf '%%PDF-1.4\n%% CIV-TEST-SPIN\n' >"$D/spin.pdf"
printf '%%PDF-1.4\n%% CIV-TEST-MEMORY\n' >"$D/memory.pdf"
echo "Read beside them: the civet memo." >"$D/note.txt"
# Older than any run (a file changed while a run went on is read again).
touch -d '2020-01-02 03:04:05' "$D"/*
IDX="$TMP/idx"
index() { # TIMEOUT MEMORY
  run env CIV_SANDBOX_TEST=1 "$CIVINDEX" --index "$IDX" --doc-timeout "$1" --doc-memory "$2" "$D"
  assert_clean_stderr
}
spin_line() { echo "skipped: $D/spin.pdf: the PDF reader used more than $1 s of CPU time (see --doc-timeout)"; }
memory_line() { echo "skipped: $D/memory.pdf: the PDF reader needed more than $1 MB of memory (see --doc-memory)"; }

# CPU limits of 3 s and more: filling 256 MB under ASan on a loaded
# machine has taken over 1 s of CPU time (page faults count), and the
# memory document must meet its memory limit first.
index 3 256M
assert_rc 1
assert_out_has "indexed 1, skipped 2, failed 0"
assert_out_has "2 documents or OCR pages stopped at a limit (--doc-timeout 3 s, --doc-memory 256 MB)"
assert_err_has "$(spin_line 3)"
assert_err_has "$(memory_line 256)"
ok "documents over a limit: skipped and counted"

# The same limits: remembered, neither read nor reported again.
index 3 256M
assert_rc 0
assert_eq "$ERR" "" "stderr of a run with the same limits"
assert_out_has "2 known bad files, unchanged"
assert_out_lacks "stopped at a limit"
ok "the same limits: not read again"

# A higher CPU limit reads them again (and the other limit is the same).
index 4 256M
assert_rc 1
assert_err_has "$(spin_line 4)"
assert_err_has "$(memory_line 256)"
assert_out_lacks "known bad"
index 4 256M
assert_rc 0
assert_out_has "2 known bad files, unchanged"
# So does a higher memory limit.
index 4 320M
assert_rc 1
assert_err_has "$(memory_line 320)"
assert_err_has "$(spin_line 4)"
ok "another --doc-timeout or --doc-memory reads them again"
