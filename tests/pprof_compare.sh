#!/usr/bin/env bash
# Compares `smolder top --format tsv` with `go tool pprof -top` (the reference
# implementation, Debian's golang-go) for every shared pprof file and every sample
# index: every row, exact integers, same order.  Usage: pprof_compare.sh SMOLDER TESTDATA
set -u -o pipefail  # a smolder that fails (or trips a sanitizer) fails its case
smolder=$1
data=$2
export PPROF_BINARY_PATH=/nonexistent HOME=${TMPDIR:-/tmp}
command -v go >/dev/null || { echo "go is not installed (apt-get install golang-go)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
files=$( (ls "$data"/go/*.pb.gz; find "$data/pyroscope" -type f \
  \( -name '*.pb.gz' -o -name '*.pprof' -o -name 'profile_*' -o -name 'heap_delta' \
     -o -name 'sample.cpu' -o -name 'cppbench.cpu_no_samples_type' \) ) | sort)
checked=0 failed=0 skipped=0
for f in $files; do
  # sample types as pprof reads them; files pprof itself rejects are skipped (and named)
  if ! types=$(go tool pprof -symbolize=none -raw "$f" 2>/dev/null | sed -n 's/^Samples:$//;/^Samples:/,/^ *[0-9]/p' | head -2 | tail -1); then
    echo "skip (pprof rejects it): $f"; skipped=$((skipped+1)); continue
  fi
  header=$(go tool pprof -symbolize=none -raw "$f" 2>/dev/null | awk '/^Samples:/{getline; print; exit}')
  if [ -z "$header" ]; then echo "skip (pprof rejects it): $f"; skipped=$((skipped+1)); continue; fi
  for tu in $header; do
    t=${tu%%/*} u=${tu#*/} u=${u%%[*}
    # pprof -unit=ns converts time units to nanoseconds; other units print as they are
    case $u in
      microseconds) mul=1000 ;; milliseconds) mul=1000000 ;; seconds) mul=1000000000 ;;
      *) mul=1 ;;
    esac
    go tool pprof -symbolize=none -top -nodefraction=0 -unit=ns -sample_index="$t" "$f" 2>/dev/null |
      awk 'p && $1 ~ /^-?[0-9]/ { name=""; for (i=6;i<=NF;i++) name = name (i>6?" ":"") $i;
               sub(/ \((partial-)?inline\)$/, "", name);
               if (name ~ /[^ -~]/) name = "<non-printable>";
               f=$1; c=$4; gsub(/[^0-9-]/,"",f); gsub(/[^0-9-]/,"",c);
               print f "\t" c "\t" name }
           /^ *flat  flat%/ { p=1 }' > "$tmp/want"
    if ! "$smolder" top --format tsv --symbolize=none --sample-index="$t" "$f" 2>"$tmp/err" |
         awk -F'\t' -v m="$mul" 'NR>1 { n = $6; if (n ~ /\\x|[^ -~]/) n = "<non-printable>";
                      printf "%.0f\t%.0f\t%s\n", $1*m, $4*m, n }' > "$tmp/got"; then
      echo "FAIL $f [$t]: smolder failed: $(cat "$tmp/err")"; failed=$((failed+1)); continue
    fi
    checked=$((checked+1))
    if ! cmp -s "$tmp/want" "$tmp/got"; then
      failed=$((failed+1))
      echo "FAIL $f [$t] (< pprof, > smolder):"
      diff "$tmp/want" "$tmp/got" | head -10
    fi
  done
done

# pprof's filters, each option with pprof's spelling on both sides (smolder accepts
# -focus=RE as well as --focus RE)
compare_opts() {  # compare_opts FILE OPTION...
  local f=$1; shift
  # -unit=ns scales time units: scale smolder's integers likewise (default sample type)
  local u mul=1
  u=$(go tool pprof -symbolize=none -raw "$f" 2>/dev/null | awk '/^Samples:/{getline; print; exit}' |
      tr ' ' '\n' | grep '\[dflt\]' | sed 's/.*\///; s/\[dflt\]//')
  case "$*" in *sample_index*) u= ;; esac
  case $u in microseconds) mul=1000 ;; milliseconds) mul=1000000 ;; seconds) mul=1000000000 ;; esac
  # names as sent on both sides (pprof's -symbolize=none), unless the case is about them
  local sym=-symbolize=none
  case "$*" in *-symbolize=*) sym= ;; esac
  go tool pprof $sym -top -nodefraction=0 -unit=ns "$@" "$f" 2>/dev/null |
    awk 'p && $1 ~ /^-?[0-9]/ { name=""; for (i=6;i<=NF;i++) name = name (i>6?" ":"") $i;
           sub(/ \((partial-)?inline\)$/, "", name);
           f=$1; c=$4; gsub(/[^0-9-]/,"",f); gsub(/[^0-9-]/,"",c); print f "\t" c "\t" name }
         /^ *flat  flat%/ { p=1 }' > "$tmp/want"
  if ! "$smolder" top --format tsv $sym "$@" "$f" 2>"$tmp/err" |
       awk -F'\t' -v m="$mul" 'NR>1 { printf "%.0f\t%.0f\t%s\n", $1*m, $4*m, $6 }' > "$tmp/got"; then
    echo "FAIL $f [$*]: smolder failed: $(cat "$tmp/err")"; failed=$((failed+1)); return
  fi
  checked=$((checked+1))
  if [ ! -s "$tmp/want" ]; then
    echo "FAIL $f [$*]: pprof printed no rows (a case that tests nothing)"; failed=$((failed+1)); return
  fi
  if ! cmp -s "$tmp/want" "$tmp/got"; then
    failed=$((failed+1))
    echo "FAIL $f [$*] (< pprof, > smolder):"
    diff "$tmp/want" "$tmp/got" | head -10
  fi
}
go=$data/go
compare_opts "$go/cpuwork-cpu.pb.gz" -focus=sha256
compare_opts "$go/cpuwork-cpu.pb.gz" -ignore=runtime
compare_opts "$go/cpuwork-cpu.pb.gz" -hide='runtime\.'
compare_opts "$go/cpuwork-cpu.pb.gz" -show_from=processBatch
compare_opts "$go/cpuwork-cpu.pb.gz" -focus=json -ignore=Decode
compare_opts "$go/cpuwork-cpu.pb.gz" -focus=regexp -hide=onepass -show_from=Match
compare_opts "$go/cpuwork-cpu.pb.gz" -focus='main\.go'
compare_opts "$go/cpuwork-cpu.pb.gz" -show='main\.'
compare_opts "$go/cpuwork-cpu.pb.gz" -show=json -hide=Decode -focus=processBatch
compare_opts "$go/cpuwork-cpu.pb.gz" -lines -show='sha256|main\.hash'
compare_opts "$go/cpuwork-cpu.pb.gz" -show=regexp -show_from=Match
compare_opts "$go/gencode3k-cpu-labels.pb.gz" -show=cache -tagfocus=endpoint=/api/v1/search
compare_opts "$go/heapwork-heap.pb.gz" -sample_index=alloc_space -focus=Cache
# a profile's own drop_frames/keep_frames, which pprof prunes at load (RemoveUninteresting):
# a frame with what it calls, an inlined frame (its inline chain cut there), frames near the
# root (nothing goes before the first frame that stays), exceptions by keep_frames, names
# with argument lists (pprof matches them without)
here=$(dirname "$0")
frames() {  # frames NAME FILE DROP [KEEP]
  python3 "$here/pprof_set_frames.py" "$2" "$tmp/$1.pb.gz" "${@:3}" || { echo "FAIL making $1"; failed=$((failed+1)); }
}
frames drop1 "$go/cpuwork-cpu.pb.gz" 'main\.hashRecords'
compare_opts "$tmp/drop1.pb.gz"
compare_opts "$tmp/drop1.pb.gz" -lines
frames drop2 "$go/cpuwork-cpu.pb.gz" 'runtime\.nextFreeFast|compress/flate\.offsetCode|encoding/json\..*'
compare_opts "$tmp/drop2.pb.gz"
compare_opts "$tmp/drop2.pb.gz" -lines
frames drop3 "$go/cpuwork-cpu.pb.gz" 'runtime\..*|main\..*' 'main\.processBatch'
compare_opts "$tmp/drop3.pb.gz"
# (pprof matches main.(*Cache).Put as "main.", cut at its first "(": it stays)
frames drop4 "$go/heapwork-heap.pb.gz" 'main\.\(\*Cache\)\.Put|main\.makeValue'
compare_opts "$tmp/drop4.pb.gz" -sample_index=alloc_space
frames drop5 "$data/pyroscope/grafana-pyroscope/pkg/pprof/testdata/profile_java" '.*Something.*'
compare_opts "$tmp/drop5.pb.gz"
compare_opts "$go/gencode3k-cpu-labels.pb.gz" -tagfocus=endpoint=/api/v1/search
compare_opts "$go/gencode3k-cpu-labels.pb.gz" -tagfocus=region=us-.* -tagignore=endpoint=/healthz
compare_opts "$go/gencode3k-cpu-labels.pb.gz" -tagfocus='endpoint:/internal/'
compare_opts "$go/gencode3k-cpu-labels.pb.gz" -tagfocus=region=eu-west-1 -focus=cache
compare_opts "$data/pyroscope/grafana-pyroscope/pkg/pprof/testdata/heap_delta" -sample_index=alloc_space -tagfocus=bytes=1kb:64kb
compare_opts "$data/pyroscope/grafana-pyroscope/pkg/pprof/testdata/heap_delta" -sample_index=alloc_space -tagignore=bytes=:512
compare_opts "$data/pyroscope/grafana-pyroscope/pkg/pprof/testdata/heap_delta" -sample_index=alloc_space -tagignore=bytes=:512b
compare_opts "$data/pyroscope/grafana-pyroscope/pkg/pprof/testdata/heap_delta" -sample_index=alloc_objects -tagfocus=32kb
compare_opts "$data/pyroscope/google-pprof/internal/driver/testdata/cppbench.cpu_no_samples_type" -hide=libc

# granularity: -lines and -files (Debian's Go 1.19 pprof has no -granularity flag)
for f in "$go"/*.pb.gz "$data"/pyroscope/grafana-pyroscope/pkg/pprof/testdata/profile_{java,python,rust,nodejs} \
         "$data/pyroscope/google-pprof/internal/driver/testdata/cppbench.cpu_no_samples_type"; do
  compare_opts "$f" -lines
  compare_opts "$f" -files
done
compare_opts "$go/cpuwork-cpu.pb.gz" -lines -focus=scoreRecords

# names as pprof shows them by default: demangled C++/Rust names without <...> and (...)
# (pprof's -symbolize=demangle=MODE; both sides spell it the same)
for f in "$data"/pyroscope/grafana-pyroscope/pkg/pprof/testdata/profile_{rust,java} \
         "$data/pyroscope/google-pprof/internal/driver/testdata/cppbench.cpu_no_samples_type"; do
  for m in default templates full none; do
    compare_opts "$f" -symbolize=demangle=$m
  done
done
compare_opts "$data/pyroscope/grafana-pyroscope/pkg/pprof/testdata/profile_rust" -symbolize=demangle=default -focus='::trace$'
# -cum orders by cumulative; the legacy sample-index flags are -sample_index=...
compare_opts "$go/cpuwork-cpu.pb.gz" -cum
compare_opts "$go/gencode3k-cpu.pb.gz" -cum -focus=cache
for t in inuse_space inuse_objects alloc_space alloc_objects; do
  compare_opts "$go/heapwork-heap.pb.gz" -$t
done
compare_opts "$go/contention-mutex.pb.gz" -contentions
compare_opts "$go/contention-block.pb.gz" -total_delay

# -diff_base: the before/after pair (scoreRecords made 3x slower), heap, with filters
compare_opts "$go/cpuwork-cpu-after-scoreRecords-3x.pb.gz" -diff_base="$go/cpuwork-cpu.pb.gz"
compare_opts "$go/cpuwork-cpu-after-scoreRecords-3x.pb.gz" -diff_base="$go/cpuwork-cpu.pb.gz" -sample_index=samples
compare_opts "$go/cpuwork-cpu-after-scoreRecords-3x.pb.gz" -diff_base="$go/cpuwork-cpu.pb.gz" -lines
compare_opts "$go/cpuwork-cpu-after-scoreRecords-3x.pb.gz" -diff_base="$go/cpuwork-cpu.pb.gz" -focus=processBatch -hide=runtime
compare_opts "$go/heapwork-heap.pb.gz" -diff_base="$data/pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata/req_5.pprof" -sample_index=alloc_space

# `smolder diff --absolute`: per function, new - base (and the change in % of the base
# total) is pprof's -top -diff_base cum, compared as name-sorted sets of non-zero rows
compare_diff() {  # compare_diff BASE NEW [SAMPLE_INDEX]
  local b=$1 n=$2 si=${3:-}
  go tool pprof -symbolize=none -top -nodefraction=0 -unit=ns ${si:+-sample_index=$si} -diff_base="$b" "$n" 2>/dev/null |
    awk 'p && $1 ~ /^-?[0-9]/ { name=""; for (i=6;i<=NF;i++) name = name (i>6?" ":"") $i;
             sub(/ \((partial-)?inline\)$/, "", name); c=$4; gsub(/[^0-9-]/,"",c);
             if (c != 0) print name "\t" c }
         /^ *flat  flat%/ { p=1 }' | LC_ALL=C sort > "$tmp/want"
  if ! "$smolder" diff --absolute --format tsv --symbolize=none ${si:+--sample-index=$si} "$b" "$n" 2>"$tmp/err" |
       awk -F'\t' 'NR>1 && $4 - $2 != 0 { printf "%s\t%.0f\n", $8, $4 - $2 }' | LC_ALL=C sort > "$tmp/got"; then
    echo "FAIL diff $b $n: smolder failed: $(cat "$tmp/err")"; failed=$((failed+1)); return
  fi
  checked=$((checked+1))
  if [ ! -s "$tmp/want" ] || ! cmp -s "$tmp/want" "$tmp/got"; then
    failed=$((failed+1)); echo "FAIL smolder diff $b $n [$si] (< pprof -diff_base, > smolder):"
    diff "$tmp/want" "$tmp/got" | head -10
  fi
}
compare_diff "$go/cpuwork-cpu.pb.gz" "$go/cpuwork-cpu-after-scoreRecords-3x.pb.gz"
compare_diff "$go/cpuwork-cpu.pb.gz" "$go/cpuwork-cpu-after-scoreRecords-3x.pb.gz" samples
compare_diff "$data/pyroscope/grafana-pyroscope/pkg/og/convert/pprof/testdata/req_5.pprof" "$go/heapwork-heap.pb.gz" alloc_space

# -list: per-line flat and cum of every matching function (pprof needs the code to print
# lines: it runs in the workloads' source directory, which has the files the profiles name)
compare_list() {  # compare_list FILE REGEX [SAMPLE_INDEX]
  local f re=$2 si=${3:-}
  f=$(realpath "$1")
  (cd "$go/src" && go tool pprof -symbolize=none -list="$re" -unit=ns ${si:+-sample_index=$si} "$f" 2>/dev/null) |
    awk '/^ROUTINE =+ / { fn=$3; next }
         $3 ~ /^[0-9]+:/ && ($1 != "." || $2 != ".") { l=$3; sub(/:.*/, "", l);
           fl=$1; cu=$2; if (fl == ".") fl=0; if (cu == ".") cu=0; gsub(/[^0-9-]/,"",fl); gsub(/[^0-9-]/,"",cu);
           print fn "\t" l "\t" fl "\t" cu }' | LC_ALL=C sort > "$tmp/want"
  if ! "$smolder" list --format tsv --symbolize=none ${si:+--sample-index=$si} "$re" "$f" 2>"$tmp/err" |
       awk -F'\t' 'NR>1 && ($4 != 0 || $5 != 0) { print $1 "\t" $3 "\t" $4 "\t" $5 }' | LC_ALL=C sort > "$tmp/got"; then
    echo "FAIL $f [list $re]: smolder failed: $(cat "$tmp/err")"; failed=$((failed+1)); return
  fi
  checked=$((checked+1))
  if [ ! -s "$tmp/want" ] || ! cmp -s "$tmp/want" "$tmp/got"; then
    failed=$((failed+1)); echo "FAIL $f [list $re $si] (< pprof -list, > smolder):"
    diff "$tmp/want" "$tmp/got" | head -10
  fi
}
compare_list "$go/cpuwork-cpu.pb.gz" 'main\.'
compare_list "$go/cpuwork-cpu-after-scoreRecords-3x.pb.gz" 'main\.scoreRecords|main\.hashRecords'
compare_list "$go/heapwork-heap.pb.gz" 'main\.' alloc_space
compare_list "$go/heapwork-allocs.pb.gz" 'main\.' alloc_objects
compare_list "$go/gencode3k-cpu.pb.gz" 'acquirePolicyRaw|validateChunk'
compare_list "$go/contention-mutex.pb.gz" 'main\.'

# -peek: callers, the function, callees, with edge weights, block by block
compare_peek() {  # compare_peek FILE REGEX [OPTION...]: pprof's spellings, on both sides
  local f=$1 re=$2; shift 2
  go tool pprof -symbolize=none -peek="$re" -nodefraction=0 -edgefraction=0 -unit=ns "$@" "$f" 2>/dev/null |
    awk -F'|' '/^-+\+-+$/ { after=0; next }
      NF >= 2 { name=$2; sub(/^ +/, "", name); sub(/ +$/, "", name); sub(/ \((partial-)?inline\)$/, "", name)
        n = split($1, t, " ")
        if (n >= 5) { fl=t[1]; cu=t[4]; gsub(/[^0-9-]/,"",fl); gsub(/[^0-9-]/,"",cu); print "self\t" fl "\t" cu "\t" name; after=1 }
        else if (n == 2) { w=t[1]; gsub(/[^0-9-]/,"",w); print (after ? "callee" : "caller") "\t" w "\t" name } }' > "$tmp/want"
  if ! "$smolder" peek --format tsv --symbolize=none "$@" "$re" "$f" 2>"$tmp/err" |
       awk -F'\t' 'NR>1 { if ($1 == "self") print "self\t" $4 "\t" $5 "\t" $3; else print $1 "\t" $6 "\t" $3 }' > "$tmp/got"; then
    echo "FAIL $f [peek $re $*]: smolder failed: $(cat "$tmp/err")"; failed=$((failed+1)); return
  fi
  checked=$((checked+1))
  if [ ! -s "$tmp/want" ] || ! cmp -s "$tmp/want" "$tmp/got"; then
    failed=$((failed+1))
    echo "FAIL $f [peek $re $*] (< pprof, > smolder):"
    diff "$tmp/want" "$tmp/got" | head -10
  fi
}
compare_peek "$go/cpuwork-cpu.pb.gz" 'main\.hashRecords$'
compare_peek "$go/cpuwork-cpu.pb.gz" 'runtime\.mallocgc$'
compare_peek "$go/cpuwork-cpu.pb.gz" 'sha256|json\.Unmarshal'
compare_peek "$go/gencode3k-cpu.pb.gz" 'rt\.Call$'
compare_peek "$go/gencode3k-cpu.pb.gz" 'auth/compact\.'
compare_peek "$go/heapwork-heap.pb.gz" 'Cache'
compare_peek "$data/pyroscope/grafana-pyroscope/pkg/pprof/testdata/profile_java" 'Something'
# with pprof's filters and granularity
compare_peek "$go/cpuwork-cpu.pb.gz" 'main\.' -focus=json
compare_peek "$go/cpuwork-cpu.pb.gz" 'main\.' -ignore=json -hide='runtime\.'
compare_peek "$go/cpuwork-cpu.pb.gz" 'main\.hashRecords' -lines
compare_peek "$go/cpuwork-cpu.pb.gz" 'main\.' -show='main\.|json'
compare_peek "$go/heapwork-heap.pb.gz" 'Cache' -sample_index=alloc_space -show_from=main

# export: what `smolder export` writes, `go tool pprof` reads back with the same rows as
# the original, for every sample type; and exported with a filter, the rows pprof gives
# for that filter on the original
for f in "$go"/*.pb.gz "$data"/pyroscope/grafana-pyroscope/pkg/pprof/testdata/{profile_java,heap_delta,go.cpu.labels.pprof} \
         "$data/pyroscope/google-pprof/internal/driver/testdata/cppbench.cpu_no_samples_type"; do
  "$smolder" export "$f" -o "$tmp/export.pb.gz" || { echo "FAIL export $f"; failed=$((failed+1)); continue; }
  header=$(go tool pprof -symbolize=none -raw "$f" 2>/dev/null | awk '/^Samples:/{getline; print; exit}')
  for tu in $header; do
    t=${tu%%/*}
    for g in "" -lines; do
      go tool pprof -symbolize=none -top -nodefraction=0 -unit=ns -sample_index="$t" $g "$f" 2>/dev/null | sed -n '/flat  flat%/,$p' > "$tmp/a"
      go tool pprof -symbolize=none -top -nodefraction=0 -unit=ns -sample_index="$t" $g "$tmp/export.pb.gz" 2>/dev/null | sed -n '/flat  flat%/,$p' > "$tmp/b"
      checked=$((checked+1))
      if [ ! -s "$tmp/a" ] || ! cmp -s "$tmp/a" "$tmp/b"; then
        failed=$((failed+1)); echo "FAIL export of $f [$t $g] read back by go tool pprof:"; diff "$tmp/a" "$tmp/b" | head -6
      fi
    done
  done
done
"$smolder" export --focus=json -hide=runtime "$go/cpuwork-cpu.pb.gz" -o "$tmp/export.pb.gz"
# (the export holds only the kept samples: its percentages differ, its values do not)
go tool pprof -symbolize=none -top -nodefraction=0 -focus=json -hide=runtime "$go/cpuwork-cpu.pb.gz" 2>/dev/null |
  sed -n '/flat  flat%/,$p' | awk '{ $2 = $3 = $5 = ""; print }' > "$tmp/a"
go tool pprof -symbolize=none -top -nodefraction=0 "$tmp/export.pb.gz" 2>/dev/null |
  sed -n '/flat  flat%/,$p' | awk '{ $2 = $3 = $5 = ""; print }' > "$tmp/b"
checked=$((checked+1))
if [ ! -s "$tmp/a" ] || ! cmp -s "$tmp/a" "$tmp/b"; then
  failed=$((failed+1)); echo "FAIL filtered export:"; diff "$tmp/a" "$tmp/b" | head -6
fi

# percentages, with negative values (pprof's own subtraction of two profiles): pprof's
# total is the sum of magnitudes and every share a magnitude (flat, flat%, sum%, cum, cum%)
compare_pct() {  # compare_pct FILE [OPTION...]
  local f=$1; shift
  go tool pprof -symbolize=none -top -nodefraction=0 -unit=ns "$@" "$f" 2>/dev/null |
    awk 'p && NF >= 6 { f=$1; c=$4; gsub(/[^0-9-]/,"",f); gsub(/[^0-9-]/,"",c)
           printf "%s\t%.2f%%\t%.2f%%\t%s\t%.2f%%\n", f, $2, $3, c, $5 }
         /^ *flat  flat%/ { p=1 }' > "$tmp/want"
  if ! "$smolder" top --format tsv --symbolize=none "$@" "$f" 2>"$tmp/err" |
       awk -F'\t' 'NR>1 { printf "%s\t%.2f%%\t%.2f%%\t%s\t%.2f%%\n", $1, $2, $3, $4, $5 }' > "$tmp/got"; then
    echo "FAIL $f [percentages $*]: smolder failed: $(cat "$tmp/err")"; failed=$((failed+1)); return
  fi
  checked=$((checked+1))
  if [ ! -s "$tmp/want" ] || ! cmp -s "$tmp/want" "$tmp/got"; then
    failed=$((failed+1)); echo "FAIL $f [percentages $*] (< pprof, > smolder):"
    diff "$tmp/want" "$tmp/got" | head -10
  fi
}
go tool pprof -proto -base "$go/cpuwork-cpu-after-scoreRecords-3x.pb.gz" "$go/cpuwork-cpu.pb.gz" \
  > "$tmp/subtracted.pb.gz" 2>/dev/null
compare_pct "$tmp/subtracted.pb.gz"
# -diff_base keeps the base's samples, negated and labelled pprof::base: the total is the
# base's (pprof's computeTotal), 9.24 s here, not the sum of every magnitude
go tool pprof -proto -diff_base "$go/cpuwork-cpu.pb.gz" "$go/cpuwork-cpu-after-scoreRecords-3x.pb.gz" \
  > "$tmp/diffbase.pb.gz" 2>/dev/null
compare_pct "$tmp/diffbase.pb.gz"
compare_pct "$tmp/diffbase.pb.gz" -focus=scoreRecords
compare_pct "$go/cpuwork-cpu.pb.gz"
compare_pct "$go/cpuwork-cpu.pb.gz" -diff_base="$go/cpuwork-cpu-after-scoreRecords-3x.pb.gz"

echo "compared $checked (file, sample index or filter) cases with go tool pprof; $failed differ; $skipped files skipped"
[ "$checked" -gt 20 ] && [ "$failed" -eq 0 ]
