#!/usr/bin/env bash
# End-to-end: `smolder diff`'s printed table against `go tool pprof -diff_base`, with a
# filter: the change of every row is a share of the base's total before the filter, as
# pprof has it (the table took the filtered totals: +2.16 where pprof says +0.65); names
# keep their UTF-8 (they were all '?'); pprof's default values spelt out
# (-nodecount=-1, -sample_index=) are taken; peek without a match prints pprof's message
# alone.  Usage: diff_table.sh SMOLDER TESTDATA
set -u
export LC_ALL=C.UTF-8
smolder=$(realpath "$1")
td=$(cd "$2" && pwd -P)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/check_lib.sh"

base=$td/go/cpuwork-cpu.pb.gz
new=$td/go/cpuwork-cpu-after-scoreRecords-3x.pb.gz

# pprof: name → cum% of the difference (new minus base, of the base's total; pprof
# prints the percentage without its sign, the cum's sign is the change's)
go tool pprof -top -cum -nodefraction=0 -focus=json -diff_base="$base" "$new" 2>/dev/null |
  awk '/^ *-?[0-9.]+[a-z]* +-?[0-9.]+%/ { v = $5; sub(/%/, "", v); if ($4 ~ /^-/) v = -v; n = $6;
       for (i = 7; i <= NF; i++) n = n " " $i; sub(/ \((partial-)?inline\)$/, "", n);
       printf "%s\t%.2f\n", n, v }' |
  sort > "$tmp/pprof.tsv"
"$smolder" diff "$base" "$new" --focus json --absolute -f tsv > "$tmp/smolder.raw" 2>&1
awk -F'\t' 'NR > 1 && ($2 != 0 || $4 != 0) { printf "%s\t%.2f\n", $8, $7 }' "$tmp/smolder.raw" |
  sort > "$tmp/smolder.tsv"
check "pprof printed rows to compare with" test "$(wc -l < "$tmp/pprof.tsv")" -ge 10
# every name both list: the same change, to pprof's two decimals
join -t $'\t' "$tmp/pprof.tsv" "$tmp/smolder.tsv" > "$tmp/both.tsv"
check "most of pprof's rows are in the table" \
  test "$(wc -l < "$tmp/both.tsv")" -ge $(( $(wc -l < "$tmp/pprof.tsv") * 9 / 10 ))
check "every change is pprof's (% of the unfiltered base total)" \
  awk -F'\t' '{ d = $2 - $3; if (d < -0.011 || d > 0.011) { print "differs: " $0; bad = 1 } }
              END { exit bad }' "$tmp/both.tsv"
check "readValue: +0.65 (pprof's), not +2.16" \
  grep -q $'^encoding/json.(\\*Decoder).readValue\t0.65$' "$tmp/smolder.tsv"
"$smolder" diff "$base" "$new" --focus json --absolute -n 3 > "$tmp/text.txt" 2>&1
check "the text table's base% is of the unfiltered base (readValue 500 ms: 5.4%)" \
  grep -Eq '500 ms +5\.4% +560 ms +4\.7% +\+0\.65  encoding/json\.\(\*Decoder\)\.readValue' \
  "$tmp/text.txt"

# names keep their UTF-8 in both formats
printf 'main;\xe5\xa4\x84\xe7\x90\x86 10\nmain;\xe4\xb8\xad\xe6\x96\x87 5\n' > "$tmp/c1.folded"
printf 'main;\xe5\xa4\x84\xe7\x90\x86 20\nmain;\xe4\xb8\xad\xe6\x96\x87 5\n' > "$tmp/c2.folded"
"$smolder" diff "$tmp/c1.folded" "$tmp/c2.folded" -f tsv > "$tmp/utf8.tsv" 2>&1
check "tsv: UTF-8 names as they are" grep -q $'\t处理$' "$tmp/utf8.tsv"
check "tsv: no name turned into '?'" bash -c "! grep -q '?' '$tmp/utf8.tsv'"
"$smolder" diff "$tmp/c1.folded" "$tmp/c2.folded" > "$tmp/utf8.txt" 2>&1
check "text: UTF-8 names as they are" grep -q ' 中文$' "$tmp/utf8.txt"

# pprof's defaults, spelt out
check "top -nodecount=-1 -sample_index= : every row of the default type" \
  bash -c "'$smolder' top '$base' -nodecount=-1 -sample_index= | grep -q '^Type: cpu'"
check "diff -nodecount=-1" \
  bash -c "'$smolder' diff '$base' '$new' -nodecount=-1 -f tsv | grep -q readValue"
check "--nodecount -2: every row too, as pprof (it truncates only at a positive count)" \
  bash -c "[ \$('$smolder' top '$base' --nodecount -2 | wc -l) -eq \$('$smolder' top '$base' | wc -l) ]"
check "--nodecount 4294967296: every row (it was cut to 32 bits: 0 rows)" \
  bash -c "[ \$('$smolder' top '$base' --nodecount 4294967296 | wc -l) -eq \$('$smolder' top '$base' | wc -l) ]"

# peek with no match: pprof's message alone (it also printed an empty table)
"$smolder" peek zzz "$base" > "$tmp/peek.out" 2> "$tmp/peek.err"
check "peek without a match: nothing on stdout" test ! -s "$tmp/peek.out"
check "peek without a match: the message" grep -q "no function matches 'zzz'" "$tmp/peek.err"
"$smolder" peek zzz "$base" -f tsv > /dev/null 2>&1
check "peek without a match exits 1" test $? -eq 1

check_done
