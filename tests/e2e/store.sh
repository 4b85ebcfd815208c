#!/usr/bin/env bash
# End-to-end tests of the store from the command line: `smolder ingest` of the example
# profiles into a real SQLite file, then every verb reading it with --db --query
# --profile-type --from --to gives what it gives on the file; `query series`, `query
# types`, `query profile --output pprof=F` read back by `go tool pprof -top`, `query
# timeline`, diff of two ranges, gauge averaging, and one-line errors.
# Usage: store.sh SMOLDER EXAMPLES_DIR
set -u
smolder=$1
ex=$2
. "$(dirname "$0")/serve_lib.sh"  # check_lib.sh's checks, and a server for --url
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp PPROF_BINARY_PATH=/nonexistent PPROF_TMPDIR=$tmp
unset SMOLDER_DB XDG_DATA_HOME
db=$tmp/s.db



# ingest every example: one line each, the service from the file name
"$smolder" ingest --db "$db" "$ex"/*.pb.gz > "$tmp/ingest.out" 2> "$tmp/ingest.err"
check "ingest of the examples succeeds" test $? -eq 0 -a ! -s "$tmp/ingest.err"
check "ingest names the service and the profile types" \
  grep -q "cpuwork-cpu.pb.gz: service_name=cpuwork-cpu at 20..-..-..T..:..:..Z: process_cpu:samples:count:cpu:nanoseconds, process_cpu:cpu:nanoseconds:cpu:nanoseconds" "$tmp/ingest.out"
check "a block profile is block (its file name), a mutex one mutex" \
  bash -c "grep -q 'contention-block.pb.gz: .*block:delay:nanoseconds:contentions:count' '$tmp/ingest.out' && grep -q 'contention-mutex.pb.gz: .*mutex:delay:nanoseconds:contentions:count' '$tmp/ingest.out'"

# every file, every sample type: the same top table from the store as from the file
n=0 bad=0
for f in "$ex"/*.pb.gz; do
  svc=$(basename "$f"); svc=${svc%%.*}
  for pt in $("$smolder" query types --db "$db" --from 0 --query "{service_name=\"$svc\"}"); do
    t=$(echo "$pt" | cut -d: -f2)
    "$smolder" top --format tsv -i "$t" "$f" > "$tmp/file.tsv"
    "$smolder" top --format tsv --db "$db" --from 0 --query "{service_name=\"$svc\"}" --profile-type "$pt" > "$tmp/db.tsv"
    n=$((n + 1))
    if ! cmp -s "$tmp/file.tsv" "$tmp/db.tsv"; then
      bad=$((bad + 1)); echo "     differs: $svc $pt"; diff "$tmp/file.tsv" "$tmp/db.tsv" | head -5
    fi
  done
done
check "smolder top --db equals smolder top FILE for all $n profile types of the examples" test "$bad" -eq 0 -a "$n" -ge 17

# the text header says where the numbers come from and how they were added up
"$smolder" top --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds > "$tmp/top.txt"
check "top --db names the store and the selector" grep -q "^File: $db {service_name=\"cpuwork-cpu\"}$" "$tmp/top.txt"
check "top --db says how profiles were added up" grep -q "^Aggregation: sum of 1 profile, 1970-01-01T00:00:00Z to " "$tmp/top.txt"

# gauges: the same heap three times is an average of three, equal to one
"$smolder" ingest --db "$db" --service heap3 "$ex/heapwork-heap.pb.gz" "$ex/heapwork-heap.pb.gz" "$ex/heapwork-heap.pb.gz" > /dev/null
"$smolder" top --db "$db" --from 0 --query '{service_name="heap3"}' --profile-type memory:inuse_space:bytes:space:bytes > "$tmp/heap3.txt"
check "inuse_space over three profiles is their average, and says so" grep -q "^Aggregation: average of 3 profiles" "$tmp/heap3.txt"
"$smolder" top --format tsv --db "$db" --from 0 --query '{service_name="heap3"}' --profile-type memory:inuse_space:bytes:space:bytes > "$tmp/a.tsv"
"$smolder" top --format tsv -i inuse_space "$ex/heapwork-heap.pb.gz" > "$tmp/b.tsv"
check "the average of three identical heaps is the heap" cmp -s "$tmp/a.tsv" "$tmp/b.tsv"
"$smolder" top --format tsv --aggregate sum --db "$db" --from 0 --query '{service_name="heap3"}' --profile-type memory:inuse_space:bytes:space:bytes > "$tmp/c.tsv"
check "--aggregate sum triples it" test "$(sed -n 2p "$tmp/c.tsv" | cut -f1)" -eq "$(( $(sed -n 2p "$tmp/b.tsv" | cut -f1) * 3 ))"
check "alloc_space (a counter) adds up" bash -c "'$smolder' top --db '$db' --from 0 --query '{service_name=\"heap3\"}' --profile-type memory:alloc_space:bytes:space:bytes | grep -q '^Aggregation: sum of 3 profiles'"
# peek, list and diff say it too (in their text headers)
h3=(--db "$db" --from 0 --query '{service_name="heap3"}' --profile-type memory:inuse_space:bytes:space:bytes)
check "peek --db says the gauge is an average" bash -c "'$smolder' peek ${h3[*]@Q} main | grep -q '^Aggregation: average of 3 profiles'"
check "list --db says the gauge is an average" bash -c "'$smolder' list ${h3[*]@Q} main.main | grep -q '^Aggregation: average of 3 profiles'"
"$smolder" diff "${h3[@]}" --base-from 0 --base-to now > "$tmp/d3.txt"
check "diff --db says how each side was added up" \
  bash -c "grep -q '^Aggregation (base): average of 3 profiles' '$tmp/d3.txt' && grep -q '^Aggregation (new): average of 3 profiles' '$tmp/d3.txt'"
check "peek of a file has no aggregation line" bash -c "! '$smolder' peek main '$ex/heapwork-heap.pb.gz' | grep -q Aggregation"

# an empty label value is no label (Prometheus): env= adds no second series
"$smolder" ingest --db "$tmp/el.db" --service el "$ex/heapwork-heap.pb.gz" > /dev/null
nel=$("$smolder" query series --db "$tmp/el.db" --from 0 | wc -l)
"$smolder" ingest --db "$tmp/el.db" --service el --extra-labels env= "$ex/heapwork-heap.pb.gz" > /dev/null
check "--extra-labels env= writes to the series without env" \
  bash -c "'$smolder' top --db '$tmp/el.db' --from 0 --query '{service_name=\"el\"}' --profile-type memory:inuse_space:bytes:space:bytes | grep -q '^Aggregation: average of 2 profiles, '"
# so --service "" (or service_name=) is no service name: the file name's, as printed
"$smolder" ingest --db "$tmp/es.db" --service "" "$ex/heapwork-heap.pb.gz" > "$tmp/es.out"
"$smolder" ingest --db "$tmp/es.db" --extra-labels service_name= "$ex/heapwork-heap.pb.gz" >> "$tmp/es.out"
check "--service \"\" and service_name= take the file's name, the one printed" \
  bash -c "[ \$(grep -c 'service_name=heapwork-heap at' '$tmp/es.out') -eq 2 ] && '$smolder' query series --db '$tmp/es.db' --from 0 --label-names service_name | sort -u | grep -cx 'heapwork-heap' | grep -qx 1 && ! '$smolder' query series --db '$tmp/es.db' --from 0 | grep -q unknown_service"
# a difference (negative values: a -diff_base pprof, a flame graph diff) is not stored or
# uploaded: it would subtract from the service's profiles
printf 'main;grow 5\nmain;shrink -9\n' > "$tmp/diff.folded"
"$smolder" query series --db "$tmp/es.db" --from 0 > "$tmp/es.before"
"$smolder" ingest --db "$tmp/es.db" "$tmp/diff.folded" > /dev/null 2> "$tmp/diff.err"; drc=$?
check "ingest of a difference: refused with the reason, the store unchanged" \
  bash -c "[ $drc -ne 0 ] && grep -q \"diff.folded': it is a difference (negative values), not a profile\" '$tmp/diff.err' && '$smolder' query series --db '$tmp/es.db' --from 0 | cmp -s - '$tmp/es.before'"
"$smolder" upload --url http://127.0.0.1:9 "$tmp/diff.folded" > /dev/null 2> "$tmp/diff.err"; drc=$?
check "upload of a difference: refused before any request" \
  bash -c "[ $drc -ne 0 ] && grep -q \"diff.folded' is a difference (negative values), not a profile\" '$tmp/diff.err'"
# a value with commas, as profilecli takes it (was: "wants NAME=VALUE, not 'b'")
"$smolder" ingest --db "$tmp/el2.db" --service el2 --extra-labels 'tags=a,b' --extra-labels 'env=prod,region=eu' \
  "$ex/heapwork-heap.pb.gz" > /dev/null 2> "$tmp/el.err"
check "--extra-labels tags=a,b is tags \"a,b\"; env=prod,region=eu is two labels" \
  bash -c "[ ! -s '$tmp/el.err' ] && '$smolder' query series --db '$tmp/el2.db' --from 0 --query '{service_name=\"el2\", tags=\"a,b\", env=\"prod\", region=\"eu\"}' | grep -q el2"
check "--extra-labels env= makes no series of its own" test "$("$smolder" query series --db "$tmp/el.db" --from 0 | wc -l)" -eq "$nel"

# query series: a table (profilecli's columns: the label names, sorted) and JSON
"$smolder" query series --db "$db" --from 0 > "$tmp/series.txt"
check "query series prints a header of sorted label names" grep -qE '^__name__ +__profile_type__ +service_name$' "$tmp/series.txt"
check "query series lists every series (17 + 4 for heap3)" test "$(($(wc -l < "$tmp/series.txt") - 1))" -eq 21
check "query series --query selects" test "$("$smolder" query series --db "$db" --from 0 --query '{__name__="memory", service_name=~"heap.*"}' | tail -n +2 | wc -l)" -eq 12
"$smolder" query series --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --output json > "$tmp/series.json"
check "query series --output json" python3 -c "
import json, sys
d = json.load(open('$tmp/series.json'))
assert len(d['series']) == 2, d
assert {s['__profile_type__'] for s in d['series']} == {'process_cpu:samples:count:cpu:nanoseconds', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds'}
assert all(s['service_name'] == 'cpuwork-cpu' for s in d['series'])
assert d['from'].startswith('1970-01-01T')
"
check "query series --label-names keeps those columns" bash -c "'$smolder' query series --db '$db' --from 0 --label-names service_name | head -1 | grep -qx service_name"
check "the default range (the last hour) has nothing of last week's files" test "$("$smolder" query series --db "$db" --from now-1h | wc -l)" -le 1

# query profile: console, and pprof=FILE read back by go tool pprof
"$smolder" query profile --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds > "$tmp/console.txt"
check "query profile prints the type, the aggregation and exact rows" \
  bash -c "grep -q '^Profile type: process_cpu:cpu:nanoseconds:cpu:nanoseconds$' '$tmp/console.txt' && grep -qP '^1550000000\t1550000000\tmain.scoreRecords$' '$tmp/console.txt'"
"$smolder" query profile --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds --output "pprof=$tmp/q.pb.gz"
check "query profile --output pprof=F writes gzip" bash -c "head -c2 '$tmp/q.pb.gz' | od -An -tx1 | grep -q '1f 8b'"
errcheck "pprof=F does not overwrite without --force" "cannot create '.*q.pb.gz': File exists \(--force overwrites it\)" \
  query profile --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds --output "pprof=$tmp/q.pb.gz"
check "--force does" "$smolder" query profile --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds --output "pprof=$tmp/q.pb.gz" --force
check "profilecli's spellings: query merge (its alias of profile) and -f" "$smolder" query merge --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds -o "pprof=$tmp/q.pb.gz" -f
if command -v go > /dev/null; then
  pp() { go tool pprof -symbolize=none -top -nodefraction=0 -unit=ns "$@" 2>/dev/null | sed -n '/flat%/,$p'; }
  pp -sample_index=cpu "$ex/cpuwork-cpu.pb.gz" > "$tmp/pp-file.txt"
  pp "$tmp/q.pb.gz" > "$tmp/pp-db.txt"
  check "go tool pprof -top reads the queried profile with the file's rows" \
    bash -c "[ \$(wc -l < '$tmp/pp-file.txt') -gt 100 ] && cmp -s '$tmp/pp-file.txt' '$tmp/pp-db.txt'"
  pp -sample_index=inuse_space "$ex/heapwork-heap.pb.gz" > "$tmp/pp-file.txt"
  "$smolder" query profile --db "$db" --from 0 --query '{service_name="heap3"}' --profile-type memory:inuse_space:bytes:space:bytes --output "pprof=$tmp/h.pb.gz"
  pp "$tmp/h.pb.gz" > "$tmp/pp-db.txt"
  check "go tool pprof -top on the averaged heap equals the heap" \
    bash -c "[ \$(wc -l < '$tmp/pp-file.txt') -gt 5 ] && cmp -s '$tmp/pp-file.txt' '$tmp/pp-db.txt'"
else
  echo "FAIL - go is not installed (./build.sh deps installs golang-go)"; fail=$((fail + 1))
fi

# the other verbs read the store too
"$smolder" peek --format tsv --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds 'scoreRecords' > "$tmp/a.tsv"
"$smolder" peek --format tsv -i cpu 'scoreRecords' "$ex/cpuwork-cpu.pb.gz" > "$tmp/b.tsv"
check "peek --db equals peek FILE" bash -c "[ -s '$tmp/a.tsv' ] && cmp -s '$tmp/a.tsv' '$tmp/b.tsv'"
"$smolder" export --db "$db" --from 0 --query '{service_name="heapwork-allocs"}' --profile-type memory:alloc_space:bytes:space:bytes -o "$tmp/e.pb.gz"
"$smolder" top --format tsv "$tmp/e.pb.gz" > "$tmp/a.tsv"
"$smolder" top --format tsv -i alloc_space "$ex/heapwork-allocs.pb.gz" > "$tmp/b.tsv"
check "export --db writes the profile" cmp -s "$tmp/a.tsv" "$tmp/b.tsv"
"$smolder" export --format folded --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds --focus scoreRecords -o "$tmp/f.folded"
check "export --db takes filters" bash -c "[ -s '$tmp/f.folded' ] && ! grep -qv scoreRecords '$tmp/f.folded'"
if "$smolder" list --help > /dev/null 2>&1; then
  # from a store a sixth column names the version (service_git_ref; these series have none)
  "$smolder" list --format tsv --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds 'main.scoreRecords' > "$tmp/a6.tsv" 2>/dev/null
  cut -f1-5 "$tmp/a6.tsv" > "$tmp/a.tsv"
  "$smolder" list --format tsv -i cpu 'main.scoreRecords' "$ex/cpuwork-cpu.pb.gz" > "$tmp/b.tsv" 2>/dev/null
  check "list --db equals list FILE" bash -c "[ -s '$tmp/a.tsv' ] && cmp -s '$tmp/a.tsv' '$tmp/b.tsv'"
  check "list --db has an empty version column" \
    bash -c "head -1 '$tmp/a6.tsv' | cut -f6 | grep -qx version && [ -z \"\$(tail -n +2 '$tmp/a6.tsv' | cut -f6 | tr -d '\n')\" ] && [ \$(awk -F'\t' '{print NF}' '$tmp/a6.tsv' | sort -u) = 6 ]"
fi
errcheck "view --db loads, then wants a terminal" "needs a terminal" view --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds

# diff: two ranges of one service (before and after scoreRecords got 3x slower)
"$smolder" ingest --db "$db" --service app "$ex/cpuwork-cpu.pb.gz" "$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz" > "$tmp/app.out"
tb=$(grep 'cpuwork-cpu.pb.gz:' "$tmp/app.out" | sed 's/.* at \([^ ]*\)Z: .*/\1Z/')
ta=$(grep 'after-scoreRecords-3x.pb.gz:' "$tmp/app.out" | sed 's/.* at \([^ ]*\)Z: .*/\1Z/')
sb=$(date -u -d "$tb" +%s) sa=$(date -u -d "$ta" +%s)
"$smolder" diff --format tsv --db "$db" --query '{service_name="app"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds \
  --from "$sa" --to "$((sa + 1))" --base-from "$sb" --base-to "$((sb + 1))" > "$tmp/a.tsv"
"$smolder" diff --format tsv "$ex/cpuwork-cpu.pb.gz" "$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz" > "$tmp/b.tsv"
check "diff of two store ranges equals diff of the two files" bash -c "[ -s '$tmp/a.tsv' ] && cmp -s '$tmp/a.tsv' '$tmp/b.tsv'"
check "the two ranges are one service in the store" test "$("$smolder" query series --db "$db" --from 0 --query '{service_name="app"}' | tail -n +2 | wc -l)" -eq 2
"$smolder" query timeline --db "$db" --from "$sb" --to "$((sa + 1))" --step 1s --query '{service_name="app"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds > "$tmp/tl.tsv"
check "query timeline: one point per second, the profiles' totals where they are" \
  bash -c "[ \$(wc -l < '$tmp/tl.tsv') -eq $((sa + 1 - sb + 1)) ] && grep -qP '\t9240000000$' '$tmp/tl.tsv' && [ \$(awk -F'\t' 'NR>1 && \$2 != 0' '$tmp/tl.tsv' | wc -l) -eq 2 ]"
# groups in Pyroscope's order, the larger total first, as --url lists them (app holds the
# before and the 3x after, more than any other service; the store's order put it last)
"$smolder" query timeline --db "$db" --from 0 --step 1000d --group-by service_name \
  --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds > "$tmp/tlg.tsv"
check "query timeline --group-by: the largest group first ($(sed -n 2p "$tmp/tlg.tsv" | cut -f1))" \
  bash -c "[ \"\$(sed -n 2p '$tmp/tlg.tsv' | cut -f1)\" = app ]"
check "query timeline --step x: the parse error, status 2 (it said 'at least 1ms')" \
  bash -c "'$smolder' query timeline --db '$db' --step x 2>&1 >/dev/null | grep -q \"^smolder: --step: bad duration 'x'\"; [ \${PIPESTATUS[0]} -eq 2 ]"
# without --step, about 1,500 points over the range (Pyroscope's rule), not 15 s steps:
# 7 days at 15 s were 40,321 points a group, which the timeline bound then refused
"$smolder" query timeline --db "$db" --from now-7d --query '{service_name="app"}' \
  --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds > "$tmp/tl7.tsv"
check "query timeline over 7 days without --step: 5 min steps ($(wc -l < "$tmp/tl7.tsv") lines)" \
  bash -c "n=\$(wc -l < '$tmp/tl7.tsv'); [ \$n -ge 2016 ] && [ \$n -le 2018 ]"

# profile type chosen when there is one, refused with the list when there are several
check "without --profile-type the only type is taken" bash -c "'$smolder' top --db '$db' --from 0 --query '{service_name=\"goroutines-goroutine\"}' | grep -q '^Type: goroutine$'"
errcheck "several profile types: an error listing them" \
  "2 profile types match \{service_name=\"cpuwork-cpu\"\} between .* pick one with --profile-type: process_cpu:cpu:nanoseconds:cpu:nanoseconds, process_cpu:samples:count:cpu:nanoseconds$" \
  top --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}'
errcheck "nothing in the last hour: says when there is data" \
  "no profiles match \{service_name=\"cpuwork-cpu\"\} between .* it has some from 20..-..-..T..:..:..Z to .*pick the range with --from and --to" \
  top --db "$db" --query '{service_name="cpuwork-cpu"}'
usagecheck "a bad selector: the offset" "--query: selector: offset 14: expected a quoted value" \
  top --db "$db" --query '{service_name=app}'
usagecheck "a bad time" "--from: bad time 'yesterday'" top --db "$db" --from yesterday
# query's own verbs say it as the others do (timeline: "0 profile types match; pick one")
usagecheck "query series: a bad time names its flag" "^smolder: --to: bad time 'yesterday'" query series --db "$db" --to yesterday
errcheck "query timeline, nothing in the last hour: says when there is data" \
  "no profiles match \{service_name=\"cpuwork-cpu\"\} between .* it has some from 20..-..-..T..:..:..Z to .*pick the range" \
  query timeline --db "$db" --query '{service_name="cpuwork-cpu"}'
errcheck "query timeline, several profile types: lists them" \
  "2 profile types match .*pick one with --profile-type: process_cpu:cpu:nanoseconds:cpu:nanoseconds, process_cpu:samples:count:cpu:nanoseconds$" \
  query timeline --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}'
# with --profile-type too (it printed a row of zeros a step, or the bare header with
# --group-by, and exited 0): nothing matching is status 1, as top says it
cpu=process_cpu:cpu:nanoseconds:cpu:nanoseconds
errcheck "query timeline --profile-type, nothing in the last hour: status 1, says when there is data" \
  "^smolder: no $cpu profiles match \{service_name=\"cpuwork-cpu\"\} between .* in '$tmp/s.db'; it has some from 20..-..-..T..:..:..Z to .*pick the range with --from and --to\)$" \
  query timeline --db "$db" --query '{service_name="cpuwork-cpu"}' --profile-type "$cpu"
errcheck "  and with --group-by" "^smolder: no $cpu profiles match \{service_name=\"cpuwork-cpu\"\} .*pick the range" \
  query timeline --db "$db" --query '{service_name="cpuwork-cpu"}' --profile-type "$cpu" --group-by service_name
errcheck "query timeline --profile-type, a selector nothing has: status 1, no range hint" \
  "^smolder: no $cpu profiles match \{service_name=\"nobody\"\} between .* in '$tmp/s.db'$" \
  query timeline --db "$db" --from 0 --query '{service_name="nobody"}' --profile-type "$cpu"
# a sixth ":delta" field is accepted and ignored, as by top's merge and the timeline
# itself (the check above compared the whole string with the stored types, which never
# have it: "no ...:delta profiles match ..., it has some", status 1), from --url too
tl=(query timeline --from 0 --step 1000d --query '{service_name="cpuwork-cpu"}')
"$smolder" "${tl[@]}" --db "$db" --profile-type "$cpu" > "$tmp/tl.tsv"
"$smolder" "${tl[@]}" --db "$db" --profile-type "$cpu:delta" > "$tmp/tld.tsv" 2> "$tmp/tld.err"
rc=$?
check "query timeline --profile-type T:delta: T's timeline, status 0" \
  bash -c "[ $rc -eq 0 ] && [ ! -s '$tmp/tld.err' ] && [ \$(wc -l < '$tmp/tl.tsv') -ge 2 ] && cmp -s '$tmp/tl.tsv' '$tmp/tld.tsv'"
if serve_start store --db "$db"; then
  "$smolder" "${tl[@]}" --url "http://127.0.0.1:$PORT" --profile-type "$cpu:delta" \
    > "$tmp/tlu.tsv" 2> "$tmp/tlu.err"
  rc=$?
  check "  and with --url" \
    bash -c "[ $rc -eq 0 ] && [ ! -s '$tmp/tlu.err' ] && cmp -s '$tmp/tl.tsv' '$tmp/tlu.tsv'"
  serve_stop
else
  check "  (smolder serve for --url starts)" false
fi
# a profile that matches with values that add up to 0 is data: its zeros, status 0
printf 'main;idle 0\n' > "$tmp/zero.folded"
"$smolder" ingest --db "$tmp/zero.db" "$tmp/zero.folded" > /dev/null
"$smolder" query timeline --db "$tmp/zero.db" --from 0 --step 1000d --group-by service_name \
  --profile-type process_cpu:samples:count:samples:count > "$tmp/zero.tsv" 2> "$tmp/zero.err"
rc=$?
check "query timeline of a profile whose values are 0: its zero rows, status 0" \
  bash -c "[ $rc -eq 0 ] && [ ! -s '$tmp/zero.err' ] && grep -qP '^zero\t.*\t0$' '$tmp/zero.tsv' && ! awk -F'\t' 'NR>1 && \$3 != 0' '$tmp/zero.tsv' | grep -q ."
usagecheck "an empty range" "the range is empty" top --db "$db" --from now --to now-1h
usagecheck "a bad --aggregate" "--aggregate is sum or avg, not 'max'" top --db "$db" --from 0 --aggregate max --query '{service_name="goroutines-goroutine"}'
errcheck "a store that does not exist" "cannot open store '$tmp/nope.db': No such file" top --db "$tmp/nope.db"
printf 'not a database at all, just some text that is long enough to look like one\n%.0s' $(seq 100) > "$tmp/text.db"
errcheck "a file that is not a store" "'$tmp/text.db' is not a smolder store" top --db "$tmp/text.db"
errcheck "ingest into a file that is not a store" "'$tmp/text.db' is not a smolder store" ingest --db "$tmp/text.db" "$ex/cpuwork-cpu.pb.gz"
# demo --db replaces an earlier demo store only (it deleted any file, a real store too)
nseries=$("$smolder" query series --db "$db" --from 0 | wc -l)
errcheck "demo --db on a store with other profiles: refused" \
  "^smolder demo: not replacing '$db': it holds profiles that are not the demo's \([0-9]+ of its [0-9]+ series\); give the demo another --db$" \
  demo --db "$db" --no-open
check "  (and the store is as it was)" test "$("$smolder" query series --db "$db" --from 0 | wc -l)" -eq "$nseries"
errcheck "demo --db on a file that is not a store: refused" "^smolder demo: not replacing '$tmp/text.db': .*is not a smolder store" demo --db "$tmp/text.db" --no-open
check "demo --db makes its store, and makes it again over an earlier one" \
  bash -c "'$smolder' demo --db '$tmp/demo.db' --no-open 2> /dev/null && '$smolder' demo --db '$tmp/demo.db' --no-open 2> /dev/null && [ \$('$smolder' query series --db '$tmp/demo.db' --from now-2h --query '{env=\"demo\"}' | tail -n +2 | wc -l) -eq 22 ]"
# a demo store that cannot be written (a file size limit): one line, no blank line before it
( trap '' XFSZ; ulimit -f 200; SMOLDER_EXAMPLES=$ex "$smolder" demo --db "$tmp/full.db" --no-open ) 2> "$tmp/err"
# (the store is made beside --db, as PATH.new-PID, and renamed into place when whole)
check "demo that cannot write its store: one line 'smolder demo: store ...', nothing before it" \
  bash -c "[ \$(wc -l < '$tmp/err') -eq 1 ] && grep -qE \"^smolder demo: store '$tmp/full.db(\\.new-[0-9]+)?': \" '$tmp/err' && ! ls '$tmp'/full.db* > /dev/null 2>&1"
errcheck "ingest of a bad file names it (the others are kept)" "'$tmp/text.db': " ingest --db "$db" "$tmp/text.db"
errcheck "--extra-labels wants k=v" "--extra-labels wants NAME=VALUE, not 'oops'" ingest --db "$db" --extra-labels oops "$ex/cpuwork-cpu.pb.gz"
check "a SOURCE and --db together is a usage error" bash -c "'$smolder' top --db '$db' '$ex/cpuwork-cpu.pb.gz' > /dev/null 2>&1; [ \$? -eq 2 ]"

# extra labels are series labels; the default store is under XDG_DATA_HOME
XDG_DATA_HOME=$tmp/xdg "$smolder" ingest --extra-labels env=prod,region=eu --service web "$ex/goroutines-goroutine.pb.gz" > /dev/null
check "the default store is \$XDG_DATA_HOME/smolder/smolder.db" test -s "$tmp/xdg/smolder/smolder.db"
check "extra labels select" bash -c "XDG_DATA_HOME='$tmp/xdg' '$smolder' query series --from 0 --query '{env=\"prod\", region=~\"e.\"}' | grep -q 'prod'"
check "SMOLDER_DB overrides the default" bash -c "SMOLDER_DB='$db' XDG_DATA_HOME='$tmp/xdg' '$smolder' query types --from 0 --query '{service_name=\"heap3\"}' | grep -q inuse_space"

# --service is --extra-labels service_name=...: the last one given wins, as in upload
# (ingest took --extra-labels' whatever the order, upload --service)
"$smolder" ingest --db "$tmp/svc.db" --extra-labels service_name=el --service sv "$ex/goroutines-goroutine.pb.gz" > "$tmp/svc.out"
"$smolder" ingest --db "$tmp/svc.db" --service sv2 --extra-labels env=e,service_name=el2 "$ex/goroutines-goroutine.pb.gz" >> "$tmp/svc.out"
check "ingest --extra-labels service_name=el --service sv: sv; --service sv2 --extra-labels service_name=el2: el2" \
  bash -c "grep -q ': service_name=sv at ' '$tmp/svc.out' && grep -q ': service_name=el2 at ' '$tmp/svc.out' && [ \$('$smolder' query series --db '$tmp/svc.db' --from 0 --label-names service_name | tail -n +2 | sort -u | paste -sd,) = el2,sv ]"
# query series that matches nothing prints nothing (profilecli), not an empty header line
"$smolder" query series --db "$db" --from 0 --query '{service_name="nothing-here"}' > "$tmp/qs.out" 2> "$tmp/qs.err"
check "query series matching nothing: status 0, nothing printed" \
  bash -c "[ $? -eq 0 ] && [ ! -s '$tmp/qs.out' ] && [ ! -s '$tmp/qs.err' ]"
"$smolder" query series --db "$db" --from 0 --query '{service_name="nothing-here"}' --output json > "$tmp/qs.out"
check "  with --output json: the empty list, as profilecli" grep -q '"series": \[\]' "$tmp/qs.out"

for verb in ingest query; do
  check "--help for '$verb'" bash -c "'$smolder' $verb --help | grep -q '^usage: smolder'"
done
for verb in top view diff peek export; do
  check "'$verb --help' documents --db" bash -c "'$smolder' $verb --help | grep -q -- '--db PATH'"
done

# query series: --label-names repeats (profilecli's appends); a label value that is not
# UTF-8 is repaired to U+FFFD in JSON as in the table (it went missing from the JSON)
"$smolder" ingest --db "$tmp/u8.db" --service $'bad\xffname' "$ex/cpuwork-cpu.pb.gz" > /dev/null
"$smolder" query series --db "$tmp/u8.db" --from 0 --label-names service_name --label-names __name__ > "$tmp/ln.out"
check "--label-names twice: both columns" grep -qE '^__name__ +service_name$' "$tmp/ln.out"
"$smolder" query series --db "$tmp/u8.db" --from 0 --output json > "$tmp/u8.json"
check "a non-UTF-8 label value in --output json: repaired, not dropped" \
  test "$(grep -cF "\"service_name\": \"bad$(printf '\xef\xbf\xbd')name\"" "$tmp/u8.json")" -eq 2
# on a terminal, JSON is all ASCII: jansson left C1 controls and bidi overrides in label
# values raw (U+202E, U+009B); piped, it stays UTF-8
"$smolder" ingest --db "$tmp/u8.db" --service bidi --extra-labels region=$'\xe2\x80\xaeue\xc2\x9bx' "$ex/cpuwork-cpu.pb.gz" > /dev/null
script -qec "'$smolder' query series --db '$tmp/u8.db' --from 0 --query '{service_name=\"bidi\"}' --output json" /dev/null > "$tmp/u8tty.json"
check "query series --output json on a terminal: C1 and bidi \\u-escaped, none raw" \
  bash -c "grep -qiF '\"region\": \"\\u202eue\\u009bx\"' '$tmp/u8tty.json' && ! LC_ALL=C grep -qaP '\\xe2\\x80\\xae|\\xc2\\x9b' '$tmp/u8tty.json'"
"$smolder" query series --db "$tmp/u8.db" --from 0 --query '{service_name="bidi"}' --output json > "$tmp/u8pipe.json"
check "... and piped, UTF-8 as it is" grep -qF "\"region\": \"$(printf '\xe2\x80\xaeue\xc2\x9bx')\"" "$tmp/u8pipe.json"
# on a terminal, a merge says what it is doing on stderr, then erases it; piped: nothing
script -qec "'$smolder' top -n 1 --db '$db' --from 0 --query '{service_name=\"cpuwork-cpu\"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds" /dev/null > "$tmp/tty.out"
check "a merge on a terminal: 'merging the profiles of DB... (Ctrl-C aborts)', erased" \
  grep -qF "merging the profiles of $db... (Ctrl-C aborts)"$'\r\e[KFile: ' "$tmp/tty.out"
"$smolder" top -n 1 --db "$db" --from 0 --query '{service_name="cpuwork-cpu"}' --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds 2> "$tmp/err" > /dev/null
check "... and nothing when stderr is not a terminal" test ! -s "$tmp/err"

# query series --label-names: the distinct sets of those labels, as a server's Series with
# label_names and profilecli print them (it printed a row per series: cpuwork-cpu twice)
"$smolder" query series --db "$db" --from 0 --label-names service_name > "$tmp/lns.out"
check "query series --label-names service_name: one row per service" \
  bash -c "[ \$(tail -n +2 '$tmp/lns.out' | wc -l) -eq \$(tail -n +2 '$tmp/lns.out' | sort -u | wc -l) ] && [ \$(grep -cx 'cpuwork-cpu *' '$tmp/lns.out') -eq 1 ]"
"$smolder" query series --db "$db" --from 0 --label-names service_name --output json > "$tmp/lns.json"
check "  and in JSON" python3 -c "
import json, sys
s = json.load(open('$tmp/lns.json'))['series']
names = [x['service_name'] for x in s]
assert len(names) == len(set(names)) and 'cpuwork-cpu' in names and all(len(x) == 1 for x in s), s"
check "--label-names naming no label of the series: nothing" \
  bash -c "[ -z \"\$('$smolder' query series --db '$db' --from 0 --label-names nosuchlabel)\" ]"

# a store that cannot be opened: one line, status 1, and nothing leaked (the sanitizer run
# reports leaks as more lines: query series and types kept the store's path)
errcheck "query series --db in a missing directory: one line" \
  "^smolder: cannot open store '$tmp/none/x.db'" query series --db "$tmp/none/x.db"
errcheck "query types --db in a missing directory: one line" \
  "^smolder: cannot open store '$tmp/none/x.db'" query types --db "$tmp/none/x.db"

# --extra-labels as profilecli's kingpin map reads a flag: split at the first ':' or '='
# (env:prod was refused), the rest the value; a comma list is several labels only when
# every piece is NAME=VALUE with no other '=' (q=a?x=1,y=2 was q="a?x=1" and y="2")
"$smolder" ingest --db "$tmp/kp.db" --service kp --extra-labels env:prod --extra-labels 'q=a?x=1,y=2' \
  --extra-labels 'u=http://h:1/p' --extra-labels 'a=1,b=2' "$ex/heapwork-heap.pb.gz" > /dev/null 2> "$tmp/kp.err"
check "--extra-labels env:prod, q=a?x=1,y=2, u=http://h:1/p, a=1,b=2: as profilecli (the list: two)" \
  bash -c "[ ! -s '$tmp/kp.err' ] && [ \$('$smolder' query series --db '$tmp/kp.db' --from 0 --query '{env=\"prod\", q=\"a?x=1,y=2\", u=\"http://h:1/p\", a=\"1\", b=\"2\", y=\"\"}' | tail -n +2 | wc -l) -eq 4 ]"
errcheck "--extra-labels with no name: refused" "--extra-labels wants NAME=VALUE, not ':x'" \
  ingest --db "$tmp/kp.db" --extra-labels :x "$ex/cpuwork-cpu.pb.gz"
errcheck "--extra-labels __x:1 in ingest: reserved" "names starting with __ are reserved \('__x'\)" \
  ingest --db "$tmp/kp.db" --extra-labels __x:1 "$ex/cpuwork-cpu.pb.gz"

# the options may come before what to query (it had to be the first word)
check "query --db DB --from 0 types: as query types --db DB --from 0" \
  bash -c "'$smolder' query --db '$db' --from 0 types > '$tmp/t1' && '$smolder' query types --db '$db' --from 0 > '$tmp/t2' && [ -s '$tmp/t1' ] && cmp -s '$tmp/t1' '$tmp/t2'"
check_done
