#!/bin/sh
# The main paths run clean under valgrind: no invalid reads or writes, no
# use of uninitialised memory, no definite leaks. (The ASan build covers
# the rest; valgrind does not run on ASan binaries, so that build skips.)
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

[ "${CIV_SANITIZE:-0}" = "1" ] && { echo "skip: sanitizer build"; exit 77; }
command -v valgrind >/dev/null || fail "valgrind is missing (scripts/deps.sh test installs it)"

VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --suppressions=$CIV_SOURCE_DIR/tests/valgrind.supp"

mkdir -p "$TMP/in"
cp -r "$FIXTURES/bad" "$TMP/in/bad"
[ -d "$CORPUS" ] && cp -r "$CORPUS" "$TMP/in/corpus"
for d in "$FIXTURES"/*/; do
  case "$d" in */bad/) ;; *) cp -r "$d" "$TMP/in/" ;; esac
done

run $VG "$CIVINDEX" --index "$TMP/idx" "$TMP/in"
[ "$RC" -ne 99 ] || fail "valgrind found errors in civindex"
assert_err_lacks "Invalid read"
assert_err_lacks "definitely lost"
ok "civindex under valgrind"

for q in 'the' '"fourth amendment"' 'surveil* OR privacy' 'title:privacy' '* date:2015..' 'AND'; do
  run $VG "$CIVSEARCH" --index "$TMP/idx" --facets --json "$q"
  [ "$RC" -ne 99 ] || fail "valgrind found errors in civsearch for $q"
done
run $VG "$CIVSEARCH" --index "$TMP/idx" --stats
[ "$RC" -ne 99 ] || fail "valgrind found errors in civsearch --stats"
ok "civsearch under valgrind"
