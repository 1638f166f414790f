# The search page as a FastCGI responder: spawned by lighttpd (mod_fastcgi,
# stdin a listening socket) and on its own (civsearch --fastcgi=ADDR, the
# setup nginx needs). Every check of tests/e2e/web/checks.sh, plus: one
# process answers many requests with its index kept open, picks up a
# changed or rebuilt index, and is replaced when it dies.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"
. "$CIV_SOURCE_DIR/tests/e2e/web/lib.sh"
. "$CIV_SOURCE_DIR/tests/e2e/web/checks.sh"

web_indexes
web_config
mkdir -p "$TMP/livedocs"
printf 'First live note\n\nNothing to see yet.\n' >"$TMP/livedocs/one.txt"
run "$CIVINDEX" -q -i "$TMP/live" "$TMP/livedocs"
assert_rc 0
echo "live = $TMP/live" >>"$TMP/civsearch.conf"
chmod -R a-w "$TMP/idx"
before=$(index_sums "$TMP/idx")

# The FastCGI process lighttpd started (the only civsearch child).
backend() {
  for p in $(ps -o pid= --ppid "$LIGHTTPD_PID"); do
    [ "$(readlink "/proc/$p/exe")" = "$(readlink -f "$CIVSEARCH_PROGRAM")" ] && { echo "$p"; return; }
    # Under make test-valgrind the process is valgrind running civsearch.
    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF " $CIVSEARCH_PROGRAM" &&
      { echo "$p"; return; }
  done
}

start_lighttpd fastcgi "CIVSEARCH_CONFIG=$TMP/civsearch.conf"
web_checks fastcgi
pid=$(backend)
[ -n "$pid" ] || fail "no civsearch FastCGI process under lighttpd"
page "$BASE?q=surveillance&format=json"
assert_status 200
[ "$(backend)" = "$pid" ] || fail "the FastCGI process changed between requests"
ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "$TMP/idx/" || fail "the FastCGI process does not keep the index open"
ok "fastcgi: one process answers request after request with the index kept open"

# The index changes under the running process.
page "$BASE?c=live&q=canary&format=json"
[ "$(jqbody .total)" = 0 ] || fail "live: canary before indexing"
printf 'Warrant canary\n\nThe canary was removed on 1 March 2021.\n' >"$TMP/livedocs/canary.txt"
run "$CIVINDEX" -q -i "$TMP/live" "$TMP/livedocs"
assert_rc 0
page "$BASE?c=live&q=canary&format=json"
[ "$(jqbody .total)" = 1 ] || fail "live: the new document is not found after civindex"
[ "$(backend)" = "$pid" ] || fail "the FastCGI process was restarted"
rm -rf "$TMP/livedocs"/*
printf 'Rebuilt collection\n\nOnly a subpoena here.\n' >"$TMP/livedocs/rebuilt.txt"
run "$CIVINDEX" -q --full -i "$TMP/live" "$TMP/livedocs"
assert_rc 0
page "$BASE?c=live&q=canary&format=json"
[ "$(jqbody .total)" = 0 ] || fail "live: a document of the old index after --full"
page "$BASE?c=live&q=subpoena&format=json"
[ "$(jqbody .total)" = 1 ] || fail "live: the rebuilt index is not searched"
ok "fastcgi: a changed and a rebuilt index are picked up without a restart"

# A process that dies (as one stopped by its CPU limit does) is replaced.
kill -9 "$pid"
i=0
while [ $i -lt 100 ]; do
  http "$BASE?q=encryption&format=json"
  [ "$STATUS" = 200 ] && break
  sleep 0.1
  i=$((i + 1))
done
assert_status 200 "after the FastCGI process was killed"
assert_security_headers
[ "$(jqbody .total)" = 1 ] || fail "after restart"
new=$(backend)
[ -n "$new" ] && [ "$new" != "$pid" ] || fail "lighttpd did not start a new process"
ok "fastcgi: lighttpd replaces a process that died"
stop_lighttpd
assert_clean_log

after=$(index_sums "$TMP/idx")
[ "$before" = "$after" ] || fail "serving searches changed the index files"
ok "fastcgi: the index was opened read-only (files unchanged)"

# civsearch --fastcgi=127.0.0.1:PORT on its own, lighttpd connecting to it.
: >"$ERRLOG"
start_lighttpd fastcgi-remote "CIVSEARCH_CONFIG=$TMP/civsearch.conf"
web_checks fastcgi-remote
stop_lighttpd
assert_clean_log

run "$CIVSEARCH" --fastcgi
assert_rc 2
assert_err_has "standard input is not a listening socket"
ok "fastcgi: --fastcgi without a socket says what to do"

if [ -d "$CORPUS" ]; then
  run "$CIVINDEX" -q -i "$TMP/corpus-idx" "$CORPUS"
  [ "$RC" -le 1 ] || fail "indexing corpus/"
  start_lighttpd fastcgi "CIVSEARCH_INDEX=$TMP/corpus-idx"
  corpus_checks fastcgi
  stop_lighttpd
fi
assert_clean_log
echo "fastcgi_lighttpd: all passed"
