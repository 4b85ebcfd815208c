#!/usr/bin/env bash
# End-to-end: diffs of profiles whose sample types are in different units of one family
# (cpu/microseconds against cpu/nanoseconds, alloc_space/kilobytes against bytes) against
# `go tool pprof -top -diff_base`, which scales both to the finer unit first
# (measurement.ScaleProfiles): `smolder top --diff-base` has pprof's flat and cum, and
# `smolder diff --absolute` pprof's cum and cum% too, for every sample type.  Units pprof
# refuses (of two families, "μs", type names that differ) are refused by both.
# Profiles are made by pprof_units.py.  Usage: diff_units.sh SMOLDER
set -u
export LC_ALL=C.UTF-8
smolder=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd -P)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp PPROF_BINARY_PATH=/nonexistent
. "$here/check_lib.sh"
command -v go > /dev/null || { echo "go is not installed (apt-get install golang-go)"; exit 1; }

mk() { python3 "$here/pprof_units.py" "$@" || { echo "FAIL making $1"; exit 1; }; }

# cpu: the base in microseconds, the new profile in nanoseconds (and the other way round)
mk "$tmp/cpu-us.pb.gz" cpu/microseconds cpu/microseconds/10000 \
  'main.main;main.a=3' 'main.main;main.b=7' 'main.main=1'
mk "$tmp/cpu-ns.pb.gz" cpu/nanoseconds cpu/nanoseconds/10000000 \
  'main.main;main.a=5000' 'main.main;main.b=2500' 'main.main;main.c=1499'
mk "$tmp/cpu-Us.pb.gz" cpu/Microseconds cpu/microseconds/10000 \
  'main.main;main.a=2' 'main.main;main.c=4'
# two types, kilobytes against bytes; the base's (3, 0 kB) sample is one pprof drops when
# it scales the base (ScaleN keeps only samples with a scaled value left non-zero)
mk "$tmp/heap-kb.pb.gz" alloc_objects/count,alloc_space/kilobytes space/bytes/524288 \
  'main.main;main.a=2,3' 'main.main;main.b=3,0' 'main.main;main.c=1,1'
mk "$tmp/heap-b.pb.gz" alloc_objects/count,alloc_space/bytes space/bytes/524288 \
  'main.main;main.a=4,2048' 'main.main;main.b=1,100' 'main.main;main.d=2,5000'
# refused by pprof: "μs" is no unit of its (it loses its 's'), counts are no time, and
# type names must be equal once the units are
mk "$tmp/cpu-mu.pb.gz" cpu/μs cpu/nanoseconds/10000000 'main.main;main.a=3'
mk "$tmp/cpu-count.pb.gz" cpu/count cpu/nanoseconds/10000000 'main.main;main.a=3'
mk "$tmp/cpus-us.pb.gz" cpus/microseconds cpu/microseconds/10000 'main.main;main.a=3'

# pprof's -top rows as "flat cum name", values in UNIT with the unit dropped
pprof_top() {  # pprof_top BASE NEW UNIT [OPTION...]
  local b=$1 n=$2 u=$3; shift 3
  go tool pprof -top -nodefraction=0 -nodecount=1000 -unit="$u" "$@" -diff_base="$b" "$n" \
    2>/dev/null | awk '/^ *flat  flat%/ { p = 1; next }
      p { f = $1; c = $4; sub(/[^0-9.]+$/, "", f); sub(/[^0-9.]+$/, "", c);
          v = $5; sub(/%/, "", v); if (c ~ /^-/) v = -v; printf "%s %s %s %.2f\n", f, c, $6, v }' |
    sort -k3
}

compare() {  # compare DESCRIPTION BASE NEW UNIT [SAMPLE_INDEX]
  local d=$1 b=$2 n=$3 u=$4 si=${5:-} opt=() sopt=()
  if [ -n "$si" ]; then opt=(-sample_index="$si"); sopt=(--sample-index "$si"); fi
  pprof_top "$b" "$n" "$u" "${opt[@]}" > "$tmp/want"
  "$smolder" top --format tsv "${sopt[@]}" --diff-base "$b" "$n" 2> "$tmp/err" |
    awk -F'\t' 'NR > 1 { v = $5; if ($4 ~ /^-/) v = -v; printf "%s %s %s %.2f\n", $1, $4, $6, v }' |
    sort -k3 > "$tmp/got.top"
  "$smolder" diff --absolute -f tsv "${sopt[@]}" "$b" "$n" 2>> "$tmp/err" |
    awk -F'\t' 'NR > 1 && ($2 != 0 || $4 != 0) {
                 printf "%d %d %s %.2f\n", $3 - $1, $4 - $2, $8, $7 }' |
    sort -k3 > "$tmp/got.diff"
  check "$d: pprof printed rows" test -s "$tmp/want"
  check "$d: top --diff-base has pprof's flat, cum and cum% (of the base's total, scaled)" \
    diff "$tmp/want" "$tmp/got.top"
  check "$d: diff has pprof's flat, cum and cum%" diff "$tmp/want" "$tmp/got.diff"
}

compare "us base, ns new" "$tmp/cpu-us.pb.gz" "$tmp/cpu-ns.pb.gz" ns
compare "ns base, us new" "$tmp/cpu-ns.pb.gz" "$tmp/cpu-us.pb.gz" ns
compare "Microseconds (any case) base" "$tmp/cpu-Us.pb.gz" "$tmp/cpu-ns.pb.gz" ns
compare "kB base, B new: alloc_space" "$tmp/heap-kb.pb.gz" "$tmp/heap-b.pb.gz" B alloc_space
compare "kB base, B new: alloc_objects, without the sample pprof drops" \
  "$tmp/heap-kb.pb.gz" "$tmp/heap-b.pb.gz" B alloc_objects
check "pprof dropped main.b's base (3 objects, 0 kB): +1, of a base of 3" \
  grep -qx -- '1 1 main.b 33.33' "$tmp/want"
compare "B base, kB new: alloc_space" "$tmp/heap-b.pb.gz" "$tmp/heap-kb.pb.gz" B alloc_space

# what pprof refuses, smolder refuses: one line, naming both types
refused() {  # refused DESCRIPTION BASE NEW PATTERN
  if go tool pprof -top -diff_base="$2" "$3" > /dev/null 2>&1; then
    check "$1: pprof refuses it" false
  fi
  errcheck "$1: refused" "$4" top --diff-base "$2" "$3"
  errcheck "$1: diff refuses it" "$4" diff "$2" "$3"
}
refused "μs against nanoseconds" "$tmp/cpu-mu.pb.gz" "$tmp/cpu-ns.pb.gz" \
  "sample type 0 differs: cpu/μs in the base, cpu/nanoseconds here"
refused "count against nanoseconds" "$tmp/cpu-count.pb.gz" "$tmp/cpu-ns.pb.gz" \
  "sample type 0 differs: cpu/count in the base, cpu/nanoseconds here"
refused "cpus/microseconds against cpu/nanoseconds" "$tmp/cpus-us.pb.gz" "$tmp/cpu-ns.pb.gz" \
  "sample type 0 differs: cpus/microseconds in the base, cpu/nanoseconds here"

check_done
