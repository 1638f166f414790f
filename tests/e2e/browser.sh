# The search page in a real browser: headless Chromium (Debian chromium)
# against civsearch under lighttpd. Plain --dump-dom and --screenshot runs,
# then tests/e2e/web/browser.py drives a session over the DevTools
# protocol (keyboard to the search box, a typed query and Enter, a facet
# and a page link clicked with the mouse, a document, a phone-sized
# screen, XSS payloads). Screenshots are kept under the build tree:
# $CIV_BUILD_DIR/test-output/browser/.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"
. "$CIV_SOURCE_DIR/tests/e2e/web/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || fail "chromium is not installed (run scripts/deps.sh build test)"
SHOTS="$CIV_BUILD_DIR/test-output/browser"
rm -rf "$SHOTS"
mkdir -p "$SHOTS"

web_indexes
web_config
start_lighttpd cgi "CIVSEARCH_CONFIG=$TMP/civsearch.conf"

chrome() {
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-dev-shm-usage \
    --user-data-dir="$(mktemp -d "$TMP/profile.XXXXXX")" "$@" 2>>"$TMP/chromium.log"
}

# -- one page, the plain way --------------------------------------------
chrome --dump-dom "$BASE?q=encryption" >"$TMP/dump.html" || fail "chromium --dump-dom failed: $(tail -5 "$TMP/chromium.log")"
grep -q '<input id="q" name="q" type="search"[^>]*value="encryption"' "$TMP/dump.html" || fail "dumped DOM lacks the query box"
grep -q 'Encryption backdoors threaten journalists</a>' "$TMP/dump.html" || fail "dumped DOM lacks the hit"
grep -q '1 result, showing 1–1' "$TMP/dump.html" || fail "dumped DOM lacks the count"
chrome --window-size=1200,900 --screenshot="$SHOTS/front-plain.png" "$BASE" >/dev/null ||
  fail "chromium --screenshot failed"
[ -s "$SHOTS/front-plain.png" ] || fail "no screenshot"
[ "$(head -c 8 "$SHOTS/front-plain.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "screenshot is not a PNG"
ok "browser: --dump-dom of a search, --screenshot of the front page"

# -- a session driven like a person -------------------------------------
python3 "$WEB_LIB/browser.py" "$CHROMIUM" "$BASE" "$SHOTS" "$TMP/profile-session" ||
  fail "the browser session failed: $(tail -20 "$SHOTS/chromium.log")"
S="$SHOTS/summary.json"
jqs() { jq -r "$1" "$S"; }

# Tab from the top: the skip link first, then the site link, then the box.
[ "$(jqs '.tab_order | join(",")')" = "skip,A,q" ] || fail "tab order: $(jqs '.tab_order | join(",")')"
[ "$(jqs .focus_visible)" != none ] || fail "the focused search box has no visible outline"
ok "browser: the keyboard reaches the search box (skip link, home, box) with a visible focus"

D="$SHOTS/dom-2-results.html"
grep -q 'value="surveillance"' "$D" || fail "after Enter: the box lost the query"
grep -q '11 results, showing 1–10' "$D" || fail "after Enter: no results"
case "$(jqs '.steps["2-results"].url')" in *'?q=surveillance'*) ;; *) fail "after Enter: url $(jqs '.steps["2-results"].url')" ;; esac
D="$SHOTS/dom-3-facet.html"
grep -q 'Type: article <span aria-hidden="true">✕</span>' "$D" || fail "after the facet click: no active filter"
grep -q '<input type="hidden" name="f" value="type:article">' "$D" || fail "after the facet click: the form lost the filter"
case "$(jqs '.steps["3-facet"].url')" in *'f=type%3Aarticle'*) ;; *) fail "facet url $(jqs '.steps["3-facet"].url')" ;; esac
D="$SHOTS/dom-4-page2.html"
grep -q '<ol class="hits" start="11">' "$D" || fail "after Next: not page 2"
grep -q 'showing 11–11' "$D" || fail "after Next: count"
grep -q 'Type: article' "$D" || fail "after Next: the filter was lost"
grep -q '<span aria-current="page">2</span>' "$D" || fail "after Next: current page not marked"
D="$SHOTS/dom-5-document.html"
grep -q '<dl class="doc">' "$D" || fail "the document view has no metadata"
grep -q '‹ Back to the results' "$D" || fail "the document view has no way back"
ok "browser: typed query + Enter, facet click, Next page, document: the DOM shows each"

[ "$(jqs .phone_overflow)" -le 0 ] || fail "at phone width the page is $(jqs .phone_overflow) px too wide"
ok "browser: readable at phone width (no horizontal scrolling)"

# Nothing ran, nothing loaded from elsewhere.
[ "$(jqs '.dialogs | length')" = 0 ] || fail "a JavaScript dialog opened: $(jqs '.dialogs | join(" | ")')"
[ "$(jqs '[.steps[] | .scripts + .images + .iframes] | add')" = 0 ] || fail "a page has scripts, images or frames"
others=$(jq -r --arg o "http://127.0.0.1:$PORT/" '.requests[] | select(startswith($o) | not)' "$S")
[ -z "$others" ] || fail "the browser requested other origins: $others"
[ "$(jqs '[.requests[] | select(test("^http"))] | length')" -ge 10 ] || fail "too few requests recorded"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; Leaked memo' "$SHOTS/dom-8-xss-results.html" || fail "escaped title missing"
grep -q '&lt;script&gt;alert(document.cookie)&lt;/script&gt;' "$SHOTS/dom-9-xss-document.html" || fail "escaped text missing"
ok "browser: XSS payloads stay text: no dialog, no script, image or frame; only our origin loaded"

for png in 1-front 2-results 3-facet 4-page2 5-document 6-phone; do
  [ "$(head -c 8 "$SHOTS/$png.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$png.png is not a PNG"
done
ok "browser: screenshots in $SHOTS"
stop_lighttpd
assert_clean_log
echo "browser: all passed"
