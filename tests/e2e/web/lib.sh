# Helpers for the search page tests: lighttpd serving civsearch on a free
# loopback port, HTTP requests with curl, and assertions on status,
# headers and body. Source it after tests/e2e/lib.sh.
#
#   web_indexes                 builds $TMP/idx (tests/fixtures/web) and the
#                               small collections the tests use
#   web_config                  writes $TMP/civsearch.conf naming them
#   start_lighttpd cgi|fastcgi|fastcgi-remote ENV=VALUE...
#   http [CURL ARGS...] URL     sets STATUS, HDRS, BODY (and OUT for fail)
#   stop_lighttpd               (also done on exit)

WEB_LIB="$CIV_SOURCE_DIR/tests/e2e/web"
WEB_FIXTURES="$CIV_SOURCE_DIR/tests/fixtures/web"

# make test installs these (scripts/deps.sh test): missing means broken.
for tool in lighttpd curl jq python3; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "FAIL: $tool is not installed (run scripts/deps.sh build test)" >&2
    exit 1
  }
done

LIGHTTPD_PID=""
FCGI_PID=""
PORT=""
BASE=""
ERRLOG="$TMP/lighttpd-error.log"

stop_lighttpd() {
  if [ -n "$LIGHTTPD_PID" ]; then
    kill "$LIGHTTPD_PID" 2>/dev/null
    # lighttpd stops its FastCGI children; wait so nothing outlives the test.
    i=0
    while kill -0 "$LIGHTTPD_PID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$LIGHTTPD_PID" 2>/dev/null
    wait "$LIGHTTPD_PID" 2>/dev/null
    LIGHTTPD_PID=""
  fi
  if [ -n "$FCGI_PID" ]; then
    kill "$FCGI_PID" 2>/dev/null
    wait "$FCGI_PID" 2>/dev/null
    FCGI_PID=""
  fi
}
at_exit() { stop_lighttpd; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The sanitizer settings of the test run, for the programs lighttpd starts
# (it does not hand its own environment to them).
san_env() {
  for v in ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS; do
    eval "val=\${$v:-}"
    [ -n "$val" ] && printf '"%s" => "%s", ' "$v" "$val"
  done
  return 0
}

# lighttpd array entries for NAME=VALUE arguments.
env_entries() {
  for kv in "$@"; do
    printf '"%s" => "%s", ' "${kv%%=*}" "${kv#*=}"
  done
}

# start_lighttpd MODE NAME=VALUE...: serves civsearch at $BASE (.../search)
#   cgi             mod_cgi runs civsearch once a request
#   fastcgi         mod_fastcgi spawns civsearch (stdin a listening socket)
#   fastcgi-remote  civsearch --fastcgi=127.0.0.1:PORT runs on its own and
#                   lighttpd connects to it (the nginx-style setup)
start_lighttpd() {
  mode=$1
  shift
  conf="$TMP/lighttpd.conf"
  mkdir -p "$TMP/www"
  tries=0
  while :; do
    tries=$((tries + 1))
    PORT=$(free_port)
    {
      echo "server.document-root = \"$TMP/www\""
      echo "server.bind = \"127.0.0.1\""
      echo "server.port = $PORT"
      echo "server.errorlog = \"$ERRLOG\""
      echo "server.tag = \"test\""
      echo "server.max-worker = 0"
      # Hand the query string over as the client sent it, so that the
      # program's own checks (malformed %-escapes, bad UTF-8) are what is
      # tested; lighttpd's default would re-encode a stray % as %25.
      echo 'server.http-parseopts = ( "url-normalize" => "disable" )'
      case "$mode" in
        cgi)
          echo 'server.modules = ("mod_alias", "mod_cgi", "mod_setenv")'
          echo "alias.url = (\"/search\" => \"$CIVSEARCH\")"
          echo '$HTTP["url"] =~ "^/search" { cgi.assign = ("" => "") }'
          echo "setenv.add-environment = ( $(env_entries "$@") $(san_env) )"
          ;;
        fastcgi)
          echo 'server.modules = ("mod_fastcgi")'
          echo "fastcgi.server = ( \"/search\" => (( \"socket\" => \"$TMP/civsearch-$PORT.sock\","
          echo "  \"bin-path\" => \"$CIVSEARCH\", \"max-procs\" => 1, \"check-local\" => \"disable\","
          echo "  \"bin-environment\" => ( $(env_entries "$@") $(san_env) ) )) )"
          ;;
        fastcgi-remote)
          FCGI_PORT=$(free_port)
          echo 'server.modules = ("mod_fastcgi")'
          echo "fastcgi.server = ( \"/search\" => (( \"host\" => \"127.0.0.1\", \"port\" => $FCGI_PORT,"
          echo "  \"check-local\" => \"disable\" )) )"
          ;;
        *) echo "start_lighttpd: unknown mode $mode" >&2; exit 1 ;;
      esac
    } >"$conf"
    if [ "$mode" = fastcgi-remote ]; then
      env "$@" "$CIVSEARCH" --fastcgi="127.0.0.1:$FCGI_PORT" 2>>"$ERRLOG" &
      FCGI_PID=$!
    fi
    lighttpd -tt -f "$conf" >"$TMP/lighttpd-check.log" 2>&1 || {
      cat "$TMP/lighttpd-check.log" >&2
      fail "lighttpd does not accept its configuration"
    }
    lighttpd -D -f "$conf" 2>>"$ERRLOG" &
    LIGHTTPD_PID=$!
    BASE="http://127.0.0.1:$PORT/search"
    i=0
    while [ $i -lt 100 ]; do
      if ! kill -0 "$LIGHTTPD_PID" 2>/dev/null; then
        break
      fi
      # Ready once civsearch itself answers (its headers, not lighttpd's).
      if curl -s -o /dev/null -D - --max-time 5 "$BASE?format=json&limit=0" 2>/dev/null |
        grep -qi '^Content-Security-Policy:'; then
        return 0
      fi
      sleep 0.1
      i=$((i + 1))
    done
    stop_lighttpd
    # Another program may have taken the port between our look and lighttpd's bind.
    [ $tries -lt 5 ] || { cat "$ERRLOG" >&2; fail "lighttpd did not start ($mode)"; }
  done
}

# http [CURL ARGS...] URL: one request; STATUS, HDRS (CRs removed), BODY.
http() {
  STATUS=$(curl -s -S --max-time 30 -D "$TMP/.hdr" -o "$TMP/.body" -w '%{http_code}' "$@" 2>"$TMP/.curlerr")
  RC=$STATUS
  HDRS=$(tr -d '\r' <"$TMP/.hdr")
  BODY=$(cat "$TMP/.body")
  OUT="$HDRS
$BODY"
  ERR=$(cat "$TMP/.curlerr")
}

assert_status() { [ "$STATUS" = "$1" ] || fail "expected HTTP status $1, got $STATUS ${2:-}"; }
assert_header() { printf '%s\n' "$HDRS" | grep -qiF -- "$1" || fail "headers lack: $1"; }
assert_no_header() { printf '%s\n' "$HDRS" | grep -qi -- "^$1:" && fail "headers have: $1"; return 0; }
assert_body_has() { grep -qF -- "$1" "$TMP/.body" || fail "body lacks: $1"; }
assert_body_lacks() { grep -qiF -- "$1" "$TMP/.body" && fail "body has: $1"; return 0; }
header_value() { printf '%s\n' "$HDRS" | grep -i "^$1:" | head -1 | sed 's/^[^:]*: *//'; }

# jqbody FILTER: applies jq to the body, which must be JSON.
jqbody() {
  jq -r "$1" "$TMP/.body" 2>"$TMP/.jqerr" || fail "body is not valid JSON for '$1': $(cat "$TMP/.jqerr")"
}

# The security headers every answer must carry.
assert_security_headers() {
  assert_header "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
  assert_header "X-Content-Type-Options: nosniff"
  assert_header "Referrer-Policy: no-referrer"
  assert_no_header "Set-Cookie"
}

# The body is HTML that can do nothing: only the elements and attributes
# the page uses, no script, no event handler, no link leaving the page.
assert_inert_html() {
  python3 "$WEB_LIB/htmlcheck.py" check "$TMP/.body" >"$TMP/.check" 2>&1 ||
    fail "HTML check: $(cat "$TMP/.check")"
}

# link CONTEXT TEXT: the href (decoded) of the first link whose enclosing
# section/nav/list has id or class CONTEXT and whose text is TEXT.
link() {
  python3 "$WEB_LIB/htmlcheck.py" links "$TMP/.body" |
    awk -F '\t' -v c="$1" -v t="$2" '$1 == c && $2 == t { print $3; exit }'
}

# No sanitizer report, and no trace of queries, in the server's error log.
assert_clean_log() {
  grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$ERRLOG" &&
    { cat "$ERRLOG" >&2; fail "sanitizer report in the server's error log"; }
  return 0
}

# web_indexes: $TMP/idx from the fixtures, $TMP/idx2 (one document),
# $TMP/wild (30 documents with words wildword01..30), $TMP/broken (not an
# index).
web_indexes() {
  run "$CIVINDEX" -q -i "$TMP/idx" "$WEB_FIXTURES"
  assert_rc 0 "(indexing the web fixtures)"
  mkdir -p "$TMP/docs2" "$TMP/docswild" "$TMP/broken"
  printf 'Second collection only\n\nThis collection holds a single note about a subpoena.\n' \
    >"$TMP/docs2/subpoena.txt"
  run "$CIVINDEX" -q -i "$TMP/idx2" "$TMP/docs2"
  assert_rc 0 "(indexing the second collection)"
  i=1
  while [ $i -le 30 ]; do
    n=$(printf '%02d' $i)
    printf 'Note %s\n\nThe word wildword%s appears in this note only.\n' "$n" "$n" >"$TMP/docswild/note$n.txt"
    i=$((i + 1))
  done
  run "$CIVINDEX" -q -i "$TMP/wild" "$TMP/docswild"
  assert_rc 0 "(indexing the wildcard collection)"
  printf 'this is not an index\n' >"$TMP/broken/iamglass"
  printf 'garbage' >"$TMP/broken/postlist.glass"
}

web_config() {
  cat >"$TMP/civsearch.conf" <<EOF
# test collections: the first is the default
archive = $TMP/idx
second = $TMP/idx2
wild = $TMP/wild
broken = $TMP/broken
missing = $TMP/no-such-index
title = Test <archive> & "search"
wildcard_limit = 5
max_limit = 50
EOF
}

# Checksums of every file of an index, to show it was not written to.
index_sums() {
  (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum)
}
