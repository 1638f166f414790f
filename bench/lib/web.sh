# bench/lib/web.sh — shell helpers shared by the search-page benchmarks
# (bench/web, bench/web-cpu, bench/load). Sourced, not run.

# free_port: prints a TCP port that is free on loopback now.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# mix_queries FILE: the queries of a mix file, one a line, without
# comments and blank lines; of bench/query's CLASS<TAB>WORDS lines, the
# words.
mix_queries() {
  grep -v '^#' "$1" | grep . | awk -F'\t' '{ print $NF }'
}

# url_enc: each line of its input %-encoded for a query string.
url_enc() {
  python3 -c 'import sys, urllib.parse
for q in sys.stdin: print(urllib.parse.quote_plus(q.rstrip("\n")))'
}

# wrk_mix FILE PREFIX SUFFIX: writes to FILE a wrk script that sends the
# queries of $QUERIES (one a line) in rotation as PREFIX QUERY SUFFIX, and
# prints "RESULT requests duration_us p50_us p99_us non2xx socket_errors".
wrk_mix() {
  {
    echo "local paths = {"
    printf '%s\n' "$QUERIES" | url_enc | while IFS= read -r q; do
      echo "  \"$2$q$3\","
    done
    cat <<'LUA'
}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
LUA
  } >"$1"
}
