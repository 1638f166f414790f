#!/bin/sh
# Documents users hold: PDFs (pages, metadata, running headers, hyphens,
# passwords, damage), scans through OCR, office files, archives and mail
# attachments, with hostile files kept in the sandbox. Every fixture is
# made here from text written here: tests/civ_mkdoc (cairo), mkoffice.py
# (zip and XML by hand) and qpdf (encryption).
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

MKDOC="$CIV_BUILD_DIR/tests/civ_mkdoc"
MKOFFICE="$CIV_SOURCE_DIR/tests/tools/mkoffice.py"
for tool in qpdf python3 unrtf antiword; do
  command -v "$tool" >/dev/null || { echo "skip: $tool is not installed (scripts/deps.sh test)"; exit 77; }
done

D="$TMP/docs"
mkdir -p "$D/pdf" "$D/office" "$D/archives" "$D/mail" "$D/bad" "$TMP/scans"

# ---- fixtures -----------------------------------------------------------
cat >"$TMP/ruling.txt" <<'EOF'
Opinion and order on the motion to suppress
The defendant asks the court to suppress what officers found
in a search of his apartment and of two phones.
===
The warrant authorized a search of the apart-
ment on Elm Street but named no electronic devices.
Officers nevertheless copied both phones the same day.
===
The government argues that the copying was harmless because
no message was read. The court is not persuaded: the word
quetzalruling appears on this third page only.
===
The motion is granted as to the phones and denied otherwise.
EOF
"$MKDOC" pdf "$D/pdf/ruling.pdf" "$TMP/ruling.txt" \
  --title "Microsoft Word - draft3.docx" --author "Rosa Calloway" \
  --keywords "suppression, warrant" --created 2021-03-04T10:05:00Z \
  --header "CASE 1:21-cv-00417   Document 12   Filed 03/04/21" --footer "Page %p of %n" ||
  fail "civ_mkdoc pdf"

# A release with a stamped header on every page and a Bates number that
# changes from page to page.
cat >"$TMP/release.txt" <<'EOF'
Records of the drone unit, first flight log
Flights over the river park on the weekend of the march.
===
Second flight log: the camera recorded for ninety minutes.
===
Third flight log: the footage was kept on a shared drive.
===
Fourth flight log names the operator as badge 4471.
EOF
"$MKDOC" pdf "$D/pdf/release.pdf" "$TMP/release.txt" --title "Drone unit flight logs" \
  --header "UNCLASSIFIED // FOR PUBLIC RELEASE" --footer "DPD-00031%p" || fail "civ_mkdoc release"

qpdf --encrypt secretpw ownerpw 256 -- "$D/pdf/ruling.pdf" "$D/pdf/locked.pdf" || fail "qpdf user"
qpdf --encrypt "" ownerpw 256 -- "$D/pdf/release.pdf" "$D/pdf/owner-only.pdf" || fail "qpdf owner"
head -c 2500 "$D/pdf/ruling.pdf" >"$D/bad/truncated.pdf"
{ printf '%%PDF-1.5\n'; head -c 6000 /dev/urandom; } >"$D/bad/garbage.pdf"
# Test-only helper modes (CIV_SANDBOX_TEST below): a crash and a hang, of
# the PDF reader and of converters (programs run in the sandbox).
printf '%%PDF-1.4\n%% CIV-TEST-CRASH\n' >"$D/bad/crash.pdf"
printf '%%PDF-1.4\n%% CIV-TEST-HANG\n' >"$D/bad/hang.pdf"
printf '{\\rtf1 CIV-TEST-CRASH}\n' >"$D/bad/crash.rtf"
printf 'CIV-TEST-HANG\n' >"$D/bad/hang.doc"

# An open letter saved as PDF: a letter, with its signatories.
cat >"$TMP/open-letter.txt" <<'EOF'
Open letter on the county's gunshot sensors

April 12, 2023

Dear Members of the County Board,

We write to ask the board to end its contract for acoustic gunshot sensors.
The sensors record sound in residential streets around the clock.

The county has published no audit of how often alerts were wrong.

Sincerely,

Riverside Neighbors for Privacy
Eastside Tenants Council
Dr. Amara Lindqvist, Professor of Sociology
EOF
"$MKDOC" pdf "$D/pdf/open-letter.pdf" "$TMP/open-letter.txt" || fail "civ_mkdoc letter"

python3 "$MKOFFICE" docx "$D/office/memo.docx" || fail "docx"
python3 "$MKOFFICE" odt "$D/office/hearing.odt" || fail "odt"
python3 "$MKOFFICE" rtf "$D/office/request.rtf" || fail "rtf"
python3 "$MKOFFICE" doc "$D/office/minutes.doc" || fail "doc"

cat >"$TMP/letter.txt" <<'EOF'
March 9, 2022

Dear Chief Ramirez,

We ask the department to publish its policy on cell-site simulators
and the number of times they were used last year.

Sincerely,
Coalition for Open Policing
EOF
python3 "$MKOFFICE" zip "$D/archives/agency.zip" "$D/pdf/release.pdf:release/flight-logs.pdf" \
  "$TMP/letter.txt:letters/to-the-chief.txt" || fail "zip"
python3 "$MKOFFICE" nested "$D/archives/nested.zip" || fail "nested zip"
python3 "$MKOFFICE" bomb "$D/archives/bomb.zip" 200 || fail "bomb"
(cd "$TMP" && tar czf "$D/archives/letters.tar.gz" letter.txt) || fail "tar"
python3 "$MKOFFICE" mail "$D/mail/release.eml" "$D/pdf/ruling.pdf" || fail "mail"

cp "$D/pdf/ruling.pdf" "$D/good.pdf"

# ---- one run over everything, OCR off ------------------------------------
IDX="$TMP/idx"
run env CIV_SANDBOX_TEST=1 "$CIVINDEX" --index "$IDX" --doc-timeout 2 --max-size 32M "$D"
assert_rc 1
assert_clean_stderr
assert_out_has "indexed 15, skipped 2, failed 4 (2 warnings)"
assert_out_has "pages read"
assert_out_has "2 documents or OCR pages stopped at a limit (--doc-timeout 2 s, --doc-memory 1024 MB)"
# One line each, naming the file and the reason.
assert_err_has "failed: $D/bad/crash.pdf: the PDF reader crashed: Segmentation fault"
assert_err_has "skipped: $D/bad/hang.pdf: the PDF reader hung: stopped after 14 s"
assert_err_has "failed: $D/bad/crash.rtf: the RTF converter (unrtf) crashed: Segmentation fault"
assert_err_has "skipped: $D/bad/hang.doc: the Word converter (antiword) hung: stopped after 14 s"
assert_err_has "failed: $D/bad/truncated.pdf: damaged PDF"
assert_err_has "failed: $D/bad/garbage.pdf: damaged PDF"
assert_err_has "warning: $D/pdf/locked.pdf: encrypted: needs a password to open; only its name is indexed"
assert_err_has "warning: $D/archives/bomb.zip: member zeros.txt not read: larger than the maximum size (32 MB)"
[ "$(printf "%s\n" "$ERR" | wc -l)" -eq 8 ] || fail "expected 8 stderr lines"
ok "bad and hostile files: one line each, the run goes on"

# A helper whose children cannot arm their seccomp filter (as when seccomp
# cannot make one: CIV_SANDBOX_TEST=no-filter) reads nothing in them: the
# PDF and the RTF are skipped with one line each, the text file is read.
mkdir -p "$TMP/nofilter"
cp "$D/pdf/release.pdf" "$D/office/request.rtf" "$TMP/nofilter/"
echo "A plain note about the tapir hearing." >"$TMP/nofilter/note.txt"
run env CIV_SANDBOX_TEST=no-filter "$CIVINDEX" --index "$TMP/idx-nofilter" "$TMP/nofilter"
assert_rc 1
assert_out_has "indexed 1, skipped 2, failed 0;"
assert_err_has "skipped: $TMP/nofilter/release.pdf: not read: the sandbox could not arm its system-call filter (seccomp)"
assert_err_has "skipped: $TMP/nofilter/request.rtf: not read: the sandbox could not arm its system-call filter (seccomp)"
[ "$(printf "%s\n" "$ERR" | wc -l)" -eq 2 ] || fail "expected 2 stderr lines"
assert_eq "$(doc_ids "$TMP/idx-nofilter")" "note.txt" "only the text file indexed"
ok "no seccomp filter: nothing read in the sandbox"

# Every good document, beside the bad ones, is found.
assert_eq "$(doc_ids "$IDX" | tr '\n' ' ')" \
"archives/agency.zip#letters/to-the-chief.txt archives/agency.zip#release/flight-logs.pdf archives/bomb.zip#first.txt archives/letters.tar.gz#letter.txt archives/nested.zip#inner.zip#deep/note.txt archives/nested.zip#top.txt good.pdf mail/release.eml mail/release.eml#release-letter.pdf office/hearing.odt office/memo.docx office/minutes.doc office/request.rtf pdf/locked.pdf pdf/open-letter.pdf pdf/owner-only.pdf pdf/release.pdf pdf/ruling.pdf " \
  "document ids"
ok "good documents all indexed, archive members and attachments with their own ids"

# PDF: text in reading order, hyphens joined, running headers out,
# metadata where the text says nothing better.
run "$CIVSEARCH" --index "$IDX" --json --show pdf/ruling.pdf
assert_rc 0
assert_eq "$(jqout '.title')" "Opinion and order on the motion to suppress" "junk PDF title ignored"
assert_eq "$(jqout '.author')" "Rosa Calloway" "PDF author"
assert_eq "$(jqout '.datetime')" "2021-03-04T10:05:00Z" "PDF creation date"
assert_eq "$(jqout '.keyword_list | join("|")')" "suppression|warrant" "PDF keywords"
assert_eq "$(jqout '.format')" "pdf" "format"
jqout '.text' | grep -q "apartment on Elm Street" || fail "hyphenated line end not joined"
jqout '.text' | grep -q "CASE 1:21-cv" && fail "running header left in the text"
jqout '.text' | grep -q "Page 2 of 4" && fail "page footer left in the text"
run "$CIVSEARCH" --index "$IDX" --json --no-collapse quetzalruling
assert_eq "$(jqout '[.results[].id] | sort | join(",")')" \
  "good.pdf,mail/release.eml#release-letter.pdf,pdf/ruling.pdf" "word from page 3"
# The running header is still indexed once.
run "$CIVSEARCH" --index "$IDX" --json --no-collapse '"1:21-cv-00417"'
assert_eq "$(jqout '.total')" "3" "header indexed"
run "$CIVSEARCH" --index "$IDX" --json --show pdf/release.pdf
assert_eq "$(jqout '.title')" "Drone unit flight logs" "PDF title"
jqout '.text' | grep -q "UNCLASSIFIED" && fail "repeated stamp left in the text"
jqout '.text' | grep -q "DPD-0003" && fail "Bates numbers left in the text"
jqout '.text' | grep -q "badge 4471" || fail "last page text missing"
# Owner password only: read as usual. A user password: the name only.
run "$CIVSEARCH" --index "$IDX" --json --show pdf/owner-only.pdf
jqout '.text' | grep -q "shared drive" || fail "owner-password PDF not read"
run "$CIVSEARCH" --index "$IDX" --json --show pdf/locked.pdf
assert_eq "$(jqout '.title')" "locked" "locked PDF title"
assert_eq "$(jqout '.text // ""')" "" "locked PDF text"
run "$CIVSEARCH" --index "$IDX" --json --show pdf/open-letter.pdf
assert_eq "$(jqout '.type')" "letter" "a PDF open letter"
assert_eq "$(jqout '.signatories')" \
  "Riverside Neighbors for Privacy, Eastside Tenants Council, Dr. Amara Lindqvist (Professor of Sociology)" \
  "signatories of a PDF letter"
assert_eq "$(jqout '.date')" "2023-04-12" "letter date from the text"
ok "PDF text, pages, metadata, headers, passwords, letters"

# pages: a range over the page count (of PDFs and office files).
pages() { "$CIVSEARCH" --index "$IDX" --json --no-collapse "$1" | jq -r '[.results[].id] | sort | join(",")'; }
assert_eq "$(pages '* pages:4')" \
  "archives/agency.zip#release/flight-logs.pdf,good.pdf,mail/release.eml#release-letter.pdf,pdf/owner-only.pdf,pdf/release.pdf,pdf/ruling.pdf" \
  "pages:4"
assert_eq "$(pages '* pages:2..3')" "office/memo.docx" "pages:2..3"
assert_eq "$(pages '* pages:..1')" "office/hearing.odt,pdf/open-letter.pdf" "pages:..1"
assert_eq "$(pages '* pages:5..')" "" "pages:5.."
assert_eq "$(pages 'quetzalruling pages:4..')" \
  "good.pdf,mail/release.eml#release-letter.pdf,pdf/ruling.pdf" "pages: with a word"

# A gzip-compressed PDF is a PDF, its pages and all.
mkdir -p "$TMP/gz"
gzip -c "$D/pdf/ruling.pdf" >"$TMP/gz/ruling.pdf.gz"
# (And files not read: images apart, read with --ocr.)
echo "not a sheet" >"$TMP/gz/sheet.xlsx"
printf '\211PNG\r\n\032\n' >"$TMP/gz/photo.png"
run "$CIVINDEX" --index "$TMP/idx-gz" "$TMP/gz"
assert_rc 0
assert_out_has "4 pages read"
assert_out_has "not read (not a format civindex reads): 1 .xlsx; 1 .png (images: read with --ocr)"
run "$CIVSEARCH" --index "$TMP/idx-gz" --json --show ruling.pdf.gz
assert_eq "$(jqout '.format')" "pdf" ".pdf.gz format"
assert_eq "$(jqout '.pages')" "4" ".pdf.gz pages"
assert_eq "$(jqout '.author')" "Rosa Calloway" ".pdf.gz metadata"
run "$CIVSEARCH" --index "$TMP/idx-gz" --json quetzalruling
assert_eq "$(jqout '.results[0].id') $(jqout '.results[0].page')" "ruling.pdf.gz 3" ".pdf.gz page of a hit"
ok "pages: ranges; .pdf.gz"

# Office files.
run "$CIVSEARCH" --index "$IDX" --json --show office/memo.docx
assert_eq "$(jqout '.title')" "Plate reader retention memo" "docx title"
assert_eq "$(jqout '.author')" "Priya Natarajan" "docx author"
assert_eq "$(jqout '.datetime')" "2019-06-11T09:30:00Z" "docx date"
assert_eq "$(jqout '.keyword_list | join("|")')" "ALPR|retention" "docx keywords"
assert_eq "$(jqout '.description')" "Records request" "docx subject"
jqout '.text' | grep -q "quokkaplate" || fail "docx text"
jqout '.text' | grep -q "deletedwordzz" && fail "deleted text indexed"
run "$CIVSEARCH" --index "$IDX" --json --show office/hearing.odt
assert_eq "$(jqout '.title')" "Transit hearing notes" "odt title"
assert_eq "$(jqout '.author')" "Tomas Okafor" "odt author"
jqout '.text' | grep -q "fare  enforcement" || fail "odt spaces"
jqout '.text' | grep -q "wombatfare" || fail "odt text"
jqout '.text' | grep -q "annotationonlyzz" && fail "odt annotation indexed"
run "$CIVSEARCH" --index "$IDX" --json --show office/request.rtf
assert_eq "$(jqout '.title')" "Request for body camera policy" "rtf title"
assert_eq "$(jqout '.author')" "Mireille Santos" "rtf author"
assert_eq "$(jqout '.date')" "2018-10-02" "rtf date"
jqout '.text' | grep -q "caféla" || fail "rtf accents"
run "$CIVSEARCH" --index "$IDX" --json --show office/minutes.doc
assert_eq "$(jqout '.title')" "Minutes of the police oversight board" "doc title"
jqout '.text' | grep -q "narwhaldoc" || fail "doc text"
ok "docx, odt, rtf and doc"

# Archives and attachments: found and shown like any file.
run "$CIVSEARCH" --index "$IDX" --json --no-collapse "cell-site simulators"
assert_eq "$(jqout '[.results[].id] | sort | join(",")')" \
  "archives/agency.zip#letters/to-the-chief.txt,archives/letters.tar.gz#letter.txt" "letter in archives"
run "$CIVSEARCH" --index "$IDX" --json --show "archives/agency.zip#letters/to-the-chief.txt"
assert_eq "$(jqout '.type')" "letter" "a letter in a zip is a letter"
run "$CIVSEARCH" --index "$IDX" --json --no-collapse gecko
assert_eq "$(jqout '.results[0].id')" "archives/nested.zip#inner.zip#deep/note.txt" "nested zip"
run "$CIVSEARCH" --index "$IDX" --json --show "mail/release.eml#release-letter.pdf"
assert_eq "$(jqout '.format')" "pdf" "attachment read as a PDF"
run "$CIVSEARCH" --index "$IDX" --json --show "mail/release.eml"
jqout '.text' | grep -q "quetzalruling" && fail "attachment text in the letter"
assert_eq "$(jqout '.attachment_list | join(",")')" "release-letter.pdf" "attachment listed"
ok "archives, nested archives, mail attachments"

# A bomb that hides its size: the file's budget stops it.
mkdir -p "$TMP/bomb2"
python3 - "$TMP/bomb2/many.zip" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("a-first.txt", "Read before the bomb: the tapir ledger.\n")
    for i in range(8):
        z.writestr("zeros%d.txt" % i, b"\0" * (7 << 20))
EOF
run "$CIVINDEX" --index "$TMP/idx-bomb" --max-size 8M "$TMP/bomb2"
assert_err_has "warning: $TMP/bomb2/many.zip: expands to more than 32 MB in all (a zip bomb?): the rest not read"
assert_out_has "indexed 1, skipped 0, failed 0 (1 warning)"
ok "zip bomb stopped by the expansion budget"

# ---- archives: member names -------------------------------------------------
# A name outside ASCII (civindex keeps the C locale: libarchive warns that
# it cannot convert it, and the member is still read), with one more
# member after it; a zip and a pax tar. Paths with "." and ".." stay inside
# the archive's ids. Archives nested past the bound: one warning.
mkdir -p "$TMP/names"
python3 - "$TMP/names" <<'EOF'
import io, sys, tarfile, zipfile
d = sys.argv[1]
first = "Anh\u00f6rung/protokoll.txt"
text1 = "Protokoll der Anh\u00f6rung: the pangolin testimony.\n".encode()
text2 = b"A second member after it: the capybara ledger.\n"
with zipfile.ZipFile(d + "/umlaut.zip", "w") as z:
    z.writestr(first, text1)
    z.writestr("after.txt", text2)
with tarfile.open(d + "/umlaut.tar", "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in ((first, text1), ("after.txt", text2)):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = 1600000000
        t.addfile(info, io.BytesIO(data))
with zipfile.ZipFile(d + "/paths.zip", "w") as z:
    z.writestr(zipfile.ZipInfo("../evil.txt"), "Climbs out: the tarsier memo.\n")
    z.writestr(zipfile.ZipInfo("./a/./b/../c.txt"), "Dots inside: the quoll memo.\n")
    z.writestr(zipfile.ZipInfo("/abs/d.txt"), "Absolute: the numbat memo.\n")
# Five archives deep: the fifth is past the bound.
inner = None
for level in range(5, 0, -1):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("note%d.txt" % level, "Level %d of the matryoshka file.\n" % level)
        if inner is not None:
            z.writestr("level%d.zip" % (level + 1), inner)
    inner = buf.getvalue()
open(d + "/deep.zip", "wb").write(inner)
EOF
run "$CIVINDEX" --index "$TMP/idx-names" "$TMP/names"
assert_clean_stderr
assert_eq "$(doc_ids "$TMP/idx-names" | tr '\n' ' ')" \
"deep.zip#level2.zip#level3.zip#level4.zip#note4.txt deep.zip#level2.zip#level3.zip#note3.txt deep.zip#level2.zip#note2.txt deep.zip#note1.txt paths.zip#a/c.txt paths.zip#abs/d.txt paths.zip#evil.txt umlaut.tar#Anhörung/protokoll.txt umlaut.tar#after.txt umlaut.zip#Anhörung/protokoll.txt umlaut.zip#after.txt " \
  "archive member ids"
assert_err_has "warning: $TMP/names/deep.zip: member level2.zip: member level3.zip: member level4.zip: member level5.zip: archive nested too deeply: not read"
[ "$(printf "%s\n" "$ERR" | wc -l)" -eq 1 ] || fail "expected 1 stderr line"
run "$CIVSEARCH" --index "$TMP/idx-names" --json --no-collapse pangolin
assert_eq "$(jqout '[.results[].id] | sort | join(",")')" \
  "umlaut.tar#Anhörung/protokoll.txt,umlaut.zip#Anhörung/protokoll.txt" "a member named in UTF-8"
run "$CIVSEARCH" --index "$TMP/idx-names" --json --no-collapse capybara
assert_eq "$(jqout '.total')" "2" "the member after it"
ok "archive members named outside ASCII, dots in member paths, nesting bound"

# ---- OCR: a scanned PDF page and a two-frame TIFF ---------------------------
cat >"$TMP/scan.txt" <<'EOF'
Freedom of Information Act request number 2021-0457
The agency withheld four pages under exemption b(7)(C)
and released the remaining records to the requester.
EOF
cat >"$TMP/frames.txt" <<'EOF'
Inspection report for the jail kitchen
The inspector found the freezer broken.
===
Second page of the inspection report
Repairs were ordered within thirty days.
EOF
"$MKDOC" scan "$TMP/scans/release-scan.pdf" "$TMP/scan.txt" || fail "scan pdf"
"$MKDOC" tiff "$TMP/scans/inspection.tif" "$TMP/frames.txt" || fail "tiff"
run "$CIVINDEX" --index "$TMP/idx-noocr" "$TMP/scans"
assert_out_has "1 scanned page in 1 PDF not read as text: run with --ocr"
assert_rc 0 "scans left unread are counted, not failed"
# Images are a format civindex reads, with --ocr: the summary says so.
assert_out_has "not read: 1 .tif (images: read with --ocr)"
# Scans only: found by its name and page count until read by OCR.
run "$CIVSEARCH" --index "$TMP/idx-noocr" --json --show release-scan.pdf
assert_eq "$(jqout '.title')" "release-scan" "title of an unread scan"
assert_eq "$(jqout '.pages')" "1" "pages of an unread scan"
# A later run with --ocr reads it again, though the file did not change.
run "$CIVINDEX" --index "$TMP/idx-noocr" --ocr "$TMP/scans"
assert_out_has "by OCR"
run "$CIVSEARCH" --index "$TMP/idx-noocr" --json 2021-0457
assert_eq "$(jqout '.results[0].id')" "release-scan.pdf" "a scan read by a later --ocr run"

# The summary counts scans left unread on every run: re-runs that read
# nothing again (an unchanged file, a moved one) count what the index
# remembers. A file moved in a run with --ocr is read by OCR there.
mkdir -p "$TMP/mv"
cp "$TMP/scans/release-scan.pdf" "$TMP/mv/a.pdf"
run "$CIVINDEX" --index "$TMP/idx-mv" "$TMP/mv"
assert_out_has "1 scanned page in 1 PDF not read as text: run with --ocr"
run "$CIVINDEX" --index "$TMP/idx-mv" "$TMP/mv"
assert_rc 0
assert_out_has "unchanged 1, new 0, changed 0, moved 0"
assert_out_has "1 scanned page in 1 PDF not read as text: run with --ocr"
mv "$TMP/mv/a.pdf" "$TMP/mv/b.pdf"
run "$CIVINDEX" --index "$TMP/idx-mv" "$TMP/mv"
assert_out_has "unchanged 0, new 0, changed 0, moved 1"
assert_out_has "1 scanned page in 1 PDF not read as text: run with --ocr"
mv "$TMP/mv/b.pdf" "$TMP/mv/c.pdf"
run "$CIVINDEX" --index "$TMP/idx-mv" --ocr "$TMP/mv"
assert_rc 0
assert_out_has "unchanged 0, new 1, changed 0, moved 0, removed 1"
assert_out_has "1 page read, 1 by OCR (0 from the cache)"
assert_out_lacks "scanned page"
run "$CIVSEARCH" --index "$TMP/idx-mv" --json --no-collapse 2021-0457
assert_eq "$(jqout '[.results[].id] | join(",")')" "c.pdf" "a moved scan read by OCR"
ok "unread scans counted on unchanged and moved re-runs; a move under --ocr reads them"

# --ocr-lang: every language asked for is installed, or the run does not
# start (it would read pages in fewer and cache them under all).
mkdir -p "$TMP/lang"
cp "$TMP/scans/release-scan.pdf" "$TMP/lang/"
for langs in eng+zzz zzz+eng zzz; do
  run "$CIVINDEX" --index "$TMP/idx-lang" --ocr-lang "$langs" "$TMP/lang"
  assert_rc 2 "--ocr-lang $langs"
  assert_eq "$ERR" "civindex: OCR language zzz is not installed (Debian: tesseract-ocr-zzz)" "--ocr-lang $langs"
  [ -e "$TMP/idx-lang" ] && fail "an index made with --ocr-lang $langs"
done
run "$CIVINDEX" --index "$TMP/idx-lang" --ocr-lang eng "$TMP/lang"
assert_rc 0
assert_out_has "1 page read, 1 by OCR (0 from the cache)"
ls "$TMP"/idx-lang/ocr-cache/*/*-eng.txt >/dev/null 2>&1 || fail "no OCR text cached under eng"
ok "--ocr-lang: a language not installed stops the run before it starts"

run "$CIVINDEX" --index "$TMP/idx-ocr" --ocr -j 2 "$TMP/scans"
assert_rc 0
assert_clean_stderr
assert_out_has "3 pages read, 3 by OCR (0 from the cache)"
# At least 95 % of the words drawn are found, as whole words (a word
# inside a longer one is not found).
words_found() { # WANTED GOT
  python3 - "$1" "$2" <<'EOF'
import re, sys
words = lambda t: re.findall(r"[a-z0-9()]+", t.lower())
want = words(open(sys.argv[1]).read())
got = set(words(open(sys.argv[2]).read()))
found = sum(1 for w in want if w in got)
print("%d/%d" % (found, len(want)))
sys.exit(0 if found >= 0.95 * len(want) else 1)
EOF
}
accuracy() { # TEXTFILE ID
  "$CIVSEARCH" --index "$TMP/idx-ocr" --json --show "$2" | jq -r .text >"$TMP/got.txt"
  words_found "$1" "$TMP/got.txt"
}
echo "The request number" >"$TMP/want.txt"
echo "Then requester numbers" >"$TMP/inside.txt"
assert_eq "$(words_found "$TMP/want.txt" "$TMP/inside.txt")" "0/3" "words inside longer ones"
accuracy "$TMP/scan.txt" release-scan.pdf || fail "OCR accuracy of the scanned PDF"
accuracy "$TMP/frames.txt" inspection.tif || fail "OCR accuracy of the TIFF"
# Legal entities are read from OCR text too (issue 15).
run "$CIVSEARCH" --index "$TMP/idx-ocr" --json --snippet 0 'exemption:b7c'
assert_eq "$(jqout '[.results[].id] | join(",")')" release-scan.pdf "an exemption read by OCR"
run "$CIVSEARCH" --index "$TMP/idx-ocr" --json freezer
assert_eq "$(jqout '.results[0].id')" "inspection.tif" "OCR text searchable"
ok "OCR of a scanned page and of a two-frame TIFF (>= 95 % of the words)"

# The cache beside the index: a rebuild OCRs nothing again.
[ -d "$TMP/idx-ocr/ocr-cache" ] || fail "no OCR cache beside the index"
run "$CIVINDEX" --index "$TMP/idx-ocr" --ocr --full "$TMP/scans"
assert_rc 0
assert_out_has "3 pages read, 3 by OCR (3 from the cache)"
ok "a --full rebuild reads OCR text from the cache"
