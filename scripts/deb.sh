#!/bin/sh
# Builds the Debian package from a copy of the tree and checks it:
#   scripts/deb.sh OUTDIR
# The .deb, .buildinfo and .changes are left in OUTDIR. Checks: lintian
# without errors; the files it installs; its units verified by
# systemd-analyze; the installed civsearch and civindex run. Installing it
# for real needs a clean container or chroot, which this script does not
# make: it unpacks the package into a scratch root instead (dpkg -x).
set -eu
out=${1:?usage: scripts/deb.sh OUTDIR}
src=$(cd "$(dirname "$0")/.." && pwd)
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
mkdir -p "$out"
out=$(cd "$out" && pwd)
tree="$out/civsearch-$version"
rm -rf "$tree"
mkdir -p "$tree"
# The tracked files and new ones not ignored (build folders are ignored).
(cd "$src" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$src" && xargs -0 cp --parents -t "$tree" 2>/dev/null || true)
(cd "$src" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$src" && xargs -0 -I{} sh -c '[ -e "{}" ] || echo "deb.sh: missing {}" >&2')
cd "$tree"
jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -gt 2 ] && jobs=2
echo "deb.sh: building in $tree" >&2
DEB_BUILD_OPTIONS="parallel=$jobs ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1 || {
  tail -40 "$out/build.log" >&2
  echo "deb.sh: dpkg-buildpackage failed (log: $out/build.log)" >&2
  exit 1
}
deb=$(ls "$out"/civsearch_"$version"_*.deb | head -1)
echo "deb.sh: built $deb" >&2

# lintian: errors fail the build; warnings are shown.
lintian --tag-display-limit 0 "$deb" >"$out/lintian.txt" 2>&1 || true
grep -v 'running with root privileges' "$out/lintian.txt" >&2 || true
nerr=$(grep -c '^E:' "$out/lintian.txt" || true)
echo "deb.sh: lintian: $nerr errors, $(grep -c '^W:' "$out/lintian.txt" || true) warnings" >&2
[ "$nerr" -eq 0 ] || { echo "deb.sh: lintian found errors" >&2; exit 1; }

# What it installs.
dpkg -c "$deb" >"$out/contents.txt"
for f in ./usr/bin/civsearch ./usr/bin/civindex ./usr/share/man/man1/civsearch.1.gz \
         ./usr/share/man/man1/civindex.1.gz ./lib/systemd/system/civsearch.socket \
         ./lib/systemd/system/civsearch.service ./lib/systemd/system/civsearch-tcpsrv@.service \
         ./lib/systemd/system/civindex.service ./lib/systemd/system/civindex.timer \
         ./lib/systemd/system/civsearch-replicate@.service \
         ./lib/systemd/system/civsearch-replicate-server.service \
         ./usr/lib/sysusers.d/civsearch.conf ./usr/share/doc/civsearch/copyright \
         ./usr/share/doc/civsearch/examples/nginx.conf ./usr/share/doc/civsearch/examples/apache.conf \
         ./usr/share/doc/civsearch/examples/lighttpd.conf ./usr/share/doc/civsearch/examples/civsearch.conf; do
  grep -q " $f\$" "$out/contents.txt" || { echo "deb.sh: the package lacks $f" >&2; exit 1; }
done
echo "deb.sh: contents: binaries, man pages, units, sysusers, examples, copyright" >&2

# Unpacked into a scratch root: the programs run, the units verify.
root="$out/root"
rm -rf "$root"
dpkg -x "$deb" "$root"
"$root/usr/bin/civsearch" --version >&2
"$root/usr/bin/civindex" --version >&2
sh "$src/scripts/verify-units.sh" "$root/lib/systemd/system" "$root/usr/bin" >&2
echo "deb.sh: ok: $deb" >&2
