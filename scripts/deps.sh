#!/bin/sh
# Installs the Debian packages civsearch needs, when they are missing.
#   scripts/deps.sh build test    what `make demo` and `make test` need
#   scripts/deps.sh bench         the peer tools the benchmarks compare with
#   scripts/deps.sh fuzz          clang and libFuzzer (make fuzz)
#   scripts/deps.sh lint          cppcheck and clang-tidy (make lint)
set -eu

build_pkgs="gcc g++ make cmake pkg-config libxapian-dev libxml2-dev zlib1g-dev
libgmime-3.0-dev libcmocka-dev libfcgi-dev libcmark-dev
libpoppler-glib-dev libcairo2-dev libtesseract-dev libleptonica-dev libarchive-dev
libseccomp-dev tesseract-ocr-eng unrtf antiword catdoc fonts-dejavu-core"
# The second group: PDF (poppler-glib; cairo draws pages for OCR), OCR
# (Tesseract with its English model; more languages: tesseract-ocr-LANG),
# archives and office files (libarchive), the sandbox (libseccomp), and the
# converters civindex runs in the sandbox for .rtf and .doc
# (docs/documents.md); fonts for poppler and for the test fixtures.
# lighttpd, curl, python3, procps and chromium: the search page's end-to-end
# tests (tests/e2e/cgi_lighttpd.sh, fastcgi_lighttpd.sh, browser.sh);
# util-linux (unshare, setpriv): the full-disk and read-only tests;
# xapian-tools (xapian-tcpsrv, xapian-replicate): shards on loopback
# (tests/e2e/remote.sh, replicate.sh); systemd: systemd-analyze verify of
# the units (tests/e2e/units.sh); qpdf: encrypted PDF fixtures
# (tests/e2e/documents.sh); gdb: which library a crash under an injected
# out-of-memory failure is in (tests/e2e/oom.sh).
test_pkgs="jq curl lighttpd xapian-tools valgrind python3 procps chromium util-linux systemd qpdf gdb"
bench_pkgs="xapian-omega xapian-tools libmime-tools-perl libhtml-parser-perl swish-e
sqlite3 lighttpd wrk hyperfine gnuplot-nox time curl jq python3 bc wamerican
util-linux poppler-utils recoll tesseract-ocr"
# poppler-utils (pdftotext), recoll and tesseract-ocr: bench/pdf and
# bench/ocr compare civindex with them.
browser_pkgs="chromium"
# clang and libFuzzer: make fuzz, make fuzz-smoke
fuzz_pkgs="clang libclang-rt-14-dev libfuzzer-14-dev"
# make lint: static analysis (scripts/lint.sh)
lint_pkgs="cppcheck clang-tidy"
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
    fuzz) want="$want $build_pkgs $fuzz_pkgs" ;;
    deb) want="$want $deb_pkgs" ;;
    lint) want="$want $build_pkgs $lint_pkgs" ;;
    *) echo "deps.sh: unknown set $set (build, test, bench, browser, fuzz, deb, lint)" >&2; exit 2 ;;
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
