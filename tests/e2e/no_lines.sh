#!/usr/bin/env bash
# End-to-end: profiles without line information — a folded file (no file, no lines), a
# pprof whose locations lost their line numbers (files kept: a binary without debug line
# information), and one where a single line lost its number.  `smolder list` says what
# `go tool pprof -list` says ("No source information for F") instead of a "line 0"
# listing, and the explorer's source pane (2, then 4 on the top row) says it too; the
# costs without a line number get a row of their own, never line 0 nor a listing from
# line 1.  Usage: no_lines.sh SMOLDER TESTDATA
. "$(dirname "$0")/lib.sh"
smolder=$(realpath "$1")
td=$(cd "$2" && pwd -P)
here=$(cd "$(dirname "$0")/.." && pwd -P)
trap e2e_stop EXIT

folded=$td/folded/cpuwork-cpu.folded
python3 "$here/pprof_zero_lines.py" "$td/go/cpuwork-cpu.pb.gz" "$E2E_TMP/nolines.pb.gz"
python3 "$here/pprof_zero_lines.py" "$td/go/cpuwork-cpu.pb.gz" "$E2E_TMP/no146.pb.gz" 146

check() {  # check DESCRIPTION COMMAND...: the command succeeds
  E2E_CHECKS=$((E2E_CHECKS + 1))
  if "${@:2}"; then
    echo "ok   - $1"
  else
    E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - $1"
  fi
}

# --- smolder list ---------------------------------------------------------------------
"$smolder" list 'main\.scoreRecords' "$folded" > "$E2E_TMP/folded.txt" 2>&1
check "list on a folded file: pprof's 'No source information for'" \
  grep -qx "No source information for main.scoreRecords" "$E2E_TMP/folded.txt"
check "and no ROUTINE listing of line 0" bash -c "! grep -qE 'ROUTINE| 0\$' '$E2E_TMP/folded.txt'"
if command -v go > /dev/null; then
  # the reference: go tool pprof -list on the same stacks as a pprof file
  "$smolder" export "$folded" -o "$E2E_TMP/folded.pb.gz"
  go tool pprof -list 'main\.scoreRecords' "$E2E_TMP/folded.pb.gz" 2>/dev/null > "$E2E_TMP/pprof.txt"
  grep '^No source' "$E2E_TMP/pprof.txt" > "$E2E_TMP/pprof-says.txt"
  check "pprof prints the same line" \
    bash -c "[ -s '$E2E_TMP/pprof-says.txt' ] && grep -qxF -f '$E2E_TMP/pprof-says.txt' '$E2E_TMP/folded.txt'"
fi
"$smolder" list 'main\.scoreRecords' "$E2E_TMP/nolines.pb.gz" > "$E2E_TMP/nolines.txt" 2>&1
check "list with files but no line numbers says so, with the file" \
  grep -qx "No source information for main.scoreRecords: the profile has no line numbers in cpuwork/main.go" \
  "$E2E_TMP/nolines.txt"
check "and lists no line 0" bash -c "! grep -qE 'ROUTINE| 0\$' '$E2E_TMP/nolines.txt'"
"$smolder" list --source-path "$td/go/src" 'main\.scoreRecords' "$E2E_TMP/no146.pb.gz" \
  > "$E2E_TMP/no146.txt" 2>&1
check "one line without its number: its cost on a row of its own" \
  grep -qE '^ +1\.27 s +1\.27 s +\?: \(no line number\)$' "$E2E_TMP/no146.txt"
check "the code around the numbered lines (from 135), not from line 1" \
  bash -c "grep -qE '^ +\\. +\\. +135: func scoreRecords' '$E2E_TMP/no146.txt' && ! grep -qE ' 1: ' '$E2E_TMP/no146.txt'"
check "the numbered lines keep their costs" grep -qE '^ +270 ms +270 ms +145: ' "$E2E_TMP/no146.txt"

# --- the source pane ------------------------------------------------------------------
# 2: the top table, whose first row is main.scoreRecords; 4: its source pane
e2e_start 160 30 "$smolder" "$folded"
expect "a folded file" "\[1\]Flame"
keys 2
expect "top table" "main\.scoreRecords"
keys 4
expect "the source pane says there is no source information" \
  "no source information for main\.scoreRecords: the profile has no file or line numbers"
expect_not "and shows no line 0" " {6}0( |$)"
e2e_stop

e2e_start 160 30 "$smolder" "$E2E_TMP/nolines.pb.gz"
expect "a pprof without line numbers" "\[1\]Flame"
keys 2
expect "top table" "main\.scoreRecords"
keys 4
expect "the source pane names the file without line numbers" \
  "no source information for main\.scoreRecords: the profile has no line numbers in cpuwork/main\.go"
expect_not "and shows no line 0" " {6}0( |$)"
e2e_stop

e2e_start 160 30 "$smolder" --source-path "$td/go/src" "$E2E_TMP/no146.pb.gz"
expect "a pprof with one line unnumbered" "\[1\]Flame"
keys 2
expect "top table" "main\.scoreRecords"
keys 4
expect "the pane says what has no line number" "cpuwork/main\.go \(local file\) \[1\.27 s without a line number\]"
expect "the numbered lines show with the code, the gutter of their own scale" \
  "270 ms █ +145  +for j := 0; j < 3000"
expect_not "no row of line 0" " {6}0( |$)"
e2e_stop

# a long file: the code of a window is printed in one pass over it (it was one pass per
# line: 200,000 lines took minutes), every line as go tool pprof -list prints them
mkdir -p "$E2E_TMP/long"
seq 1 200000 | sed 's/^/x/' > "$E2E_TMP/long/many.go"
python3 - "$E2E_TMP/many.pb.gz" "$here/fuzz" <<'EOF'
import sys
sys.path.insert(0, sys.argv[2])
from pbwire import field, gz, packed
s = ["", "samples", "count", "main.f", "many.go"]
p = field(1, field(1, 1) + field(2, 2))
p += field(5, field(1, 1) + field(2, 3) + field(3, 3) + field(4, 4))
for i, line in enumerate([1, 200000], 1):
    p += field(4, field(1, i) + field(4, field(1, 1) + field(2, line)))
    p += field(2, field(1, packed([i])) + field(2, packed([10])))
p += b"".join(field(6, x.encode()) for x in s)
open(sys.argv[1], "wb").write(gz(p))
EOF
start=$(date +%s%N)
timeout 60 "$smolder" list main.f "$E2E_TMP/many.pb.gz" --source-path "$E2E_TMP/long" \
  > "$E2E_TMP/many.txt" 2>&1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "list of a 200,000-line file: every line, in one pass (${ms} ms)" \
  test "$(grep -c ': x' "$E2E_TMP/many.txt")" -eq 200000 -a "$ms" -lt 20000
check "the last line with its cost" grep -Eq '^ +10 +10 200000: x200000$' "$E2E_TMP/many.txt"
e2e_done
