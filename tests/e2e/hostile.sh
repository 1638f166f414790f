# Hostile files beside good ones (issue 13, "Hangs"): inputs whose cost
# grew faster than their size in some stage (a tag with 300,000
# attributes, a header with 100,000 parameters, 100,000 keywords, markup
# dense Markdown, deep nesting, entity and decompression bombs). civindex
# must finish in a bounded time, say a line about each file it cut or
# skipped, and index every good document.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

H="$TMP/archive"
mkdir -p "$H/good" "$H/hostile"
cp -r "$CORPUS"/. "$H/good/"
python3 - "$H/hostile" <<'EOF'
import gzip, os, sys
d = sys.argv[1]
def w(name, data):
    with open(os.path.join(d, name), 'w') as f:
        f.write(data)
w('attrs.html', '<html><body><p ' + ' '.join('a%d="x"' % i for i in range(300000)) +
  '>quokka attributes</p></body></html>')
w('attrs.xml', '<?xml version="1.0"?><doc><p ' + ' '.join('a%d="x"' % i for i in range(300000)) +
  '>wombat attributes</p></doc>')
w('params.eml', 'From: a@example.org\nSubject: numbat parameters\nMIME-Version: 1.0\n'
  'Content-Type: text/plain; ' + '; '.join('p%d=v' % i for i in range(100000)) + '\n\nbody of the numbat mail\n')
w('metas.html', '<html><head>' + ''.join('<meta name="keywords" content="k%d">' % i for i in range(100000)) +
  '</head><body>bilby keywords</body></html>')
w('deep.html', '<html><body>' + '<div>' * 100000 + 'dingo deep' + '</div>' * 100000 + '</body></html>')
lol = '<?xml version="1.0"?>\n<!DOCTYPE l [\n<!ENTITY l0 "lol">\n'
for i in range(1, 10):
    lol += '<!ENTITY l%d "%s">\n' % (i, ('&l%d;' % (i - 1)) * 10)
w('laughs.xml', lol + ']>\n<l>&l9;</l>\n')
w('links.md', '[a](' * 400000)
w('parts.eml', 'From: a@example.org\nSubject: parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B"\n\n' +
  ''.join('--B\nContent-Type: text/plain\n\npart %d\n' % i for i in range(20000)) + '--B--\n')
w('nested.eml', 'From: a@example.org\nSubject: nest\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="B0"\n\n' +
  ''.join('--B%d\nContent-Type: multipart/mixed; boundary="B%d"\n\n' % (i, i + 1) for i in range(5000)) +
  '--B5000\nContent-Type: text/plain\n\nplatypus nested\n')
w('headers.eml', ''.join('X-H%d: v\n' % i for i in range(100000)) + 'Subject: headers\nFrom: a@example.org\n\nquoll headers\n')
with gzip.open(os.path.join(d, 'bomb.txt.gz'), 'wb', compresslevel=9) as f:
    block = b'a' * (1 << 20)
    for i in range(200):
        f.write(block)
EOF
find "$H" -type f -exec touch -d '2024-01-01' {} +

# A clean index of the good files alone: what must be found.
run "$CIVINDEX" -q -i "$TMP/good-idx" "$H/good"
GOOD=$(doc_ids "$TMP/good-idx" | wc -l)

start=$(date +%s)
run timeout -k 5 240 "$CIVINDEX" --max-size 150M -i "$TMP/idx" "$H"
took=$(( $(date +%s) - start ))
[ "$RC" -eq 0 ] || [ "$RC" -eq 1 ] || fail "civindex did not finish cleanly (status $RC after $took s)"
[ "$took" -lt 240 ] || fail "civindex took $took s"
assert_clean_stderr
for f in attrs.html attrs.xml params.eml links.md bomb.txt.gz deep.html metas.html; do
  assert_err_has "hostile/$f"
  [ "$(printf '%s\n' "$ERR" | grep -c "hostile/$f")" -eq 1 ] || fail "more than one line about $f"
done
assert_err_has "tags with more than 256 attributes were cut short"
assert_err_has "headers with more than 64 parameters were cut short"
assert_err_has "read as plain text"
assert_err_has "deep.html: elements nested deeper than 400 were read as plain text"
[ "$(printf '%s\n' "$ERR" | grep -c "nested.eml: MIME parts nested too deeply")" -eq 1 ] ||
  fail "the same warning about nested.eml more than once"
assert_err_has "metas.html: a field with more than 1000 values kept the first ones"
assert_err_has "decompresses to more than the maximum size"
ok "civindex ended in $took s over the hostile files, a line about each one it cut or skipped"

FOUND=$(doc_ids "$TMP/idx" | grep -c '^good/')
assert_eq "$FOUND" "$GOOD" "good documents indexed beside the hostile ones"
for w in quokka wombat numbat bilby dingo quoll; do
  run "$CIVSEARCH" -i "$TMP/idx" "$w"
  assert_rc 0 "$w"
done
run "$CIVSEARCH" -i "$TMP/idx" --json --show hostile/metas.html
[ "$(jqout '.keyword_list | length')" -le 1000 ] || fail "keywords not bounded"
ok "every good document ($GOOD) and the readable text of the hostile ones are found"

# The per-file time budget: a file that would take longer than
# --doc-timeout of CPU time stops there with one line, keeps what was read,
# and the run goes on. A mailbox of 30,000 messages takes about 5 s of CPU
# on a quiet machine (6,000 took 1.1 s there: too close to the limit).
T="$TMP/slow"
mkdir -p "$T"
python3 - "$T/big.mbox" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(30000):
        f.write("From a@example.org Mon Jan  1 00:00:00 2024\n"
                f"From: a{i}@example.org\nSubject: note {i}\n"
                "Date: Mon, 1 Jan 2024 00:00:00 +0000\n\n"
                + "The council heard the camera retention policy again.\n" * 8 + "\n")
PY
printf 'A short note about the quokka.\n' >"$T/note.txt"
run "$CIVINDEX" -j1 --doc-timeout 1 -i "$TMP/slow-idx" "$T"
assert_rc 1 "a file stopped at the time limit"
assert_err_has "big.mbox: stopped after 1 s of CPU time (--doc-timeout)"
[ "$(printf '%s\n' "$ERR" | grep -c "big.mbox")" -eq 1 ] || fail "more than one line about big.mbox"
assert_out_has "stopped at a limit"
kept=$(doc_ids "$TMP/slow-idx" | grep -c 'big.mbox#')
[ "$kept" -gt 0 ] && [ "$kept" -lt 30000 ] || fail "messages kept: $kept"
run "$CIVSEARCH" -i "$TMP/slow-idx" quokka
assert_out_has "note.txt"
# (No limit to speak of: under valgrind the mailbox takes over the
# default 120 s.)
run "$CIVINDEX" -j1 --doc-timeout 86400 -i "$TMP/slow-idx2" "$T"
assert_rc 0 "the same folder without the limit"
run "$CIVSEARCH" -i "$TMP/slow-idx2" -j -n 0 --no-collapse '*'
assert_eq "$(jqout '.total')" 30001 "every message and the note without the limit"
ok "a file past the per-file time limit (--doc-timeout) stops there with one line; the run goes on"
