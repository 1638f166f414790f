#!/bin/sh
# Installs the Debian packages civsearch needs, when they are missing.
#   scripts/deps.sh build test    what `make demo` and `make test` need
#   scripts/deps.sh bench         the peer tools the benchmarks compare with
set -eu

build_pkgs="gcc g++ make cmake pkg-config libxapian-dev libxml2-dev zlib1g-dev
libgmime-3.0-dev libcmocka-dev libfcgi-dev libcmark-dev"
# lighttpd, curl, python3, procps and chromium: the search page's end-to-end
# tests (tests/e2e/cgi_lighttpd.sh, fastcgi_lighttpd.sh, browser.sh);
# util-linux (unshare, setpriv): the full-disk and read-only tests;
# xapian-tools (xapian-tcpsrv, xapian-replicate): shards on loopback
# (tests/e2e/remote.sh, replicate.sh); systemd: systemd-analyze verify of
# the units (tests/e2e/units.sh).
test_pkgs="jq curl lighttpd xapian-tools valgrind python3 procps chromium util-linux systemd"
bench_pkgs="xapian-omega xapian-tools libmime-tools-perl libhtml-parser-perl swish-e
sqlite3 lighttpd wrk hyperfine gnuplot-nox time curl jq python3 bc wamerican
util-linux"
browser_pkgs="chromium"
# make deb: the package tools, lintian, systemd-analyze for the units, and
# xapian-tools (the shard server and replication the units start).
deb_pkgs="dpkg-dev debhelper fakeroot lintian systemd xapian-tools"

want=""
for set in "${@:-build}"; do
  case "$set" in
    build) want="$want $build_pkgs" ;;
    test) want="$want $test_pkgs" ;;
    bench) want="$want $bench_pkgs" ;;
    browser) want="$want $browser_pkgs" ;;
    deb) want="$want $deb_pkgs" ;;
    *) echo "deps.sh: unknown set $set (build, test, bench, browser, deb)" >&2; exit 2 ;;
  esac
done

missing=""
for p in $want; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "deps.sh: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet: update once if needed.
if ! $sudo apt-get install -y --no-install-recommends $missing; then
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends $missing
fi
