#!/bin/sh
# A damaged index: each file of the glass database in turn (every table,
# the version file iamglass) and the folder's stub XAPIANDB, with bytes
# overwritten in the middle, cut to half its size, or deleted.
#  - civsearch either answers exactly what the intact index answers (glass
#    blocks carry no checksum: damage in a block a query never reads goes
#    unseen) or exits 2 with "index damaged ... civindex --full"; never a
#    crash, never a different answer;
#  - civindex without --full refuses to write into it (it checks every
#    table first: civ_db_check), exit 2 with the same advice;
#  - civindex --full rebuilds it, and then it answers as before.
# (The page's 503 for a damaged index: tests/e2e/web/checks.sh.)
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"
# Sanitizer builds: Xapian's own leak on a truncated table (see the file).
LSAN_OPTIONS="suppressions=$CIV_SOURCE_DIR/tests/lsan-damaged.supp:print_suppressions=0"
export LSAN_OPTIONS
command -v xapian-check >/dev/null || fail "xapian-check is missing (scripts/deps.sh test installs xapian-tools)"

# One worker: the same blocks hold the same data every run.
"$CIVINDEX" -q -j 1 -i "$TMP/idx" "$CORPUS" || fail "index of the corpus"
gen=$(sed -n 's/^auto //p' "$TMP/idx/XAPIANDB")
[ -f "$TMP/idx/$gen/iamglass" ] || fail "no glass database in $TMP/idx/$gen"

QUERIES='surveillance|"facial recognition"|warrant OR subpoena|* type:letter|title:drones|surveil*'
SHOW=letters/2021-04-02-mayor-alvarez-facial-recognition.txt

# answers IDX: every query's total and ids, and the similar documents' (as a set: ties in weight
# are in docid order, which a rebuild with several workers changes), and one stored text, or the
# first failure's status and message.
answers() {
  printf '%s\n' "$QUERIES" | tr '|' '\n' | while IFS= read -r q; do
    r=0
    "$CIVSEARCH" -i "$1" -j -n 100 "$q" >"$TMP/a.out" 2>"$TMP/a.err" || r=$?
    if [ "$r" -gt 1 ]; then echo "status $r: $(cat "$TMP/a.err")"; return; fi
    jq -c '[.total, ([.results[].id] | sort)]' "$TMP/a.out"
  done
  # Similar documents: read from the term lists.
  r=0
  "$CIVSEARCH" -i "$1" -j -n 100 --like "$SHOW" >"$TMP/a.out" 2>"$TMP/a.err" || r=$?
  if [ "$r" -gt 1 ]; then echo "status $r: $(cat "$TMP/a.err")"; return; fi
  jq -c '[.total, ([.results[].id] | sort)]' "$TMP/a.out"
  r=0
  "$CIVSEARCH" -i "$1" --show "$SHOW" >"$TMP/a.out" 2>"$TMP/a.err" || r=$?
  if [ "$r" -gt 1 ]; then echo "status $r: $(cat "$TMP/a.err")"; return; fi
  cksum <"$TMP/a.out"
}
good=$(answers "$TMP/idx")
printf '%s' "$good" | grep -aq '^status' && fail "the intact index fails: $good"

damage() { # how file
  case "$1" in
    flip) sz=$(stat -c %s "$2")
          head -c 64 /dev/zero | tr '\0' '\245' |
            dd of="$2" bs=1 seek=$((sz / 2)) conv=notrunc 2>/dev/null ;;
    truncate) truncate -s $(($(stat -c %s "$2") / 2)) "$2" ;;
    delete) rm -f "$2" ;;
  esac
}

errors=0; same=0; summary=""
for f in "$TMP/idx/$gen"/* "$TMP/idx/XAPIANDB"; do
  name=${f##*/}
  case "$name" in flintlock) continue ;; esac
  for how in flip truncate delete; do
    W="$TMP/w"
    rm -rf "$W"; cp -a "$TMP/idx" "$W"
    damage $how "$W/${f#"$TMP/idx/"}"
    what="$name $how"

    # civsearch: the same answers, or exit 2 with the advice.
    got=$(answers "$W")
    if [ "$got" = "$good" ]; then
      outcome="unseen by the queries"; same=$((same + 1))
    else
      line=$(printf '%s\n' "$got" | grep -a '^status' | head -n 1)
      [ -n "$line" ] || { OUT=$got; ERR=; RC=-; fail "$what: a different answer without an error (intact: $good)"; }
      case "$line" in
        "status 2: "*"index damaged"*"civindex --full"*) ;;
        *) OUT=$got; ERR=; RC=-; fail "$what: civsearch failed without the advice: $line" ;;
      esac
      outcome="civsearch exit 2"; errors=$((errors + 1))
    fi

    # civindex without --full refuses, the files untouched; unless the
    # bytes hit a block no table uses (xapian-check finds nothing), which
    # the next commit may reuse: then it runs, and the answers stay right.
    # xapian-check does not read what the items hold: when the bytes hit a
    # document's record, civindex's own check (every record decoded, its
    # text's checksum verified) refuses, as for any other damage.
    unused=0
    if [ "$how" = flip ] && [ "$name" != XAPIANDB ] && xapian-check "$W/$gen" >/dev/null 2>&1; then
      unused=1
    fi
    # The synonym table is optional to Xapian (civindex writes none): a
    # missing one is an empty one. A missing spelling table is damage: the
    # index notes that it wrote one (civ:spelling).
    before=$(cd "$W" && find . -type f ! -name civindex.lock -exec cksum {} + | sort)
    run "$CIVINDEX" -q -i "$W" "$CORPUS"
    assert_clean_stderr
    if [ "$unused" = 1 ] && [ "$RC" -eq 2 ] && printf "%s" "$ERR" | grep -aq "document [0-9]*: .*damaged"; then
      unused=0 # a record damaged: refused below
    fi
    if [ "$unused" != 0 ]; then
      [ "$RC" -le 1 ] || fail "$what (an unused block): civindex failed"
      [ "$(answers "$W")" = "$good" ] || fail "$what (an unused block): answers differ after civindex"
      outcome="$outcome; a free block: civindex wrote, answers right"
    else
      [ "$RC" -eq 2 ] || fail "$what: civindex wrote into a damaged index (exit $RC)"
      assert_err_has "index damaged"
      assert_err_has "civindex --full"
      after=$(cd "$W" && find . -type f ! -name civindex.lock -exec cksum {} + | sort)
      [ "$after" = "$before" ] || fail "$what: civindex changed the damaged index"
      outcome="$outcome; civindex refused"
    fi

    # civindex --full rebuilds it.
    run "$CIVINDEX" -q --full -i "$W" "$CORPUS"
    [ "$RC" -eq 0 ] || fail "$what: civindex --full did not rebuild it"
    [ "$(answers "$W")" = "$good" ] || fail "$what: answers differ after civindex --full"
    summary="$summary
  $what: $outcome; --full rebuilt it"
  done
done
# One record damaged, the B-trees intact (xapian-check sees nothing):
# civsearch refuses to show it, civindex refuses to write, --full repairs.
W="$TMP/w"
rm -rf "$W"; cp -a "$TMP/idx" "$W"
did=$("$CIV_BUILD_DIR/tests/civ_damage_record" "$W/$gen" "$SHOW") || fail "civ_damage_record"
xapian-check "$W/$gen" >/dev/null 2>&1 || fail "a damaged record: xapian-check was expected to see nothing"
run "$CIVSEARCH" -i "$W" --show "$SHOW"
[ "$RC" -eq 2 ] || fail "a damaged record: civsearch --show exit $RC"
assert_err_has "index damaged"
assert_err_has "civindex --full"
before=$(cd "$W" && find . -type f ! -name civindex.lock -exec cksum {} + | sort)
run "$CIVINDEX" -q -i "$W" "$CORPUS"
[ "$RC" -eq 2 ] || fail "a damaged record: civindex wrote into the index (exit $RC)"
assert_err_has "document $did: document data is damaged"
assert_err_has "civindex --full"
after=$(cd "$W" && find . -type f ! -name civindex.lock -exec cksum {} + | sort)
[ "$after" = "$before" ] || fail "a damaged record: civindex changed the index"
run "$CIVINDEX" -q --full -i "$W" "$CORPUS"
[ "$RC" -eq 0 ] || fail "a damaged record: civindex --full did not rebuild it"
[ "$(answers "$W")" = "$good" ] || fail "a damaged record: answers differ after civindex --full"
summary="$summary
  document $did's record cut short: civsearch exit 2; civindex refused; --full rebuilt it"

# A set of shards with one shard damaged: civindex checks every shard
# before it writes any, so it refuses with the shard named and the others
# stay as they were (but for civchecked, the note that a shard's tables
# were checked whole); --full rebuilds the set.
S="$TMP/set" C2="$TMP/corpus2"
cp -r "$CORPUS" "$C2"
run "$CIVINDEX" -q --shards 3 -i "$S" "$C2"
[ "$RC" -le 1 ] || fail "indexing corpus/ as 3 shards"
gen1=$(sed -n 's/^auto //p' "$S/shard-1/XAPIANDB")
damage truncate "$S/shard-1/$gen1/postlist.glass"
for k in 1 2 3 4 5 6; do printf 'New note %s on warrants.\n' $k >"$C2/new-note-$k.txt"; done
before=$(cd "$S" && find . -type f ! -name civindex.lock ! -name civchecked -exec cksum {} + | sort)
run "$CIVINDEX" -q --shards 3 -i "$S" "$C2"
[ "$RC" -eq 2 ] || fail "a damaged shard: civindex wrote into the set (exit $RC)"
assert_err_has "shard 1: index damaged"
assert_err_has "civindex --full"
after=$(cd "$S" && find . -type f ! -name civindex.lock ! -name civchecked -exec cksum {} + | sort)
[ "$after" = "$before" ] || fail "a damaged shard: civindex changed the set: $(printf '%s\n%s\n' "$before" "$after" | sort | uniq -u)"
run "$CIVINDEX" -q --full --shards 3 -i "$S" "$C2"
[ "$RC" -eq 0 ] || fail "a damaged shard: civindex --full did not rebuild the set"
run "$CIVSEARCH" -i "$S" -n 0 warrants
[ "$RC" -eq 0 ] || fail "the rebuilt set does not answer"
summary="$summary
  shard 1 of 3 cut short: civindex refused before writing any shard; --full rebuilt the set"

# Not damage: the last documents with positions removed leaves the
# position table empty, and civ:positions follows it.
E="$TMP/emptied"
mkdir -p "$E/in"
echo "a letter about drones" >"$E/in/a.txt"
run "$CIVINDEX" -q -i "$E/idx" "$E/in"
[ "$RC" -eq 0 ] || fail "emptied: the first index"
rm "$E/in/a.txt"
run "$CIVINDEX" -q -i "$E/idx" "$E/in"
[ "$RC" -eq 0 ] || fail "emptied: civindex after the last file went"
run "$CIVSEARCH" -i "$E/idx" drones
[ "$RC" -eq 1 ] || fail "emptied: civsearch exit $RC (an index whose documents all went is not damaged)"
echo "a letter about drones again" >"$E/in/b.txt"
run "$CIVINDEX" -q -i "$E/idx" "$E/in"
[ "$RC" -eq 0 ] || fail "emptied: civindex after a file came back"
run "$CIVSEARCH" -i "$E/idx" '"drones about"'
[ "$RC" -eq 1 ] || fail "emptied: a phrase in the wrong order found something (exit $RC)"

echo "damaged index, per file:$summary"
echo "damage seen by civsearch: $errors; unseen by the queries (answers identical): $same"
ok "damaged index: civsearch correct or exit 2 with the advice, civindex refuses, --full repairs"
