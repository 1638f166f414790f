# Shipping shards with Xapian's replication, on loopback: an indexing host
# publishes its set of 2 shards with xapian-replicate-server (the shard-K.db
# links name the current generations); a search host follows each shard
# with xapian-replicate. A change re-indexed on the indexing host reaches
# the search host while queries run there in a loop, with no error.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"
. "$CIV_SOURCE_DIR/tests/e2e/web/lib.sh"
command -v xapian-replicate >/dev/null || { echo "SKIP: xapian-replicate (xapian-tools) missing"; exit 77; }

SRV=""
at_exit() {
  [ -n "$SRV" ] && env kill -s KILL -- "-$SRV" 2>/dev/null
  [ -n "${LOOP:-}" ] && kill "$LOOP" 2>/dev/null
  return 0
}

mkdir -p "$TMP/docs" "$TMP/master" "$TMP/search"
cp -r "$CORPUS/." "$TMP/docs/"
run "$CIVINDEX" -q --shards 2 -i "$TMP/master/set" "$TMP/docs"
[ "$RC" -le 1 ] || fail "indexing as 2 shards"
[ -L "$TMP/master/set/shard-0.db" ] && [ -L "$TMP/master/set/shard-1.db" ] || fail "no shard-K.db links"

for try in 1 2 3 4 5; do
  RPORT=$(free_port)
  setsid xapian-replicate-server -I 127.0.0.1 -p "$RPORT" "$TMP/master/set" >"$TMP/rserver.log" 2>&1 &
  SRV=$!
  sleep 0.5
  kill -0 "$SRV" 2>/dev/null && break
  SRV=""
done
[ -n "$SRV" ] || fail "xapian-replicate-server did not start: $(cat "$TMP/rserver.log")"

# replicate K: one round of xapian-replicate for shard K (retried while
# the server comes up).
replicate() {
  for try in 1 2 3 4 5 6 7 8 9 10; do
    if xapian-replicate -h 127.0.0.1 -p "$RPORT" -m "shard-$1.db" -o "$TMP/search/shard-$1" \
        >>"$TMP/replicate.log" 2>&1; then
      return 0
    fi
    sleep 0.3
  done
  fail "xapian-replicate of shard $1: $(tail -3 "$TMP/replicate.log")"
}
replicate 0
replicate 1
SEARCH="-i $TMP/search/shard-0 -i $TMP/search/shard-1"
a=$("$CIVSEARCH" -i "$TMP/master/set" --json --facets privacy | jq -c 'del(.elapsed_ms)')
b=$("$CIVSEARCH" $SEARCH --json --facets privacy | jq -c 'del(.elapsed_ms)')
[ "$a" = "$b" ] || fail "the replicas answer otherwise than the master"
ok "xapian-replicate copies both shards; the search host answers as the indexing host"

# Queries in a loop on the search host while a change arrives.
(
  errors=0 n=0
  while [ ! -e "$TMP/stop" ] && [ "$n" -lt 2000 ]; do
    "$CIVSEARCH" $SEARCH -n 3 privacy >/dev/null 2>>"$TMP/loop.err" || errors=$((errors + 1))
    n=$((n + 1))
  done
  echo "$n $errors" >"$TMP/loop.result"
) &
LOOP=$!

# A new document and a changed one, re-indexed on the indexing host
# (incremental: only the shards they belong to change), then shipped.
cat >"$TMP/docs/zz-new-replicated.txt" <<'DOC'
Title: Quarterly transparency report on quokkarithm requests

The agency received forty-two quokkarithm requests this quarter.
DOC
printf '\nAddendum: reviewed again.\n' >>"$TMP/docs/articles/drones-over-protest.txt"
run "$CIVINDEX" -q --shards 2 -i "$TMP/master/set" "$TMP/docs"
[ "$RC" -le 1 ] || fail "re-indexing"
replicate 0
replicate 1
sleep 1
touch "$TMP/stop"
wait "$LOOP"
LOOP=""
read -r n errors <"$TMP/loop.result"
[ "$n" -gt 0 ] || fail "no query ran"
[ "$errors" -eq 0 ] || fail "$errors of $n queries failed during replication: $(head -3 "$TMP/loop.err")"
run "$CIVSEARCH" $SEARCH quokkarithm
assert_rc 0
assert_out_has "zz-new-replicated.txt"
a=$("$CIVSEARCH" -i "$TMP/master/set" --json --facets privacy | jq -c 'del(.elapsed_ms)')
b=$("$CIVSEARCH" $SEARCH --json --facets privacy | jq -c 'del(.elapsed_ms)')
[ "$a" = "$b" ] || fail "after the re-index the replicas differ from the master"
ok "a re-index reaches the search host through xapian-replicate; $n queries meanwhile, 0 errors"
