#!/bin/sh
# `make install` puts both binaries and both man pages in place, and the
# installed binaries work.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

run cmake --install "$CIV_BUILD_DIR" --prefix "$TMP/prefix"
assert_rc 0
for f in bin/civindex bin/civsearch share/man/man1/civindex.1 share/man/man1/civsearch.1; do
  [ -s "$TMP/prefix/$f" ] || fail "not installed: $f"
done
[ -x "$TMP/prefix/bin/civsearch" ] || fail "civsearch not executable"
run "$TMP/prefix/bin/civsearch" --version
assert_rc 0
# The pages render, and troff has nothing to complain about.
run env MANWIDTH=80 man --warnings -l "$TMP/prefix/share/man/man1/civsearch.1"
assert_out_has "civsearch — search an index of civil-liberties documents"
assert_eq "$ERR" "" "troff messages for civsearch.1"
run env MANWIDTH=80 man --warnings -l "$TMP/prefix/share/man/man1/civindex.1"
assert_out_has "civindex — index folders of documents for civsearch"
assert_eq "$ERR" "" "troff messages for civindex.1"
ok "install"
