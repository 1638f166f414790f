# Shards searched as one: corpus/ indexed once as one index and once as 3
# shards; two shards served by xapian-tcpsrv on free loopback ports, the
# third read locally through a stub file. The same queries give the same
# hits in the same order, totals, facets and suggestions in the command
# line (text and JSON) and on the page. Then a server is killed: an error
# within the timeout, or with --allow-partial the other shards and a
# warning; with a replica, the same results as before; a long-running
# FastCGI process moves to the replica during its next query.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"
. "$CIV_SOURCE_DIR/tests/e2e/web/lib.sh"
command -v xapian-tcpsrv >/dev/null || { echo "SKIP: xapian-tcpsrv (xapian-tools) missing"; exit 77; }
set -f

SERVERS=""
# serve DB: starts xapian-tcpsrv on a free loopback port, in its own
# session (it kills its whole process group when it stops); sets SPORT.
serve() {
  for try in 1 2 3 4 5; do
    SPORT=$(free_port)
    setsid xapian-tcpsrv --interface 127.0.0.1 --port "$SPORT" "$1" >>"$TMP/tcpsrv.log" 2>&1 &
    pid=$!
    for i in $(seq 50); do
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      if "$CIVSEARCH" -i "tcp://127.0.0.1:$SPORT" --timeout 1 -n 0 '*' >/dev/null 2>&1; then
        SERVERS="$SERVERS $pid"
        SPID=$pid
        return 0
      fi
      sleep 0.1
    done
    env kill -s KILL -- "-$pid" 2>/dev/null
  done
  fail "xapian-tcpsrv did not start: $(tail -3 "$TMP/tcpsrv.log")"
}
stop_server() { env kill -s KILL -- "-$1" 2>/dev/null; wait "$1" 2>/dev/null; }
at_exit() {
  for p in $SERVERS; do env kill -s KILL -- "-$p" 2>/dev/null; done
  stop_lighttpd
}

run "$CIVINDEX" -q -i "$TMP/one" "$CORPUS"
[ "$RC" -le 1 ] || fail "indexing corpus/ as one index"
run "$CIVINDEX" -q --shards 3 -i "$TMP/set" "$CORPUS"
[ "$RC" -le 1 ] || fail "indexing corpus/ as 3 shards"
for k in 0 1 2; do
  n=$("$CIVSEARCH" -i "$TMP/set/shard-$k" -n 0 '*')
  [ "$n" -gt 0 ] || fail "shard $k is empty"
done
[ "$(cat "$TMP/set/XAPIANDB")" = "$(printf 'auto shard-0\nauto shard-1\nauto shard-2')" ] || fail "the set's stub"
ok "civindex --shards 3: three non-empty shards, a stub naming them"

serve "$TMP/set/shard-0"; P0=$SPORT; S0=$SPID
serve "$TMP/set/shard-1"; P1=$SPORT; S1=$SPID
# The web host's stub file: two remote shards, one local, the dictionary.
STUB="$TMP/web.stub"
printf 'remote 127.0.0.1:%s\nremote 127.0.0.1:%s\nauto %s\nauto %s\n' \
  "$P0" "$P1" "$TMP/set/shard-2" "$TMP/set/spelling" >"$STUB"

QUERIES='drone
surveillance
facial recognition
"geofence warrant"
police NEAR/5 drones
surveil*
title:letter
author:ortiz
from:openledger.example
privacy date:2019..2022
encryption OR warrant
court -drone
records request
type:letter privacy
freedom of the press
lang:es vigilancia
year:2021 records
stingray OR "cell site"
protest
the government must not collect data about people who protest peacefully in public places'

# same_json LABEL ARGS...: the JSON of both setups, less the time taken.
# Documents of exactly the same weight come in index order, which is not
# the same in one index and in shards: in a ranking by relevance they are
# compared in the order of their ids.
same_json() {
  label=$1
  shift
  f='del(.elapsed_ms)'
  case " $* " in
    *" --sort "*) ;;
    *) f='del(.elapsed_ms) | .results |= (to_entries | sort_by([-.value.score, .value.id])
          | map(.value.rank = .key + 1 | .value))' ;;
  esac
  a=$("$CIVSEARCH" -i "$TMP/one" --json "$@" | jq -c "$f")
  b=$("$CIVSEARCH" -i "$STUB" --json "$@" | jq -c "$f")
  [ -n "$a" ] && [ "$a" = "$b" ] || {
    printf '%s\n' "$a" | jq . >"$TMP/one.json"
    printf '%s\n' "$b" | jq . >"$TMP/shards.json"
    OUT=$(diff "$TMP/one.json" "$TMP/shards.json"); ERR=""; RC=0
    fail "$label: the shards answer otherwise than the single index (diff: one index, shards)"
  }
}

n=0
printf '%s\n' "$QUERIES" >"$TMP/queries"
while IFS= read -r q; do
  n=$((n + 1))
  same_json "$q" --facets "$q"
  same_json "$q, page 2" --offset 3 -n 5 "$q"
  same_json "$q, by date" --sort date "$q"
  same_json "$q, newest" --sort -date -n 20 "$q"
  a=$("$CIVSEARCH" -i "$TMP/one" --color never "$q" | sed 's/([0-9.]* s)//')
  b=$("$CIVSEARCH" -i "$STUB" --color never "$q" | sed 's/([0-9.]* s)//')
  [ "$a" = "$b" ] || { OUT="$a
---
$b"; fail "text output of $q differs"; }
done <"$TMP/queries"
[ "$n" -eq 20 ] || fail "ran $n queries, not 20"
ok "20 queries: the same hits in the same order, totals, facets, text and JSON (2 remote shards, 1 local)"

# The best matches come with their match keys (value slot 30): over remote
# shards only the page's hits are read, a round trip each, not the 50 best
# matches weighed again.
for q in privacy 'records request' '*'; do
  total=$("$CIVSEARCH" -i "$STUB" --json -n 0 "$q" | jq .total)
  [ "$total" -gt 5 ] || fail "$q: $total matches, too few to tell"
  run "$CIVSEARCH" -i "$STUB" --debug -n 5 "$q"
  read=$(printf '%s\n' "$ERR" | sed -n 's/^civsearch: documents read one by one (shards are remote): //p')
  [ -n "$read" ] && [ "$read" -le 5 ] || fail "$q: ${read:-no count of} documents read for a page of 5"
done
ok "over remote shards only the page's documents are read"

# Documents of every shard: --show, --thread, similar documents, spelling.
for id in $("$CIVSEARCH" -i "$TMP/one" --json -n 54 '*' | jq -r '.results[].id' | head -12); do
  a=$("$CIVSEARCH" -i "$TMP/one" --json --show "$id")
  b=$("$CIVSEARCH" -i "$STUB" --json --show "$id")
  [ "$a" = "$b" ] || fail "--show $id differs"
  same_json "like $id" --like "$id"
done
# A question with a wildcard (OR, six words or more: a feedback round),
# the wildcard expanded over all shards in both matches.
same_json "question with a wildcard" --or 'surveil* police drones cameras protest records warrant'
same_json "thread" --thread '<prr-drones-1@openledger.example>'
same_json "stats-like count" -n 0 '*'
# Sorted by a count (sortable values, read by the remote shards).
same_json "most redacted" --sort redactions -n 3 'redacted:yes'
[ "$("$CIVSEARCH" -i "$STUB" --json --sort redactions -n 3 'redacted:yes' | jq -c '[.results[].redactions]')" = '[9,4,3]' ] ||
  fail "--sort redactions over remote shards"
same_json "most cited" --sort cited -n 1 'cited_by:1..'
run "$CIVSEARCH" -i "$STUB" survelance
assert_out_has "Did you mean: surveillance"
a=$("$CIVSEARCH" -i "$TMP/one" --json 'survelance warant' | jq -r .suggestion)
b=$("$CIVSEARCH" -i "$STUB" --json 'survelance warant' | jq -r .suggestion)
[ "$a" = "$b" ] && [ "$a" != null ] || fail "suggestions differ: '$a' and '$b'"
ok "--show, --like, --thread and suggestions (from the merged dictionary) as with one index"

# Every way to name the shards: --index repeated, CIVSEARCH_INDEX=A:B,
# tcp:// directly; the set's folder alone.
a=$("$CIVSEARCH" -i "$TMP/one" --json --facets privacy | jq -c 'del(.elapsed_ms)')
b=$("$CIVSEARCH" -i "tcp://127.0.0.1:$P0" -i "tcp://127.0.0.1:$P1" -i "$TMP/set/shard-2" --json --facets privacy | jq -c 'del(.elapsed_ms)')
[ "$a" = "$b" ] || fail "--index three times"
b=$(CIVSEARCH_INDEX="tcp://127.0.0.1:$P0:tcp://127.0.0.1:$P1:$TMP/set/shard-2" "$CIVSEARCH" --json --facets privacy | jq -c 'del(.elapsed_ms)')
[ "$a" = "$b" ] || fail "CIVSEARCH_INDEX=A:B:C"
b=$("$CIVSEARCH" -i "$TMP/set" --json --facets privacy | jq -c 'del(.elapsed_ms)')
[ "$a" = "$b" ] || fail "the set's folder"
ok "--index repeated, CIVSEARCH_INDEX=A:B:C, the set's folder"

# The page: CGI, a collection listing the stub's shards.
cgi() {
  env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING="$2" \
    CIVSEARCH_CONFIG="$1" "$CIVSEARCH" | sed '/^Content-Length:/d; s/<span class="time">[^<]*<\/span>//; s/"elapsed_ms":[0-9.e+-]*,//'
}
printf 'archive = %s\n' "$TMP/one" >"$TMP/one.conf"
printf 'archive = tcp://127.0.0.1:%s:tcp://127.0.0.1:%s:%s:%s\ntimeout_ms = 2000\n' \
  "$P0" "$P1" "$TMP/set/shard-2" "$TMP/set/spelling" >"$TMP/set.conf"
for qs in 'q=drone' 'q=privacy&f=type:letter' 'q=surveillance&s=date' 'q=survelance' 'q=records&format=json' 'q=court&start=5'; do
  a=$(cgi "$TMP/one.conf" "$qs")
  b=$(cgi "$TMP/set.conf" "$qs")
  [ "$a" = "$b" ] || { OUT=$(printf '%s\n----\n%s' "$a" "$b" | head -c 3000); fail "page $qs differs"; }
done
ok "the page (HTML and JSON) over the shards is the page of one index"

# A server dies.
stop_server "$S1"
run timeout 30 "$CIVSEARCH" -i "$STUB" --timeout 2 privacy
assert_rc 2
assert_err_has "127.0.0.1:$P1"
run timeout 30 "$CIVSEARCH" -i "$STUB" --timeout 2 --json privacy
assert_rc 2
[ "$(jqout .error.code)" != null ] || fail "no JSON error"
ok "a dead shard: one line naming it, exit 2"

run timeout 30 "$CIVSEARCH" -i "$STUB" --timeout 2 --allow-partial --json --facets privacy
assert_rc 0
assert_err_has "warning: tcp://127.0.0.1:$P1 did not answer"
[ "$(jqout '.missing_shards[0]')" = "tcp://127.0.0.1:$P1" ] || fail "missing_shards"
b=$("$CIVSEARCH" -i "tcp://127.0.0.1:$P0" -i "$TMP/set/shard-2" --json --facets privacy | jq -c '.total')
[ "$(jqout .total)" = "$b" ] || fail "partial total $(jqout .total), expected $b"
printf 'allow_partial = 1\n' >>"$TMP/set.conf"
page=$(cgi "$TMP/set.conf" 'q=privacy')
printf '%s' "$page" | grep -q 'class="error notice"' || fail "no notice on the page"
page=$(cgi "$TMP/set.conf" 'q=privacy&format=json')
printf '%s' "$page" | sed '1,/^\r*$/d' | jq -e '.missing_shards | length == 1' >/dev/null || fail "page JSON missing_shards"
ok "--allow-partial: the live shards' results, a warning, missing_shards, a notice on the page"

# A server that accepts connections but does not answer (stopped): the
# timeout bounds the wait.
serve "$TMP/set/shard-1"; PS=$SPORT; SS=$SPID
env kill -s STOP -- "-$SS"
run timeout 30 "$CIVSEARCH" -i "tcp://127.0.0.1:$P0" -i "tcp://127.0.0.1:$PS" -i "$TMP/set/shard-2" --timeout 1 privacy
assert_rc 2
assert_err_has "tcp://127.0.0.1:$PS did not answer within 1000 ms"
run timeout 30 "$CIVSEARCH" -i "tcp://127.0.0.1:$P0" -i "tcp://127.0.0.1:$PS" -i "$TMP/set/shard-2" --timeout 1 --allow-partial privacy
assert_rc 0
assert_err_has "warning: tcp://127.0.0.1:$PS did not answer"
env kill -s CONT -- "-$SS"
stop_server "$SS"
ok "a server that does not answer: an error after --timeout, or the others with --allow-partial"

# A replica of the dead shard's data on another port.
before=$("$CIVSEARCH" -i "$TMP/one" --json --facets privacy | jq -c 'del(.elapsed_ms)')
serve "$TMP/set/shard-1"; P1B=$SPORT; S1B=$SPID
after=$("$CIVSEARCH" -i "tcp://127.0.0.1:$P0" -i "tcp://127.0.0.1:$P1|tcp://127.0.0.1:$P1B" \
  -i "$TMP/set/shard-2" --timeout 2 --json --facets privacy | jq -c 'del(.elapsed_ms)')
[ "$before" = "$after" ] || fail "with a replica the results changed"
printf 'remote 127.0.0.1:%s\nremote 127.0.0.1:%s|127.0.0.1:%s\nauto %s\n' \
  "$P0" "$P1" "$P1B" "$TMP/set/shard-2" >"$TMP/replicas.stub"
after=$("$CIVSEARCH" -i "$TMP/replicas.stub" --json --facets privacy | jq -c 'del(.elapsed_ms)')
[ "$before" = "$after" ] || fail "replicas in a stub file"
ok "a replica answers for the dead server: the same results as before"

# A long-running FastCGI process: two replicas alive, the one in use
# killed between two requests; the next request moves on.
serve "$TMP/set/shard-1"; P1C=$SPORT; S1C=$SPID
printf 'archive = tcp://127.0.0.1:%s:tcp://127.0.0.1:%s|tcp://127.0.0.1:%s:%s\ntimeout_ms = 2000\n' \
  "$P0" "$P1C" "$P1B" "$TMP/set/shard-2" >"$TMP/fcgi.conf"
start_lighttpd fastcgi "CIVSEARCH_CONFIG=$TMP/fcgi.conf"
http "$BASE?q=privacy&format=json"
assert_status 200
first=$(jqbody '.total')
stop_server "$S1C"
http "$BASE?q=privacy&format=json"
assert_status 200
[ "$(jqbody '.total')" = "$first" ] || fail "after the failover: total $(jqbody .total), expected $first"
[ "$(jqbody '.missing_shards')" = null ] || fail "a shard was left out though a replica lives"
stop_lighttpd
ok "FastCGI: a replica killed during use; the next query moves to the other"

# Bad specs: one line, exit 2, no hang.
for spec in "tcp://127.0.0.1:0" "tcp://:5050" "tcp://127.0.0.1:99999" "tcp://127.0.0.1" "tcp://h:1|" "$TMP/nothing"; do
  run timeout 20 "$CIVSEARCH" -i "$spec" x
  assert_rc 2
  [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] || fail "more than one line for $spec"
done
printf 'bogus line\n' >"$TMP/bad.stub"
run "$CIVSEARCH" -i "$TMP/bad.stub" x
assert_rc 2
assert_err_has "bad.stub:1:"
printf 'remote :xapian-progsrv x\n' >"$TMP/prog.stub"
run "$CIVSEARCH" -i "$TMP/prog.stub" x
assert_rc 2
# A port nothing listens on.
dead=$(free_port)
run timeout 20 "$CIVSEARCH" -i "tcp://127.0.0.1:$dead" --timeout 1 x
assert_rc 2
assert_err_has "tcp://127.0.0.1:$dead"
run "$CIVSEARCH" --timeout 0 x
assert_rc 2
assert_clean_stderr
ok "bad tcp:// specs, bad stub files, a closed port: one line, exit 2"
