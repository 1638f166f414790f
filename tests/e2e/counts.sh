#!/bin/sh
# Counts and ties on an archive big enough that the matcher stops early:
# 6,000 distinct documents and 2,000 copies of some of them in another
# folder. The count of a first page ("about N") lies within 10 % of the
# exact count (which -n 0 asks for), folds copies only where there are
# copies, and says "about" only for an estimate. Matches of equal weight
# come in the order of their ids, whatever the order documents were
# added in (one worker or two, one index or several).
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"

D="$TMP/docs"
gen_docs "$D" 6000 5
mkdir -p "$D/copies"
n=0
for f in "$D"/d0*/*.txt; do
  n=$((n + 1))
  [ $((n % 3)) -eq 0 ] && cp -p "$f" "$D/copies/c$n.txt"
done
run "$CIVINDEX" -q -j 2 -i "$TMP/one" "$D"
assert_rc 0

# near A B: A within 10 % of B.
near() { [ $((10 * ($1 - $2))) -le "$2" ] && [ $((10 * ($2 - $1))) -le "$2" ]; }

for q in court 'court warrant' 'privacy OR data' 'judge -appeal' uniq00007 \
  '"data police"' '"court warrant"' '"privacy rights"' 'warrant court appeal judge' \
  'warrant court appeal judge privacy' 'court warrant data police rights appeal' \
  'warrant court appeal judge privacy data police rights'; do
  run "$CIVSEARCH" -i "$TMP/one" -j -n 0 "$q"
  assert_rc 0
  [ "$(jqout .total_exact)" = true ] || fail "$q: -n 0 is not exact"
  exact=$(jqout .total)
  run "$CIVSEARCH" -i "$TMP/one" -j "$q"
  est=$(jqout .total)
  near "$est" "$exact" || fail "$q: about $est, exactly $exact (more than 10 % apart)"
  if [ "$(jqout .total_exact)" = true ]; then
    assert_eq "$est" "$exact" "$q: an exact count"
    run "$CIVSEARCH" -i "$TMP/one" --color never "$q"
    assert_eq "$(printf '%s\n' "$OUT" | head -n 1 | cut -d' ' -f1)" "$exact" "$q: the count line"
  else
    run "$CIVSEARCH" -i "$TMP/one" --color never "$q"
    assert_eq "$(printf '%s\n' "$OUT" | head -n 1 | cut -d' ' -f1-2)" "about $est" "$q: the count line"
  fi
done
ok "first-page counts within 10 % of the exact ones; 'about' only for estimates"

# An exact count folds exactly the copies there are, on any page: the
# matches without folding less the matches with.
for q in '"privacy rights"' '"court warrant"' 'court warrant' 'warrant court appeal judge privacy'; do
  all=$("$CIVSEARCH" -i "$TMP/one" -j -n 0 --no-collapse "$q" | jq .total)
  for off in 0 10 500; do
    run "$CIVSEARCH" -i "$TMP/one" -j --offset $off "$q"
    [ "$(jqout .total_exact)" = true ] || continue
    assert_eq "$(jqout .folded)" "$((all - $(jqout .total)))" "$q at offset $off: copies folded"
  done
done
ok "copies folded: exactly those there are"

# An OR of words is counted from its words' posting lists, the matcher
# weighing only what may reach the page: exact on every page, its copies
# folded exactly, the figures the matcher gives when facets make it see
# every match.
for q in 'privacy OR data' 'court OR warrant OR appeal OR judge' 'uniq00007 OR uniq00012 OR nosuchword'; do
  run "$CIVSEARCH" -i "$TMP/one" -j -n 0 "$q"
  exact=$(jqout .total)
  all=$("$CIVSEARCH" -i "$TMP/one" -j -n 0 --no-collapse "$q" | jq .total)
  run "$CIVSEARCH" -i "$TMP/one" -j --facets "$q"
  assert_eq "$(jqout .total)" "$exact" "$q: the count with facets"
  for off in 0 10 500; do
    run "$CIVSEARCH" -i "$TMP/one" -j --offset $off "$q"
    assert_eq "$(jqout .total_exact)" true "$q at offset $off: an exact count"
    assert_eq "$(jqout .total)" "$exact" "$q at offset $off: the count"
    assert_eq "$(jqout .folded)" "$((all - exact))" "$q at offset $off: copies folded"
    run "$CIVSEARCH" -i "$TMP/one" -j --offset $off --no-collapse "$q"
    assert_eq "$(jqout .total_exact)" true "$q at offset $off, every copy: an exact count"
    assert_eq "$(jqout .total)" "$all" "$q at offset $off, every copy: the count"
  done
done
ok "an OR of words counted exactly from its posting lists"

# No copies: nothing folded, and the estimate is the count.
mkdir -p "$TMP/uniq"
cp -rp "$D"/d0* "$TMP/uniq/"
run "$CIVINDEX" -q -i "$TMP/u" "$TMP/uniq"
run "$CIVSEARCH" -i "$TMP/u" -j court
assert_eq "$(jqout .folded)" 0 "copies folded where there are none"
est=$(jqout .total)
run "$CIVSEARCH" -i "$TMP/u" -j -n 0 court
assert_eq "$est" "$(jqout .total)" "the count of court without copies"
ok "no copies: none folded, the count right"

# Ties: a filter alone weighs every match the same; so do the documents
# that hold a word once in texts of the same length.
run "$CIVINDEX" -q -j 1 -i "$TMP/serial" "$D"
assert_rc 0
for q in 'type:article' uniq00012 'court' 'rights appeal'; do
  for args in "-n 10" "--offset 7 -n 5" "-n 60" "--offset 55 -n 5" "--offset 59 -n 3"; do
    # shellcheck disable=SC2086
    a=$("$CIVSEARCH" -i "$TMP/one" -j $args "$q" | jq -c '[.results[] | [.id, .score]]')
    # shellcheck disable=SC2086
    b=$("$CIVSEARCH" -i "$TMP/serial" -j $args "$q" | jq -c '[.results[] | [.id, .score]]')
    [ "$a" = "$b" ] || { OUT="$a
$b"; fail "$q ($args): one worker and two give other pages"; }
  done
done
run "$CIVSEARCH" -i "$TMP/one" -j -n 10 'type:article'
assert_eq "$(jqout '[.results[].id] | join(" ")')" \
  "$(doc_ids "$TMP/one" | LC_ALL=C sort | head -n 10 | tr '\n' ' ' | sed 's/ $//')" "a filter's first page: the first ids"
# Added in the other order: bb.txt first (the lower docid), aa.txt by a
# second run; the two weigh the same for "quiet". Every page puts aa.txt
# first, whether the tie lies within the page or across its start.
mkdir -p "$TMP/tie"
printf 'Harbour notes\n\nThe quiet harbour held a pelican at dawn.\n' >"$TMP/tie/bb.txt"
run "$CIVINDEX" -q -i "$TMP/ti" "$TMP/tie"
printf 'Harbour notes\n\nThe quiet harbour held a heron at dawn.\n' >"$TMP/tie/aa.txt"
run "$CIVINDEX" -q -i "$TMP/ti" "$TMP/tie"
run "$CIVSEARCH" -i "$TMP/ti" -j quiet
assert_eq "$(jqout '[.results[].id] | join(" ")')" "aa.txt bb.txt" "a tie within the page"
assert_eq "$(jqout '.results[0].score == .results[1].score')" true "the two weigh the same"
run "$CIVSEARCH" -i "$TMP/ti" -j -n 1 quiet
assert_eq "$(jqout '[.results[].id] | join(" ")')" "aa.txt" "a tie across the page's end"
run "$CIVSEARCH" -i "$TMP/ti" -j --offset 1 -n 1 quiet
assert_eq "$(jqout '[.results[].id] | join(" ")')" "bb.txt" "a tie across the page's start"
ok "equal weights in the order of ids, with one worker or two"

# Runs of ties around the 50 best (those weighed again): 45 documents of
# one weight, 10 of a second, 20 of a third, the odd-numbered of each
# added first (their docids before the others'). A run across the end of
# the matches taken that ends within the few fetched past it (-n 50,
# --offset 48) is put in the order of ids from them; one that goes on
# (-n 60: the third run) by a second match. Both as the ids say.
mkdir -p "$TMP/runs/odd" "$TMP/runs/even"
i=0
while [ $i -lt 75 ]; do
  if [ $i -lt 45 ]; then n=$(printf 'a%02d' $i); t="The zebra and the zebra met filler $n."
  elif [ $i -lt 55 ]; then n=$(printf 'b%02d' $((i - 45))); t="The zebra and the heron met filler $n."
  else n=$(printf 'c%02d' $((i - 55))); t="The zebra and the heron met filler $n at noon."
  fi
  half=even; [ $((i % 2)) -eq 1 ] && half=odd
  printf 'Tide log\n\n%s\n' "$t" >"$TMP/runs/$half/$n.txt"
  i=$((i + 1))
done
run "$CIVINDEX" -q -j 1 -i "$TMP/ru" "$TMP/runs/odd"
run "$CIVINDEX" -q -j 1 -i "$TMP/ru" "$TMP/runs/odd" "$TMP/runs/even"
assert_rc 0
runs_page() { "$CIVSEARCH" -i "$TMP/ru" -j "$@" zebra | jq -r '[.results[].id | rtrimstr(".txt")] | join(" ")'; }
ids() { p=$1; shift; for k in "$@"; do printf '%s%02d ' "$p" "$k"; done; }
assert_eq "$(runs_page -n 50)" "$(ids a $(seq 0 44))$(ids b 0 1 2 3 4 | sed 's/ $//')" \
  "a tie across the 50th match, ending past it"
assert_eq "$(runs_page --offset 48 -n 5)" "$(ids b 3 4 5 6 7 | sed 's/ $//')" "the same tie on a page across it"
assert_eq "$(runs_page -n 60)" "$(ids a $(seq 0 44))$(ids b $(seq 0 9))$(ids c 0 1 2 3 4 | sed 's/ $//')" \
  "a tie across the 60th match that goes on"
ok "runs of ties across the matches weighed again: in the order of ids"
