#!/bin/sh
# Letters end to end: mail (.eml, mbox, gzip), open letters, their fields,
# field queries, threads and JSON, through the real civindex and civsearch.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

IN="$TMP/in"
mkdir -p "$IN/gz"
cp -r "$FIXTURES/mail" "$FIXTURES/letters" "$IN/"
gzip -n -c "$FIXTURES/mail/rfc2047.eml" >"$IN/gz/rfc2047.eml.gz"
gzip -n -c "$FIXTURES/mail/archive.mbox" >"$IN/gz/archive.mbox.gz"
IDX="$TMP/idx"

# ---- indexing: broken mail gives warnings, never failures -----------------
run "$CIVINDEX" --index "$IDX" "$IN"
assert_rc 1 "(warnings make the exit status 1)"
assert_clean_stderr
assert_out_has "indexed 25, skipped 0, failed 0 (4 warnings)"
assert_out_has "29 documents"
assert_err_has "warning: $IN/mail/truncated.eml: truncated message"
assert_err_has "warning: $IN/mail/truncated.eml: truncated base64 in attachment report.pdf"
assert_err_has "warning: $IN/mail/missing-boundary.eml: missing MIME boundary"
assert_err_has "warning: $IN/mail/bad-charset.eml: bad charset x-foo in part 1, decoded as windows-1252"
ok "index with warnings"
export CIVSEARCH_INDEX="$IDX"

# ids QUERY...: the result ids, sorted, comma-separated.
ids() { run "$CIVSEARCH" --json --limit 100 --no-collapse "$@"; jqout '[.results[].id] | sort | join(",")'; }

# ---- types ----------------------------------------------------------------
run "$CIVSEARCH" --stats
assert_out_has "letter 27, article 2"
assert_out_has "mail 18, mbox 6"
assert_eq "$(ids 'type:article')" "letters/article-dear-reader.txt,letters/article-quoting-letter.txt" "articles stay articles"
ok "types"

# ---- field queries --------------------------------------------------------
assert_eq "$(ids 'from:aclu.org')" "mail/alternative.eml" "from: domain"
assert_eq "$(ids 'from:jane.okafor@aclu.org')" "mail/alternative.eml" "from: address"
assert_eq "$(ids 'from:crockford')" "mail/from-address.eml,mail/from-name.eml" "from: name word and address local part"
assert_eq "$(ids 'to:crockford')" "mail/alternative.eml" "to: display name"
assert_eq "$(ids 'cc:legal')" "mail/alternative.eml" "cc:"
assert_eq "$(ids 'to:bezos')" "letters/open-letter-amazon.txt" "to: of an open letter"
assert_eq "$(ids 'subject:"license plate readers"')" \
  "mail/thread-a-reply2.eml,mail/thread-b-original.eml,mail/thread-c-reply1.eml" "subject:"
assert_eq "$(ids 'subject:budget')" "gz/archive.mbox.gz#3,mail/archive.mbox#3" "subject: in mbox and mbox.gz"
assert_eq "$(ids 'signed:"Human Rights Watch"')" "letters/open-letter-amazon.txt" "signed:"
assert_eq "$(ids 'signed:okafor')" "letters/open-letter-amazon.txt" "signed: a person with affiliation"
assert_eq "$(ids 'signed:"brennan center"')" "letters/open-letter-committee.html" "signed: comma-separated HTML"
assert_eq "$(ids 'signed:osei')" "letters/letter-single-signer.md" "signed: one signer"
assert_eq "$(ids 'attachment:chart.png')" "mail/attachments.eml" "attachment:"
assert_eq "$(ids '"subject identification" OR Plainversionmarker')" "mail/alternative.eml" "plain part"
run "$CIVSEARCH" Htmlversionmarker; assert_rc 1 "the HTML alternative is not indexed"
run "$CIVSEARCH" trackingpixelcode; assert_rc 1 "scripts in HTML mail are not indexed"
assert_eq "$(ids 'Attachednotesmarker Attachedhtmlmarker Attachedxmlmarker Forwardedbodymarker')" \
  "mail/attachments.eml" "text-like attachments and forwarded mail"
ok "field queries"

# ---- encodings --------------------------------------------------------------
assert_eq "$(ids 'Genève')" "mail/quoted-printable.eml" "quoted-printable Latin-1"
assert_eq "$(ids 'unverhältnismäßig')" "mail/base64.eml" "base64 UTF-8"
assert_eq "$(ids 'Köln')" "mail/latin1.eml" "8-bit Latin-1"
assert_eq "$(ids '監視社会')" "mail/shift-jis.eml" "Shift_JIS"
assert_eq "$(ids 'subject:wstępny')" "gz/rfc2047.eml.gz,mail/rfc2047.eml" "RFC 2047 subject, and .eml.gz"
assert_eq "$(ids 'from:ślimak')" "gz/rfc2047.eml.gz,mail/rfc2047.eml" "RFC 2047 name"
assert_eq "$(ids '"From now on reports are published quarterly"')" \
  "gz/archive.mbox.gz#1,mail/archive.mbox#1" "mbox >From unquoted"
assert_eq "$(ids Badcharsetmarker Noboundarymarker Truncatedbodymarker --or)" \
  "mail/bad-charset.eml,mail/missing-boundary.eml,mail/truncated.eml" "broken mail still searchable"
ok "encodings"

# ---- threads --------------------------------------------------------------
run "$CIVSEARCH" --json --show mail/thread-b-original.eml
T=$(jqout '.thread')
[ ${#T} -eq 16 ] || fail "thread id is not 16 hex digits: $T"
assert_eq "$(ids "thread:$T")" "mail/thread-a-reply2.eml,mail/thread-b-original.eml,mail/thread-c-reply1.eml" "thread:"
run "$CIVSEARCH" --json --thread "$T"
assert_rc 0
assert_eq "$(jqout '[.results[].id] | join(",")')" \
  "mail/thread-b-original.eml,mail/thread-c-reply1.eml,mail/thread-a-reply2.eml" "--thread in date order"
assert_eq "$(jqout '[.results[].datetime] | join(",")')" \
  "2019-06-03T16:00:00Z,2019-06-03T16:15:00Z,2019-06-03T16:40:00Z" "dates in UTC"
run "$CIVSEARCH" --thread '<ack-7@City.Example>'
assert_rc 0
assert_out_has "Thread $T"
assert_out_has "3 results"
assert_out_has "2019-06-03 16:15 UTC · letter · Records Office <records@city.example> · mail/thread-c-reply1.eml"
run "$CIVSEARCH" --thread 0123456789abcdef; assert_rc 1 "unknown thread"
run "$CIVSEARCH" --thread nosuch@example.org; assert_rc 1 "unknown Message-ID"
assert_err_has "no thread"
run "$CIVSEARCH" --json --thread "$T" from:maria
assert_eq "$(jqout '[.results[].id] | join(",")')" "mail/thread-b-original.eml,mail/thread-a-reply2.eml" "--thread with a query"
ok "threads"

# ---- JSON fields --------------------------------------------------------------
run "$CIVSEARCH" --json 'subject:"hearing moved"'
assert_eq "$(jqout '.results[0].type')" "letter"
assert_eq "$(jqout '.results[0].from')" "Jane Okafor <jane.okafor@aclu.org>"
assert_eq "$(jqout '.results[0].to_list | join(" | ")')" "Crockford, Douglas <douglas@crockford.example> | press@eff.example"
assert_eq "$(jqout '.results[0].cc')" "Legal Team <legal@aclu.org>"
assert_eq "$(jqout '.results[0].subject')" "Facial recognition ordinance: hearing moved"
assert_eq "$(jqout '.results[0].title')" "Facial recognition ordinance: hearing moved"
assert_eq "$(jqout '.results[0].message_id')" "alt-1@mail.aclu.org"
assert_eq "$(jqout '.results[0].datetime')" "2019-05-14T20:05:09Z"
assert_eq "$(jqout '.results[0].date_source')" "header"
assert_eq "$(jqout '.results[0].thread | test("^[0-9a-f]{16}$")')" "true"
run "$CIVSEARCH" --json --show letters/open-letter-amazon.txt
assert_eq "$(jqout '.signatory_list | length')" "12" "12 signatories"
assert_eq "$(jqout '.signatory_list[9]')" "Jane Okafor (Executive Director, Privacy Now)"
assert_eq "$(jqout '.from')" "American Civil Liberties Union"
assert_eq "$(jqout '.to_list | join(" | ")')" "Jeff Bezos | Mr. Bezos"
assert_eq "$(jqout '.date')" "2018-05-22"
run "$CIVSEARCH" --json --show mail/archive.mbox#2
assert_eq "$(jqout '.datetime')" "2019-06-05T11:30:15Z" "envelope date"
assert_eq "$(jqout '.date_source')" "envelope"
assert_eq "$(jqout '.in_reply_to')" "minutes-1@privacy.example"
run "$CIVSEARCH" --json --show mail/attachments.eml
assert_eq "$(jqout '.attachment_list | join(",")')" "notes.txt,statement.html,timeline.xml,chart.png"
run "$CIVSEARCH" --json --show letters/article-quoting-letter.txt
assert_eq "$(jqout '.type')" "article" "an article quoting a letter"
assert_eq "$(jqout 'has("signatories")')" "false"
run "$CIVSEARCH" --show mail/rfc2047.eml
assert_out_has "From:        Anna Kowalska-Ślimak <anna@panoptykon.example>"
assert_out_has "Subject:     Pegasus w Polsce: raport wstępny"
ok "JSON and text fields"

# ---- the sample collection: known answers about letters (docs/corpus.md) -----
if [ -d "$CORPUS/letters" ]; then
  CIDX="$TMP/cidx"
  run "$CIVINDEX" --index "$CIDX" "$CORPUS"
  [ "$RC" -le 1 ] || fail "civindex failed on corpus/"
  export CIVSEARCH_INDEX="$CIDX"
  assert_eq "$(ids 'lang:fr')" "articles/surveillance-faciale-manifestations.md,letters/mail/2021-05-11-fouilles-telephones-qp.eml" "12"
  assert_eq "$(ids 'lang:es')" "articles/vigilancia-drones-es.xml.gz,letters/mail/2024-02-15-solicitud-drones.eml" "13"
  assert_eq "$(ids 'type:letter encryption')" "letters/2016-03-09-encryption-letter.html" "16"
  assert_eq "$(ids 'subject:"IMSI catcher records"')" \
    "letters/mail/2021-02-03-imsi-catcher-records-1.eml,letters/mail/2021-02-03-imsi-catcher-records-2.eml,letters/mail/2021-02-04-imsi-catcher-records-3.eml" "17"
  run "$CIVSEARCH" --json 'subject:"IMSI catcher records"'
  assert_eq "$(jqout '[.results[].thread] | unique | length')" "1" "17 one thread"
  assert_eq "$(ids 'from:drummond')" "letters/mail/2021-02-03-imsi-catcher-records-2.eml" "18"
  assert_eq "$(ids 'signed:"Port Calder Council of Faith Leaders"')" \
    "letters/2021-04-02-mayor-alvarez-facial-recognition.txt,letters/2022-12-05-data-broker-ceo.txt" "19"
  assert_eq "$(ids Skerrymoor)" "letters/foia-correspondence.mbox#4" "20"
  run "$CIVSEARCH" --json --show 'letters/foia-correspondence.mbox#4'
  assert_eq "$(jqout '.message_id')" "prr-drones-4@openledger.example" "20 Message-ID"
  assert_eq "$(jqout '.text | contains("\nFrom the flight logs released last June")')" "true" "20 unquoted"
  assert_eq "$(ids 'attachment:"response-letter.pdf"')" "letters/mail/2018-05-02-cbp-final-response.eml" "attachment"
  run "$CIVSEARCH" --json --show letters/2021-04-02-mayor-alvarez-facial-recognition.txt
  assert_eq "$(jqout '.signatory_list | length')" "12" "mayor letter signatories"
  assert_eq "$(ids '* type:letter format:mbox' | tr ',' '\n' | wc -l | tr -d ' ')" "6" "6 mbox messages"
  run "$CIVSEARCH" --json --thread '<prr-drones-1@openledger.example>'
  assert_eq "$(jqout '[.results[].message_id] | join(",")')" \
    "prr-drones-1@openledger.example,hcso-ack-21-0133@hcso.example,hcso-fee-21-0133@hcso.example,prr-drones-4@openledger.example,hcso-prod-21-0133@hcso.example,prr-drones-6@openledger.example" "mbox thread in order"
  run "$CIVSEARCH" --stats
  assert_out_has "Documents:    63"
  ok "corpus known answers about letters"
fi
