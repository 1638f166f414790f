#!/bin/sh
# Verifies civsearch's systemd units with systemd-analyze:
#   scripts/verify-units.sh UNITDIR BINDIR
# UNITDIR holds the installed units, BINDIR civsearch and civindex. The
# units name /usr/bin (or the prefix's bin): a copy of them is made with
# BINDIR in their place, and the templates are checked as instances.
set -eu
units=$1
bindir=$(cd "$2" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/civunits.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for f in "$units"/civsearch* "$units"/civindex*; do
  name=$(basename "$f")
  case "$name" in
    *@.service) name=$(echo "$name" | sed 's/@\.service$/@shard-0.service/') ;;
  esac
  sed -E "s#^(ExecStart=)[^ ]*/(civsearch|civindex)( |\$)#\\1$bindir/\\2\\3#" "$f" >"$tmp/$name"
done
# Without a running systemd as PID 1, verify still loads and checks them.
out=$(cd "$tmp" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no ./*.service ./*.socket ./*.timer 2>&1) || {
  printf '%s\n' "$out" >&2
  echo "verify-units.sh: systemd-analyze verify failed" >&2
  exit 1
}
# Messages about the host's own units are not ours.
mine=$(printf '%s\n' "$out" | grep -E 'civsearch|civindex' || true)
if [ -n "$mine" ]; then
  printf '%s\n' "$mine" >&2
  echo "verify-units.sh: systemd-analyze verify complained" >&2
  exit 1
fi
echo "verify-units.sh: $(ls "$tmp" | wc -l) units verified" >&2
