#!/usr/bin/env bash
# Compares smolder with `go tool pprof` (the reference implementation, Debian's golang-go)
# where pprof_compare.sh's shared profiles say nothing: small profiles made by
# pprof_small.py (a name ending in a newline, string labels that look like numbers,
# numeric labels without a unit) and `list`'s header lines ("Total:", a routine's
# flat, cum and "% of Total").  Usage: pprof_compare_small.sh SMOLDER TESTDATA
set -u -o pipefail
smolder=$1
data=$2
here=$(dirname "$0")
export PPROF_BINARY_PATH=/nonexistent HOME=${TMPDIR:-/tmp}
command -v go >/dev/null || { echo "go is not installed (apt-get install golang-go)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
checked=0 failed=0
for n in dollar strlab strlab2 numlab; do
  python3 "$here/pprof_small.py" $n "$tmp/$n.pb.gz" || { echo "FAIL making $n"; exit 1; }
done

# top's rows (flat, cum, name) with pprof's option spellings on both sides.  A newline
# ending a name is pprof's line break and smolder's \x0a: both compare without it (the
# values tell "main.end\n" from "main.end")
compare_top() {  # compare_top FILE OPTION...
  local f=$1; shift
  go tool pprof -symbolize=none -top -nodefraction=0 "$@" "$f" 2>/dev/null |
    awk 'p && $1 ~ /^-?[0-9]/ { print $1 "\t" $4 "\t" $6 } /^ *flat  flat%/ { p=1 }' > "$tmp/want"
  if ! "$smolder" top --format tsv -symbolize=none "$@" "$f" 2>"$tmp/err" |
       awk -F'\t' 'NR>1 && $1 ~ /^-?[0-9]/ { sub(/\\x0a$/, "", $6); print $1 "\t" $4 "\t" $6 }' > "$tmp/got"; then
    echo "FAIL $(basename "$f") [$*]: smolder failed: $(cat "$tmp/err")"; failed=$((failed+1)); return
  fi
  checked=$((checked+1))
  if [ ! -s "$tmp/want" ]; then
    echo "FAIL $(basename "$f") [$*]: pprof printed no rows (a case that tests nothing)"
    failed=$((failed+1)); return
  fi
  if ! cmp -s "$tmp/want" "$tmp/got"; then
    failed=$((failed+1)); echo "FAIL $(basename "$f") [$*] (< pprof, > smolder):"
    diff "$tmp/want" "$tmp/got" | head -10; head -3 "$tmp/err"
  fi
}

# `list`'s header: every routine's "% of Total" (pprof prints two decimals, smolder
# one), and with -unit-free time values the "Total:" line itself (spaces aside)
compare_list_header() {  # compare_list_header FILE REGEX OPTION...
  local f=$1 re=$2; shift 2
  go tool pprof -symbolize=none -list="$re" "$@" "$f" 2>/dev/null |
    awk '/^Total: / { gsub(/ /, ""); print } /\(flat, cum\)/ { sub(/%.*/, ""); print $NF }' > "$tmp/want"
  if ! "$smolder" list -symbolize=none "$@" "$re" "$f" 2>"$tmp/err" |
       awk '/^Total: / { gsub(/ /, ""); print } /\(flat, cum\)/ { sub(/%.*/, ""); print $NF }' > "$tmp/got"; then
    echo "FAIL $(basename "$f") [list $re $*]: smolder failed: $(cat "$tmp/err")"; failed=$((failed+1)); return
  fi
  checked=$((checked+1))
  if [ ! -s "$tmp/want" ] || [ "$(wc -l < "$tmp/want")" != "$(wc -l < "$tmp/got")" ] ||
     ! paste "$tmp/want" "$tmp/got" | awk -F'\t' '
         /^Total:/ { if ($1 != $2 && $1 !~ /MB|kB|GB/) exit 1; next }
         { d = $1 - $2; if (d < 0) d = -d; if (d > 0.051) exit 1 }'; then
    failed=$((failed+1)); echo "FAIL $(basename "$f") [list $re $*] (pprof | smolder):"
    paste "$tmp/want" "$tmp/got" | head -10; head -3 "$tmp/err"
  fi
}
go=$data/go
# the total is the unfiltered profile's, as in top and peek
compare_list_header "$go/cpuwork-cpu.pb.gz" 'main\.hashRecords$' -focus=sha256
compare_list_header "$go/cpuwork-cpu.pb.gz" 'main\.' -ignore=json -hide='runtime\.'
compare_list_header "$go/heapwork-heap.pb.gz" 'main\.' -sample_index=alloc_space -focus=Cache
# a recursive function's cum in the header is the sum of its lines' (pprof's Nodes.Sum)
compare_list_header "$go/heapwork-heap.pb.gz" 'main\.insertTree'
compare_list_header "$go/heapwork-heap.pb.gz" 'main\.' -sample_index=alloc_space

# RE2's '$' is the end of the text: "main.end\n" does not end in "end$" (but with (?m))
compare_top "$tmp/dollar.pb.gz" -focus='end$'
compare_top "$tmp/dollar.pb.gz" -focus='(?m)end$'
compare_top "$tmp/dollar.pb.gz" -ignore='^main\.end$'
compare_top "$tmp/dollar.pb.gz" -hide='end$'
compare_top "$tmp/dollar.pb.gz" -show='root|end$'
compare_list_header "$tmp/dollar.pb.gz" 'end$'

# tag filters: a number is pprof's [+-]digits with an optional unit (letters) as V, V:, :V
# or V:V and nothing more; anything else is regexes on string labels
compare_top "$tmp/strlab2.pb.gz" -tagfocus=version=1.5
compare_top "$tmp/strlab2.pb.gz" -tagfocus=id=0x1f
compare_top "$tmp/strlab2.pb.gz" -tagfocus=id=1e3
compare_top "$tmp/strlab2.pb.gz" -tagignore=id=1e3,0x1f
compare_top "$tmp/strlab.pb.gz" -tagfocus=span=1.5
compare_top "$tmp/strlab.pb.gz" -tagignore=code=20     # a number: no string label is one
compare_top "$tmp/strlab.pb.gz" -tagfocus==code:404    # "=V" is V, without a key
compare_top "$tmp/numlab.pb.gz" -tagfocus=size=1kb:2   # the second bound in the first's unit
compare_top "$tmp/numlab.pb.gz" -tagignore=size=1:2kb  # regexes: kB does not scale into ""
compare_top "$tmp/numlab.pb.gz" -tagignore=size=1kb:2ms
compare_top "$tmp/numlab.pb.gz" -tagfocus=size=2KBs    # pprof's aliases: any case, plural
compare_top "$tmp/numlab.pb.gz" -tagfocus=size=000000000000000000000000000000002kb
compare_top "$tmp/numlab.pb.gz" -tagignore=size=2kib   # not one of pprof's units
compare_top "$tmp/numlab.pb.gz" -tagignore=duration=0:1m
compare_top "$tmp/numlab.pb.gz" -tagfocus=duration=1s:1hrs
compare_top "$tmp/numlab.pb.gz" -tagfocus=duration=+50ms
compare_top "$tmp/numlab.pb.gz" -tagfocus=duration=-5ms:50ms
compare_top "$tmp/numlab.pb.gz" -tagfocus=:100ms

# numeric labels without a unit are in their key's unit as pprof infers it: the unit of
# the key's other labels, bytes for request and alignment, else the key's name ("ms")
compare_top "$tmp/numlab.pb.gz" -tagfocus=request=1kb:
compare_top "$tmp/numlab.pb.gz" -tagfocus=request=:4kb
compare_top "$tmp/numlab.pb.gz" -tagfocus=ms=300ms
compare_top "$tmp/numlab.pb.gz" -tagfocus=ms=1s:
compare_top "$tmp/numlab.pb.gz" -tagignore=ms=300      # ms is not unitless: nothing ignored
compare_top "$tmp/numlab.pb.gz" -tagfocus=latency=:50  # a unit pprof does not know: as is
compare_top "$tmp/numlab.pb.gz" -tagignore=latency=50ms
compare_top "$tmp/numlab.pb.gz" -tagfocus=:1kb
compare_top "$tmp/numlab.pb.gz" -tagfocus=20ms:

# file names as pprof's reports show them: Bazel's /proc/self/cwd/./ or /proc/self/cwd/
# trimmed (report.trimPath's defaults), then cleaned, so a file named with and without
# the prefix is one row.  Rows: flat, cum and the whole name (a -lines name has a space)
compare_rows() {  # compare_rows FILE OPTION...
  local f=$1; shift
  go tool pprof -symbolize=none -top -nodefraction=0 "$@" "$f" 2>/dev/null |
    awk 'p && $1 ~ /^-?[0-9]/ { n = $6; for (i = 7; i <= NF; i++) n = n " " $i
                                print $1 "\t" $4 "\t" n } /^ *flat  flat%/ { p=1 }' |
    sort > "$tmp/want"
  if ! "$smolder" top --format tsv -symbolize=none "$@" "$f" 2>"$tmp/err" |
       awk -F'\t' 'NR>1 && $1 ~ /^-?[0-9]/ { print $1 "\t" $4 "\t" $6 }' | sort > "$tmp/got"; then
    echo "FAIL $(basename "$f") [$*]: smolder failed: $(cat "$tmp/err")"; failed=$((failed+1)); return
  fi
  checked=$((checked+1))
  if [ ! -s "$tmp/want" ] || ! cmp -s "$tmp/want" "$tmp/got"; then
    failed=$((failed+1)); echo "FAIL $(basename "$f") [$*] (< pprof, > smolder):"
    diff "$tmp/want" "$tmp/got" | head -10; head -3 "$tmp/err"
  fi
}
# main (/proc/self/cwd/./main.go) calls a (/proc/self/cwd/pkg/a.go), b (pkg/a.go), c
# (/proc/self/cwdx/c.go: not the prefix), d (/proc/self/cwd//abs.go: trimmed, then
# /abs.go), e (/proc/self/cwd/../up.go: ../up.go), and a again in pkg//a.go and in
# pkg/a.go: list has one routine of a, in pkg/a.go
python3 - "$here/fuzz" "$tmp/cwd.pb.gz" <<'PY' || { echo "FAIL making cwd"; exit 1; }
import sys
sys.path.insert(0, sys.argv[1])
from pbwire import field, gz, packed
funcs = [("main.main", "/proc/self/cwd/./main.go"), ("main.a", "/proc/self/cwd/pkg/a.go"),
         ("main.b", "pkg/a.go"), ("main.c", "/proc/self/cwdx/c.go"),
         ("main.d", "/proc/self/cwd//abs.go"), ("main.e", "/proc/self/cwd/../up.go"),
         ("main.a", "pkg//a.go"), ("main.a", "pkg/a.go")]
strings = [""]
def sid(s):
    if s not in strings:
        strings.append(s)
    return strings.index(s)
p = field(1, field(1, sid("samples")) + field(2, sid("count"))) + field(3, field(1, 1))
for i, (name, file) in enumerate(funcs, 1):
    p += field(5, field(1, i) + field(2, sid(name)) + field(3, sid(name)) + field(4, sid(file)))
    p += field(4, field(1, i) + field(2, 1) + field(4, field(1, i) + field(2, 2 + i % 2)))
for i in range(2, len(funcs) + 1):
    p += field(2, field(1, packed([i, 1])) + field(2, packed([i * 10])))
p += b"".join(field(6, s.encode()) for s in strings)
open(sys.argv[2], "wb").write(gz(p))
PY
compare_rows "$tmp/cwd.pb.gz" -files
compare_rows "$tmp/cwd.pb.gz" -lines
compare_list_header "$tmp/cwd.pb.gz" 'main\.a$'
compare_list_header "$tmp/cwd.pb.gz" .
# list's ROUTINE lines name the file as the reports do (it printed /proc/self/cwd/./main.go)
compare_list_routines() {  # compare_list_routines FILE REGEX
  local f=$1 re=$2
  go tool pprof -symbolize=none -list="$re" "$f" 2>/dev/null | grep '^ROUTINE ' > "$tmp/want"
  if ! "$smolder" list -symbolize=none "$re" "$f" 2>"$tmp/err" | grep '^ROUTINE ' > "$tmp/got"; then
    echo "FAIL $(basename "$f") [list $re]: smolder failed: $(cat "$tmp/err")"; failed=$((failed+1)); return
  fi
  checked=$((checked+1))
  if [ ! -s "$tmp/want" ] || ! cmp -s "$tmp/want" "$tmp/got"; then
    failed=$((failed+1)); echo "FAIL $(basename "$f") [list $re] ROUTINE lines (< pprof, > smolder):"
    diff "$tmp/want" "$tmp/got" | head -10; head -3 "$tmp/err"
  fi
}
compare_list_routines "$tmp/cwd.pb.gz" .

echo "compared $checked cases with go tool pprof; $failed differ"
[ "$checked" -gt 0 ] && [ "$failed" -eq 0 ]
