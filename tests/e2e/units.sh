# `make install` puts the systemd units, the sysusers file and the example
# configurations in place, and systemd-analyze verifies the units (with
# the installed binaries in their ExecStart).
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze missing"; exit 77; }

run cmake --install "$CIV_BUILD_DIR" --prefix "$TMP/prefix"
assert_rc 0
for f in lib/systemd/system/civsearch.socket lib/systemd/system/civsearch.service \
         lib/systemd/system/civsearch-tcpsrv@.service lib/systemd/system/civindex.service \
         lib/systemd/system/civindex.timer lib/systemd/system/civsearch-replicate@.service \
         lib/systemd/system/civsearch-replicate-server.service lib/sysusers.d/civsearch.conf \
         share/doc/civsearch/examples/civsearch.conf share/doc/civsearch/examples/lighttpd.conf \
         share/doc/civsearch/examples/nginx.conf share/doc/civsearch/examples/apache.conf; do
  [ -s "$TMP/prefix/$f" ] || fail "not installed: $f"
done
ok "install: units, sysusers file, example configurations"

# The service is sandboxed as the deployment notes promise.
svc="$TMP/prefix/lib/systemd/system/civsearch.service"
for d in ProtectSystem=strict NoNewPrivileges=yes PrivateNetwork=yes ReadOnlyPaths= StandardInput=socket; do
  grep -q "^$d" "$svc" || fail "civsearch.service lacks $d"
done
run sh "$CIV_SOURCE_DIR/scripts/verify-units.sh" "$TMP/prefix/lib/systemd/system" "$TMP/prefix/bin"
assert_rc 0
assert_err_has "7 units verified"
ok "systemd-analyze verify: 7 units"

# The example configuration of the page is one civsearch accepts.
sed "s#/var/lib/civsearch/index#$TMP/idx#" "$TMP/prefix/share/doc/civsearch/examples/civsearch.conf" >"$TMP/c.conf"
run "$CIVINDEX" -q -i "$TMP/idx" "$FIXTURES/letters"
run env GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET QUERY_STRING=q=x CIVSEARCH_CONFIG="$TMP/c.conf" "$CIVSEARCH"
assert_out_has "Status: 200"
ok "the example civsearch.conf serves the page"
