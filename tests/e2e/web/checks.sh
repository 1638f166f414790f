# The search page checks both front ends pass (CGI and FastCGI). Source
# after web/lib.sh; call web_checks once lighttpd serves $BASE with
# CIVSEARCH_CONFIG=$TMP/civsearch.conf (web_config).

urlenc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# Every answer: security headers, and no cookie.
page() {
  http "$@"
  assert_security_headers
}

web_checks() {
  label=$1

  # -- the front page ---------------------------------------------------
  page "$BASE"
  assert_status 200
  assert_header "Content-Type: text/html; charset=utf-8"
  assert_inert_html
  assert_body_has '<title>Test &lt;archive&gt; &amp; &quot;search&quot;</title>'
  assert_body_has 'Search 13 documents'
  assert_body_has '<section class="facet" aria-labelledby="facet-year">'
  assert_body_has '<section class="facet" aria-labelledby="facet-type">'
  assert_body_has '<section class="facet" aria-labelledby="facet-author">'
  assert_body_has '<section class="facet" aria-labelledby="facet-lang">'
  assert_body_has '<select name="c">'
  ok "$label: front page with facets to browse, collections to choose"

  # -- a search ---------------------------------------------------------
  page "$BASE?q=surveillance"
  assert_status 200
  assert_inert_html
  assert_body_has 'value="surveillance"'
  assert_body_has '11 results, showing 1–10'
  assert_body_has '<b>surveillance</b>'
  assert_body_has '<a href="?id=police-surveillance-2016.html&amp;q=surveillance#hit">Police surveillance of protesters</a>'
  assert_body_has '<time datetime="2016-03-14">2016-03-14</time> · article · <span dir="auto">Maria Lopez</span>'
  assert_body_has '<a href="?like=police-surveillance-2016.html">Similar documents</a>'
  printf '%s' "$BODY" | grep -qE '<span class="time">\([0-9]+\.[0-9]{3} s\)</span>' || fail "no search time"
  ok "$label: results with title link, date, type, author, snippet, time, similar link"

  # -- a facet click, then a second facet (different fields AND) --------
  href=$(link facet-year 2019)
  [ -n "$href" ] || fail "no facet link for year 2019"
  page "$BASE$href"
  assert_status 200
  assert_inert_html
  assert_body_has '3 results'
  n=$(printf '%s' "$BODY" | grep -o '<time datetime="2019-' | wc -l)
  [ "$n" -eq 3 ] || fail "facet year 2019: $n hits dated 2019, want 3"
  printf '%s' "$BODY" | grep -o '<time datetime="20[0-9][0-9]' | grep -qv 2019 && fail "a hit outside 2019"
  assert_body_has 'Year: 2019 <span aria-hidden="true">✕</span>'
  assert_body_has '<input type="hidden" name="f" value="year:2019">'
  href2=$(link facet-author "Maria Lopez")
  [ -n "$href2" ] || fail "no facet link for Maria Lopez"
  page "$BASE$href2"
  assert_status 200
  assert_body_has '1 result,'
  assert_body_has 'The right to protest under threat'
  remove=$(link chips "Year: 2019 ✕ (remove)")
  [ -n "$remove" ] || fail "no link removing the year filter"
  page "$BASE$remove"
  assert_body_has '2 results' # Maria Lopez, any year
  ok "$label: facet links filter (fields ANDed) and chips remove filters"

  page "$BASE?q=surveillance&f=year:2019&f=year:2020&format=json"
  [ "$(jqbody .total)" = 5 ] || fail "two years ORed: total $(jqbody .total), want 5"
  ok "$label: values of one facet are ORed"

  # -- pagination -------------------------------------------------------
  page "$BASE?q=surveillance&limit=3"
  assert_body_has 'showing 1–3'
  next=$(link pages "Next ›")
  [ -n "$next" ] || fail "no Next link"
  page "$BASE$next"
  assert_status 200
  assert_body_has '<ol class="hits" start="4">'
  assert_body_has 'showing 4–6'
  assert_body_has 'rel="prev"'
  last=$(link pages 4)
  [ -n "$last" ] || fail "no link to page 4"
  page "$BASE$last"
  assert_body_has 'showing 10–11'
  assert_body_lacks 'rel="next"'
  ok "$label: pagination (next, numbered, last page)"

  # -- sort and dates ---------------------------------------------------
  page "$BASE?q=surveillance&sort=-date&format=json&limit=50"
  [ "$(jqbody '[.results[].datetime] == ([.results[].datetime] | sort | reverse)')" = true ] ||
    fail "sort=-date is not newest first"
  page "$BASE?q=surveillance&sort=date&format=json&limit=50"
  [ "$(jqbody '[.results[].datetime] == ([.results[].datetime] | sort)')" = true ] ||
    fail "sort=date is not oldest first"
  page "$BASE?q=surveillance&from=2018-06&until=2019-12-31&format=json"
  [ "$(jqbody '.total')" = 4 ] || fail "date range: total $(jqbody .total), want 4"
  [ "$(jqbody '[.results[].date | select(. < "2018-06-01" or . > "2019-12-31")] | length')" = 0 ] ||
    fail "a result outside the date range"
  page "$BASE?q=surveillance&from=2019&sort=-date"
  assert_body_has '<option value="-date" selected>'
  assert_body_has 'name="from" inputmode="numeric"'
  assert_body_has 'value="2019"'
  ok "$label: sort (date, -date) and date range (from, until) kept in the form"

  # -- spelling, similar documents, the document view -------------------
  page "$BASE?q=surveilance"
  assert_body_has 'Did you mean <a href="?q=surveillance" dir="auto">surveillance</a>?'
  page "$BASE?q=encyption+backdors&format=json"
  [ "$(jqbody .suggestion)" = "encryption backdoors" ] || fail "suggestion: $(jqbody .suggestion)"
  ok "$label: spelling suggestion (Did you mean …)"

  page "$BASE?like=police-surveillance-2016.html"
  assert_status 200
  assert_inert_html
  assert_body_has 'Documents similar to <a href="?id=police-surveillance-2016.html" dir="auto">Police surveillance of protesters</a>'
  page "$BASE?like=police-surveillance-2016.html&format=json"
  [ "$(jqbody '.total > 0')" = true ] || fail "no similar documents"
  [ "$(jqbody '[.results[].id | select(. == "police-surveillance-2016.html")] | length')" = 0 ] ||
    fail "a document is listed as similar to itself"
  page "$BASE?like=no-such-doc"
  assert_status 404
  ok "$label: similar documents"

  page "$BASE?id=foia-border-searches-2018.txt&q=border"
  assert_status 200
  assert_inert_html
  assert_body_has '<h1 dir="auto">FOIA release: border searches of phones</h1>'
  assert_body_has '<dt>Author</dt><dd dir="auto">Ana Silva</dd>'
  assert_body_has 'Documents released under the Freedom of Information Act'
  assert_body_has '‹ Back to the results</a>'
  page "$BASE?id=no-such-doc"
  assert_status 404
  assert_inert_html
  ok "$label: document view with metadata and text"

  # -- JSON API ---------------------------------------------------------
  page "$BASE?q=encryption&format=json"
  assert_status 200
  [ "$(header_value Content-Type)" = "application/json" ] || fail "Content-Type: $(header_value Content-Type)"
  [ "$(jqbody '[has("query","total","total_exact","offset","limit","elapsed_ms","results","facets","suggestion")] | all')" = true ] ||
    fail "JSON lacks a key"
  [ "$(jqbody '.results[0].id')" = encryption-backdoors-2017.html ] || fail "JSON first hit"
  [ "$(jqbody '.facets.year | length > 0')" = true ] || fail "JSON facets"
  # The same object as the command line's --json, plus facets.
  cli=$("$CIVSEARCH" -i "$TMP/idx" --json --facets encryption | jq -S 'del(.elapsed_ms, .facets)')
  web=$(jqbody '.' | jq -S 'del(.elapsed_ms, .facets)')
  [ "$cli" = "$web" ] || fail "JSON differs from the CLI's: $cli // $web"
  page "$BASE?q=surveillance&format=json&limit=20"
  [ "$(jqbody '[.results[].snippet | test("<b>[Ss]urveil")] | all')" = true ] ||
    fail "a snippet does not show the query word"
  page "$BASE?id=wiretaps-2017.xml&format=json"
  [ "$(jqbody .title)" = "Warrantless wiretaps report" ] || fail "JSON document title"
  jqbody .text | grep -q 'inspector general' || fail "JSON document text"
  page "$BASE?q=%28unbalanced&format=json"
  assert_status 400
  [ "$(jqbody .error.status)" = 400 ] || fail "JSON error object"
  ok "$label: JSON API (search = CLI --json + facets + suggestion, document, errors)"

  # -- XSS: in the query, in titles, in authors, in text ----------------
  for payload in '<script>alert(1)</script>' '"><img src=x onerror=alert(1)>' \
                 "' onmouseover='alert(1)" 'javascript:alert(1)' '</title><script>alert(1)</script>'; do
    page "$BASE?q=$(urlenc "$payload")"
    [ "$STATUS" = 200 ] || [ "$STATUS" = 400 ] || fail "payload $payload: status $STATUS"
    assert_inert_html
    assert_body_lacks '<script'
    assert_body_lacks '<img'
    page "$BASE?q=$(urlenc "$payload")&page=abc"
    assert_status 400
    assert_inert_html
  done
  page "$BASE?q=memo+OR+hostile"
  assert_inert_html
  assert_body_has '&lt;script&gt;alert(1)&lt;/script&gt; Leaked memo on phone surveillance</a>'
  assert_body_has '&quot;&gt;&lt;img src=x onerror=alert(1)&gt; Notes on a hostile upload</a>'
  assert_body_has '<span dir="auto">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</span>'
  assert_body_has 'f=author%3A%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E'
  page "$BASE?id=leaked-memo-xss.html"
  assert_inert_html
  assert_body_has '&lt;script&gt;alert(document.cookie)&lt;/script&gt;'
  assert_body_has '<dt>Keywords</dt><dd dir="auto">javascript:alert(1); &lt;svg onload=alert(1)&gt;</dd>'
  page "$BASE?id=xss-in-text.txt"
  assert_inert_html
  assert_body_has '&lt;iframe src=&quot;javascript:alert(2)&quot;&gt;&lt;/iframe&gt;'
  assert_body_has '&#39; onmouseover=&#39;alert(4)'
  page "$BASE?q=memo&format=json"
  assert_header "X-Content-Type-Options: nosniff"
  [ "$(jqbody .results[0].title)" = "<script>alert(1)</script> Leaked memo on phone surveillance" ] ||
    fail "JSON keeps the title as data"
  ok "$label: XSS payloads in query, titles, authors, keywords and text come out inert"

  # -- limits -----------------------------------------------------------
  # The command line's limit (CIV_QUERY_MAX), the same on the page.
  qmax=$(python3 -c 'print(("ab " * 1366)[:4095] + "b")')
  [ ${#qmax} -eq 4096 ] || fail "test query is ${#qmax} bytes"
  page "$BASE?q=$(urlenc "$qmax")&format=json"
  assert_status 200
  page "$BASE?q=$(urlenc "${qmax}c")"
  assert_status 400
  assert_inert_html
  assert_body_has 'the query is too long (4097 bytes; at most 4096)'
  "$CIVSEARCH" -i "$TMP/idx" "$qmax" >/dev/null 2>&1 || [ $? -eq 1 ] || fail "the CLI refuses a query of the limit"
  "$CIVSEARCH" -i "$TMP/idx" "${qmax}c" >/dev/null 2>&1
  [ $? -eq 2 ] || fail "the CLI takes a query over the limit"
  page "$BASE?q=surveillance&limit=1000&format=json"
  [ "$(jqbody .limit)" = 50 ] || fail "limit not capped: $(jqbody .limit)"
  page "$BASE?q=surveillance&offset=10001"
  assert_status 400
  assert_body_has 'results beyond the first 10000 are not shown'
  page "$BASE?q=surveillance&page=5000"
  assert_status 400
  page "$BASE?c=wild&q=wildword%2A&format=json"
  assert_status 200
  [ "$(jqbody .total)" = 5 ] || fail "wildcard expansion not capped: total $(jqbody .total)"
  run "$CIVSEARCH" -i "$TMP/wild" --json 'wildword*'
  [ "$(jqout .total)" = 30 ] || fail "the wild collection should have 30 matches without the cap"
  ok "$label: limits (query 1 KB, page size, offset, wildcard expansion)"

  for bad in 'q=%zz' 'q=%' 'q=abc%4' 'q=%FF' 'q=%C0%AF' 'q=%ED%A0%80' 'q=a%00b' 'f=%E2%82' 'q=x&sort=%F0%9F'; do
    page "$BASE?$bad"
    assert_status 400 "for $bad"
    assert_header "Content-Type: text/html; charset=utf-8"
    assert_inert_html
  done
  page "$BASE?q=%zz&format=json"
  assert_status 400
  [ "$(jqbody .error.message)" != null ] || fail "JSON 400 without message"
  ok "$label: malformed percent-encoding and invalid UTF-8 answer 400"

  # -- methods and forms ------------------------------------------------
  page -X POST --data 'q=encryption&format=json' "$BASE"
  assert_status 200
  [ "$(jqbody .total)" = 1 ] || fail "POST form: total $(jqbody .total)"
  page -X POST --data-urlencode 'q=surveillance' --data 'f=year:2019' "$BASE?c=archive"
  assert_status 200
  assert_body_has '3 results'
  page -X POST -F 'q=x' "$BASE"
  assert_status 415
  python3 -c 'print("q=" + "a" * 20000, end="")' >"$TMP/big.form"
  page -X POST --data-binary @"$TMP/big.form" "$BASE"
  assert_status 413
  page -X PUT "$BASE?q=x"
  assert_status 405
  assert_header "Allow: GET, HEAD, POST"
  page -I "$BASE?q=surveillance"
  assert_status 200
  # (curl -I writes the headers where the body would go.)
  assert_body_lacks '<!DOCTYPE'
  assert_body_lacks '<html'
  assert_header "Content-Length:"
  ok "$label: POST forms, 415, 413, 405, HEAD"

  # -- collections ------------------------------------------------------
  page "$BASE?c=second&q=subpoena&format=json"
  [ "$(jqbody .total)" = 1 ] || fail "collection second"
  page "$BASE?c=second&q=surveillance&format=json"
  [ "$(jqbody .total)" = 0 ] || fail "collection second searched the archive"
  page "$BASE?c=nope&q=x"
  assert_status 400
  page "$BASE?c=..%2F..%2Fetc&q=x"
  assert_status 400
  page "$BASE?index=%2Fetc&db=%2Fetc&path=%2Fetc&q=surveillance&format=json"
  assert_status 200
  [ "$(jqbody .total)" = 11 ] || fail "an index named in the request was used"
  page "$BASE?c=second&q=subpoena"
  assert_body_has '<option value="second" selected>second</option>'
  ok "$label: collections by name only; paths in the request are ignored"

  # -- server-side failures ---------------------------------------------
  # A damaged index: 503 with the cure; a missing one: 500. Neither
  # shows a path or a library message; the log has the reason.
  for c in broken missing; do
    want=500; says='The search failed on the server.'
    [ $c = broken ] && { want=503; says='rebuild it with civindex --full'; }
    page "$BASE?c=$c&q=x"
    assert_status $want
    assert_inert_html
    assert_body_has "$says"
    for leak in "$TMP" glass Xapian Database iamglass "no index"; do
      assert_body_lacks "$leak"
    done
    grep -q "civsearch: collection $c: " "$ERRLOG" || fail "the reason for $c is not in the error log"
    page "$BASE?c=$c&q=x&format=json"
    assert_status $want
    assert_body_lacks "$TMP"
  done
  ok "$label: backend errors answer 500 (a damaged index 503) without paths or library messages; the log has the reason"

  # -- privacy ----------------------------------------------------------
  page "$BASE?q=zqprivacymarker+surveillance"
  page -X POST --data 'q=zqprivacymarker2' "$BASE"
  page "$BASE?q=zqprivacymarker3+%28"
  assert_status 400
  grep -q zqprivacymarker "$ERRLOG" && fail "a query reached the server's log"
  ok "$label: no query logged, no cookie, nothing from another origin"
}

# Generic checks on the project's sample corpus (corpus/), when there is one.
corpus_checks() {
  label=$1
  docs=$("$CIVSEARCH" -i "$TMP/corpus-idx" --json '*' | jq .total)
  page "$BASE"
  assert_status 200
  assert_inert_html
  page "$BASE?q=%2A&format=json&limit=5"
  assert_status 200
  [ "$(jqbody .total)" = "$docs" ] || fail "corpus: * finds $(jqbody .total) of $docs"
  first=$(jqbody '.results[0].id')
  page "$BASE?q=%2A&limit=5"
  assert_inert_html
  href=$(python3 "$WEB_LIB/htmlcheck.py" links "$TMP/.body" | awk -F '\t' '$1 ~ /^facet-/ { print $3; exit }')
  [ -n "$href" ] || fail "corpus: no facet link"
  page "$BASE$href"
  assert_status 200
  assert_inert_html
  page "$BASE?id=$(urlenc "$first")"
  assert_status 200
  assert_inert_html
  page "$BASE?like=$(urlenc "$first")"
  assert_status 200
  assert_inert_html
  ok "$label: corpus/ ($docs documents): page, facet, document and similar documents"
}
