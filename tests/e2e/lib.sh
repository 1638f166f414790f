# Shared helpers for end-to-end tests. Source it first:
#   . "$CIV_SOURCE_DIR/tests/e2e/lib.sh"
# It sets CIVINDEX, CIVSEARCH, CORPUS, FIXTURES and a fresh $TMP (removed
# on exit), and provides run/assert helpers. A failing assertion prints
# what differed and exits 1.
set -u
: "${CIV_SOURCE_DIR:?run through ctest}"
: "${CIV_BUILD_DIR:?run through ctest}"
CIVINDEX="$CIV_BUILD_DIR/civindex"
CIVSEARCH="$CIV_BUILD_DIR/civsearch"
# The program file a running civsearch process executes (under
# make test-valgrind, the copy valgrind runs, not $CIVSEARCH).
CIVSEARCH_PROGRAM="$CIVSEARCH"
CORPUS="$CIV_SOURCE_DIR/corpus"
FIXTURES="$CIV_SOURCE_DIR/tests/fixtures"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/civtest.XXXXXX")
# When the test ends: at_exit (a test's own cleanup: servers to stop),
# the valgrind logs checked (make test-valgrind), $TMP removed.
at_exit() { :; }
civ_exit() {
  rc=$?
  at_exit
  vg_logs_clean || rc=1
  rm -rf "$TMP"
  exit $rc
}
vg_logs_clean() { :; }
trap civ_exit EXIT
trap 'exit 1' INT TERM
export NO_COLOR=1
unset CIVSEARCH_INDEX CIVSEARCH_CONFIG GATEWAY_INTERFACE
fails=0

# make test-valgrind (CIV_VALGRIND=1): every civindex and civsearch the
# test starts — directly, as CGI or FastCGI — runs under valgrind, each
# process with a log of its own; a test whose processes reported any error
# or definite leak fails at its end with the reports.
if [ "${CIV_VALGRIND:-0}" = 1 ]; then
  [ "${CIV_SANITIZE:-0}" = 1 ] && { echo "skip: valgrind does not run sanitizer builds"; exit 77; }
  command -v valgrind >/dev/null || fail "valgrind is missing (scripts/deps.sh test installs it)"
  mkdir -p "$TMP/vg/bin" "$TMP/vg/real" "$TMP/vg/log"
  chmod 1777 "$TMP/vg/log" # tests that run civindex as another user
  # valgrind reads the program and its suppressions as the user it runs
  # as: tests that drop to nobody need copies outside the (possibly
  # private) source and build folders.
  cp "$CIV_SOURCE_DIR/tests/valgrind.supp" "$TMP/vg/valgrind.supp"
  chmod 644 "$TMP/vg/valgrind.supp"
  for b in civindex civsearch; do
    cp "$CIV_BUILD_DIR/$b" "$TMP/vg/real/$b"
    chmod 755 "$TMP/vg/real/$b"
    # A run told to kill itself at a crash point (CIVINDEX_CRASH_AT)
    # leaves what its threads held: no leak check there (valgrind checks
    # a process that sends itself SIGKILL), memory errors still count.
    cat >"$TMP/vg/bin/$b" <<EOF
#!/bin/sh
leaks=full
case "\${CIVINDEX_CRASH_AT:-}" in ''|*:stop) ;; *) leaks=no ;; esac
exec valgrind -q --error-exitcode=99 --leak-check=\$leaks --errors-for-leak-kinds=definite,indirect \
  --show-leak-kinds=definite,indirect --suppressions="$TMP/vg/valgrind.supp" \
  --log-file="$TMP/vg/log/$b.%p" "$TMP/vg/real/$b" "\$@"
EOF
    chmod +x "$TMP/vg/bin/$b"
  done
  CIVINDEX="$TMP/vg/bin/civindex"
  CIVSEARCH="$TMP/vg/bin/civsearch"
  CIVSEARCH_PROGRAM="$TMP/vg/real/civsearch"
  vg_logs_clean() {
    bad=""
    for f in $(find "$TMP/vg/log" -type f -size +0 2>/dev/null); do
      # Xapian's checker crashing on a damaged table, in the child process
      # civ_db_check runs it in for that reason: a verdict of damage (the
      # parent says so), not a crash of civindex. Any other report counts.
      if grep -q 'Process terminating with default action' "$f" && grep -q 'Xapian::Database::check_' "$f" &&
         ! grep -q 'Invalid \|uninitialised\|lost in loss record\|Mismatched\|overlap' "$f"; then
        continue
      fi
      bad="$bad $f"
    done
    bad=$(printf '%s\n' $bad | head -5)
    [ -z "$bad" ] && return 0
    # CIV_VG_KEEP=DIR keeps the whole reports (the test's $TMP goes away).
    if [ -n "${CIV_VG_KEEP:-}" ]; then
      mkdir -p "$CIV_VG_KEEP" && cp $bad "$CIV_VG_KEEP/" 2>/dev/null
    fi
    # Each report: its errors and direct leaks first, then the indirect
    # ones (which hang from a direct leak), 60 lines at most.
    for f in $bad; do
      echo "valgrind: $f:" >&2
      awk '/^==[0-9]+== *$/ { if (rec ~ /indirectly lost/) ind = ind rec; else out = out rec; rec = ""; next }
           { rec = rec $0 "\n" } END { if (rec ~ /indirectly lost/) ind = ind rec; else out = out rec; printf "%s%s", out, ind }' "$f" | head -60 >&2
    done
    return 1
  }
fi

# run CMD...: runs it, keeping stdout in $OUT, stderr in $ERR, status in $RC.
run() {
  "$@" >"$TMP/.out" 2>"$TMP/.err"
  RC=$?
  OUT=$(cat "$TMP/.out")
  ERR=$(cat "$TMP/.err")
}

fail() {
  echo "FAIL: $*" >&2
  echo "  command status: ${RC:-?}" >&2
  echo "  stdout: $(printf '%s' "${OUT:-}" | head -c 2000)" >&2
  echo "  stderr: $(printf '%s' "${ERR:-}" | head -c 2000)" >&2
  exit 1
}

assert_rc() { [ "$RC" -eq "$1" ] || fail "expected exit status $1, got $RC ${2:-}"; }
assert_out_has() { printf '%s' "$OUT" | grep -qF -- "$1" || fail "stdout lacks: $1"; }
assert_out_lacks() { printf '%s' "$OUT" | grep -qF -- "$1" && fail "stdout has: $1"; return 0; }
assert_err_has() { printf '%s' "$ERR" | grep -qF -- "$1" || fail "stderr lacks: $1"; }
assert_err_lacks() { printf '%s' "$ERR" | grep -qF -- "$1" && fail "stderr has: $1"; return 0; }
assert_eq() { [ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"; }

# jqout FILTER: applies a jq filter to $OUT (which must be valid JSON).
jqout() {
  printf '%s' "$OUT" | jq -r "$1" 2>"$TMP/.jqerr" || fail "stdout is not valid JSON for '$1': $(cat "$TMP/.jqerr")"
}

# No sanitizer report may appear in any stderr we captured.
assert_clean_stderr() {
  printf '%s' "$ERR" | grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' && fail "sanitizer report"
  return 0
}

ok() { echo "ok: $*"; }

# gen_docs DIR N [SEED]: writes N small text documents into DIR (in
# subfolders of 100), with old mtimes, each with a unique word "uniqNNN".
gen_docs() {
  awk -v dir="$1" -v n="$2" -v seed="${3:-1}" 'BEGIN {
    split("court warrant surveillance letter protest journalist freedom speech privacy data police record request agency report rights appeal judge order council", w, " ")
    srand(seed)
    for (i = 1; i <= n; i++) {
      sub_ = sprintf("%s/d%03d", dir, int(i / 100))
      if (!(sub_ in made)) { system("mkdir -p " sub_); made[sub_] = 1 }
      f = sprintf("%s/doc%05d.txt", sub_, i)
      printf "Document %d about %s\n\n", i, w[1 + int(rand() * 20)] > f
      for (l = 0; l < 6; l++) {
        line = ""
        for (k = 0; k < 12; k++) line = line " " w[1 + int(rand() * 20)]
        print line > f
      }
      printf "uniq%05d\n", i > f
      close(f)
    }
  }'
  find "$1" -type f -exec touch -d '2020-01-02 03:04:05' {} +
}

# doc_ids INDEX: the ids of every document, copies included, sorted (one
# per line).
doc_ids() {
  "$CIVSEARCH" -i "$1" -j -n 10000 --no-collapse '*' | jq -r '.results[].id' | sort
}
