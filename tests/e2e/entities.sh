#!/bin/sh
# Legal-entity extraction end to end: `civindex --entities` over the
# labelled sentences of tests/entities/ (precision and recall per kind must
# reach 0.97 and 0.93), its output format, the =all kinds, hostile input.
. "$CIV_SOURCE_DIR/tests/e2e/lib.sh"
command -v python3 >/dev/null || fail "python3 is missing (scripts/deps.sh test installs it)"
SET="$CIV_SOURCE_DIR/tests/entities"

# ---- the labelled set ------------------------------------------------------
grep -v '^#' "$SET/labelled.tsv" | cut -f1 >"$TMP/sentences.txt"
run sh -c "\"$CIVINDEX\" --entities <\"$TMP/sentences.txt\" >\"$TMP/got.txt\""
assert_rc 0
assert_clean_stderr
run python3 "$SET/score.py" "$SET/labelled.tsv" "$TMP/got.txt" --show-errors
echo "$OUT"
assert_rc 0 "(labelled set below its thresholds)"
ok "labelled set: precision >= 0.97 and recall >= 0.93 for every kind"

grep -v '^#' "$SET/labelled-all.tsv" | cut -f1 >"$TMP/sentences-all.txt"
run sh -c "\"$CIVINDEX\" --entities=all <\"$TMP/sentences-all.txt\" >\"$TMP/got-all.txt\""
assert_rc 0
run python3 "$SET/score.py" "$SET/labelled-all.tsv" "$TMP/got-all.txt" --show-errors
echo "$OUT"
assert_rc 0 "(labelled set of --entities=all below its thresholds)"
ok "labelled set of --entities=all"

# ---- output format ----------------------------------------------------------
printf '%s\n' 'See 18 U.S.C. § 2703(d); 18 USC 2703.' '' 'no entities here' \
  'Carpenter v. United States, 585 U.S. 296 (2018); [REDACTED] and [REDACTED].' >"$TMP/in.txt"
run sh -c "\"$CIVINDEX\" --entities <\"$TMP/in.txt\""
assert_rc 0
assert_eq "$(printf '%s\n' "$OUT" | sed -n 1p)" "usc:18/2703" "one form a line, no duplicates"
assert_eq "$(printf '%s\n' "$OUT" | sed -n 2p)" "" "empty line"
assert_eq "$(printf '%s\n' "$OUT" | sed -n 3p)" "" "no entities"
assert_eq "$(printf '%s\n' "$OUT" | sed -n 4p)" "case:585-us-296,redaction:2" "case and redaction count"
assert_eq "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" "4" "one output line per input line"
run sh -c "\"$CIVINDEX\" --entities=all <\"$TMP/in.txt\""
assert_eq "$(printf '%s\n' "$OUT" | sed -n 4p)" 'casename:"carpenter v united states",case:585-us-296,redaction:2' "--entities=all adds the case name"
# Context stays on its line: "the Bureau" needs the FBI named on the same line.
printf '%s\n' 'The FBI opened a case.' 'The Bureau closed it.' | "$CIVINDEX" --entities >"$TMP/ctx.txt"
assert_eq "$(tr '\n' '|' <"$TMP/ctx.txt")" "agency:fbi||" "context does not cross lines"
# No final newline, CRLF.
printf 'FOIA Exemption 5\r\nPub. L. 107-56' | "$CIVINDEX" --entities >"$TMP/crlf.txt"
assert_eq "$(tr '\n' '|' <"$TMP/crlf.txt")" "act:foia,exemption:b5|publaw:107-56|" "CRLF and a last line without newline"
ok "output format"

# ---- hostile input: long lines of triggers stay fast and clean --------------
python3 - "$TMP/hostile.txt" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("§ § § 1 1 1 " * 900000 + "\n")
    f.write("v. " * 300000 + "\n")
    f.write("Smith v. Jones, 1 U.S. 1, " * 50000 + "\n")
    f.write("(b)(6), " * 200000 + "\n")
    f.write("First, " * 200000 + "Amendment\n")
    f.write("[" * 100000 + "REDACTED" + "]" * 100000 + "\n")
    f.write("18 U.S.C. §§ " + ", ".join(str(i) for i in range(1, 200000)) + "\n")
    f.write("X" * 1000000 + " █" * 100000 + "\n")
PY
run sh -c "\"$CIVINDEX\" --entities <\"$TMP/hostile.txt\" | wc -l"
assert_rc 0
assert_clean_stderr
assert_eq "$(printf '%s' "$OUT" | tr -d ' ')" "8" "one line out for each hostile line"
ok "hostile input"

# ---- valgrind: a scan is clean (the ASan build covers the rest) -------------
if [ "${CIV_SANITIZE:-0}" != "1" ] && command -v valgrind >/dev/null; then
  head -120 "$TMP/sentences.txt" >"$TMP/vg.txt"
  run valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect "$CIVINDEX" --entities=all <"$TMP/vg.txt"
  [ "$RC" -ne 99 ] || fail "valgrind found errors in civindex --entities"
  assert_err_lacks "Invalid read"
  assert_err_lacks "definitely lost"
  ok "civindex --entities under valgrind"
fi
