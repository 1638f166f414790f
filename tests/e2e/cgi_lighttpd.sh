# The search page as a CGI program under lighttpd (mod_cgi): every check of
# tests/e2e/web/checks.sh over HTTP, the index left untouched, and the
# single-index setup (CIVSEARCH_INDEX).
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"
. "$CIV_SOURCE_DIR/tests/e2e/web/lib.sh"
. "$CIV_SOURCE_DIR/tests/e2e/web/checks.sh"

web_indexes
web_config
chmod -R a-w "$TMP/idx"
before=$(index_sums "$TMP/idx")

start_lighttpd cgi "CIVSEARCH_CONFIG=$TMP/civsearch.conf"
web_checks cgi
stop_lighttpd
assert_clean_log

after=$(index_sums "$TMP/idx")
[ "$before" = "$after" ] || fail "serving searches changed the index files"
ok "cgi: the index was opened read-only (files unchanged)"

# One index named by CIVSEARCH_INDEX, no configuration file.
start_lighttpd cgi "CIVSEARCH_INDEX=$TMP/idx"
page "$BASE?q=encryption&format=json"
assert_status 200
[ "$(jqbody .total)" = 1 ] || fail "CIVSEARCH_INDEX: total $(jqbody .total)"
page "$BASE"
assert_body_lacks '<select name="c">'
assert_body_has '<title>Archive search</title>'
page "$BASE?c=second&q=x"
assert_status 400
stop_lighttpd

# Neither variable: a 500 page, and the reason in the log.
start_lighttpd cgi "CIVSEARCH_UNRELATED=1"
page "$BASE?q=x"
assert_status 500
assert_inert_html
grep -q 'civsearch: configuration: no index configured' "$ERRLOG" || fail "no reason logged"
stop_lighttpd
ok "cgi: CIVSEARCH_INDEX alone; no configuration → 500 with the reason logged"

# A broken configuration file: 500 for every request, the line in the log.
printf 'archive = relative/path\n' >"$TMP/bad.conf"
start_lighttpd cgi "CIVSEARCH_CONFIG=$TMP/bad.conf"
page "$BASE?q=x"
assert_status 500
assert_body_lacks "$TMP"
grep -q 'bad.conf:1: the index of collection archive must be an absolute path' "$ERRLOG" || fail "config error not logged"
stop_lighttpd
ok "cgi: a bad configuration file answers 500 and logs file:line"

if [ -d "$CORPUS" ]; then
  run "$CIVINDEX" -q -i "$TMP/corpus-idx" "$CORPUS"
  [ "$RC" -le 1 ] || fail "indexing corpus/"
  start_lighttpd cgi "CIVSEARCH_INDEX=$TMP/corpus-idx"
  corpus_checks cgi
  stop_lighttpd
fi
assert_clean_log
echo "cgi_lighttpd: all passed"
