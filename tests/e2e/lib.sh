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
CORPUS="$CIV_SOURCE_DIR/corpus"
FIXTURES="$CIV_SOURCE_DIR/tests/fixtures"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/civtest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
export NO_COLOR=1
unset CIVSEARCH_INDEX CIVSEARCH_CONFIG GATEWAY_INTERFACE
fails=0

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
