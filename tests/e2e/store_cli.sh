#!/usr/bin/env bash
# End-to-end: the verbs reading the store or a server (--db, --url) on their command
# lines.  diff's default baseline is the same length just before the new range, read
# against the one clock reading of the command: a real `smolder serve` behind a proxy
# that holds the first request 3 s (a slow server) must not slide the baseline into the
# new range.  --base-from/--base-to are diff's (and view's): top, peek, list, export and
# query refuse them as unknown (status 2, one line) instead of taking and ignoring them.
# Usage errors (a bad option value, options that do not go together, a store option
# beside a SOURCE, a missing or extra word) are one line ending "(see smolder VERB
# --help)" or naming the option, and status 2; what the data says stays status 1.  The
# help texts list what SOURCE may be (all the loaders read) and every query subcommand.
# Usage: store_cli.sh SMOLDER
smolder=$1
tmp=$(mktemp -d)
trap 'kill "${SPID:-0}" "${PPID_:-0}" 2> /dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp
unset SMOLDER_DB XDG_DATA_HOME PROFILECLI_URL PROFILECLI_USERNAME PROFILECLI_PASSWORD \
  PROFILECLI_TOKEN PROFILECLI_TENANT_ID
. "$(dirname "$0")/serve_lib.sh"
db=$tmp/s.db

# --- diff's default baseline: just before the new range, however slow the new side ------
# P a minute ago: "work" (in the new range); P - 30 s: "old" (only in the baseline)
P=$(( $(date +%s) - 60 ))
echo "main;work 50" > "$tmp/work.folded"
touch -d "@$P" "$tmp/work.folded"
echo "main;old 100" > "$tmp/old.folded"
touch -d "@$((P - 30))" "$tmp/old.folded"
"$smolder" ingest --db "$db" --service svc "$tmp/work.folded" "$tmp/old.folded" > /dev/null \
  2> "$tmp/ingest.err"
check "ingest of two folded profiles at known times" test ! -s "$tmp/ingest.err"
serve_start main --db "$db" || exit 1
python3 "$(dirname "$0")/delay_proxy.py" "$PORT" 3 > "$tmp/proxy.port" &
PPID_=$!
for i in $(seq 1 100); do [ -s "$tmp/proxy.port" ] && break; sleep 0.05; done
purl=http://127.0.0.1:$(cat "$tmp/proxy.port")
# --from now-Ks with K whole seconds: P is in [now - K, now) when diff reads the clock
# (within a second of L); the new side then takes 3 s, so a baseline read against a
# second clock reading ([now' - 2K, now' - K)) would hold P too
L=$(date +%s.%N)
K=$(python3 -c "import math; print(math.ceil($L - $P) + 1)")
"$smolder" diff --format tsv --url "$purl" --from "now-${K}s" --to now > "$tmp/d.tsv" 2> "$tmp/d.err"
check "diff --url --from now-${K}s through a slow server succeeds" \
  test $? -eq 0 -a ! -s "$tmp/d.err" || sed "s/^/  (stderr) /" "$tmp/d.err"
# tsv: base_flat base_cum new_flat new_cum base_pct new_pct change_pct name
check "  work (only in the new range) is not in the baseline" \
  awk -F'\t' '$8 == "work" { f = 1; ok = ($1 == 0 && $3 == 50) } END { exit !(f && ok) }' "$tmp/d.tsv"
check "  old (only in the range before) is the whole baseline" \
  awk -F'\t' '$8 == "old" { f = 1; ok = ($1 == 100 && $3 == 0) } END { exit !(f && ok) }' "$tmp/d.tsv"
kill "$PPID_" 2> /dev/null
wait "$PPID_" 2> /dev/null
serve_stop
# nothing in the baseline: an error that says it is the baseline's, and how to move it
errcheck "diff --db, an empty baseline: says so, points at --base-from/--base-to" \
  "^smolder: the baseline: no .* profiles match .*\\(pick the baseline with --base-from and --base-to\\)$" \
  diff --format tsv --db "$db" --from "$((P - 1))" --to "$((P + 1))"

# --- --base-from/--base-to: diff's (and view's); the other verbs refuse them -------------
for o in --base-from --base-to; do
  for args in top "peek main" "list main" "export -o $tmp/x.pb.gz" "query series" \
    "query profile"; do
    verb=${args%% *}
    # shellcheck disable=SC2086 # args: the verb's words
    usagecheck "${args%% -o *} $o is refused, not taken and ignored" \
      "unknown option '$o'.*\\(see smolder $verb --help\\)" $args --db "$db" --from 0 $o now-2h
  done
done
"$smolder" diff --format tsv --db "$db" --from "$((P - 1))" --to "$((P + 1))" \
  --base-from "$((P - 31))" --base-to "$((P - 29))" > "$tmp/d2.tsv" 2> "$tmp/d2.err"
check "diff --db takes --base-from/--base-to (work new, old base)" \
  awk -F'\t' '$8 == "work" && $1 == 0 && $3 == 50 { w = 1 } $8 == "old" && $1 == 100 && $3 == 0 { o = 1 }
    END { exit !(w && o) }' "$tmp/d2.tsv"

# --- usage errors: one line, status 2; what the data says stays status 1 ------------------
f=$tmp/work.folded
H="\\(see smolder top --help\\)$"
usagecheck "top --db with --url" "^smolder top: --db and --url are two sources: pick one $H" \
  top --db "$db" --url http://127.0.0.1:1
usagecheck "view (the browser) --db with --url" "two sources.*\\(see smolder view --help\\)$" \
  view --db "$db" --url http://127.0.0.1:1
usagecheck "top --db with --codec" "^smolder top: --codec, .* go with --url $H" \
  top --db "$db" --codec json
usagecheck "--from garbage" "^smolder: --from: bad time 'garbage'" top --db "$db" --from garbage
usagecheck "--base-from garbage" "^smolder: --base-from: bad time 'garbage'" \
  diff --db "$db" --base-from garbage
usagecheck "--aggregate bogus" "^smolder: --aggregate is sum or avg, not 'bogus'" \
  top --db "$db" --aggregate bogus
usagecheck "--codec xml" "^smolder: --codec is proto or json, not 'xml'" \
  top --url http://127.0.0.1:1 --codec xml
usagecheck "a --query that does not parse" "^smolder: --query: selector: offset" \
  top --db "$db" --query '{a='
usagecheck "a --profile-type that does not parse" "^smolder: --profile-type: profile type 'nope'" \
  top --db "$db" --profile-type nope
usagecheck "an empty baseline range" "the range is empty: --base-from must come before --base-to" \
  diff --db "$db" --base-from now --base-to now-1h
usagecheck "list --from garbage" "^smolder: --from: bad time" list --db "$db" --from garbage main
usagecheck "query series --from garbage" "^smolder: --from: bad time" \
  query series --db "$db" --from garbage
# list and query pass the 2 on (they returned 1), and take no full help for a missing word
usagecheck "list --db with --url" "^smolder list: --db and --url are two sources" \
  list --db "$db" --url http://127.0.0.1:1 main
usagecheck "list --db without REGEX" "^smolder list: REGEX is missing" list --db "$db"
usagecheck "query series: an empty range" "the range is empty: --from must come before --to" \
  query series --db "$db" --from now --to now-1h
usagecheck "query profile --db with --url" "two sources" \
  query profile --db "$db" --url http://127.0.0.1:1
usagecheck "query timeline: an empty range" "the range is empty" \
  query timeline --db "$db" --from now --to now-1h
usagecheck "ingest without FILE: one line" "^smolder ingest: FILE is missing" ingest --db "$db"
# query's subcommands refuse what another takes (series --profile-type printed every type,
# types --output json text, timeline --output json TSV, profile ignored --step)
for c in "series|--profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds|profile's and timeline's" \
  "series|--step 1m|timeline's" "series|--force|profile's" "types|--output json|series' and profile's" \
  "types|--label-names zz|series'" "types|--group-by x|timeline's" "types|--aggregate sum|profile's and timeline's" \
  "timeline|--output json|series' and profile's" "timeline|--label-names zz|series'" \
  "profile|--group-by x|timeline's" "profile|--step 1m|timeline's" "merge|--label-names a|series'" \
  "profile-types|--profile-type memory:inuse_space:bytes:space:bytes|profile's and timeline's"; do
  IFS='|' read -r sub opt whose <<< "$c"
  # shellcheck disable=SC2086 # opt: the option and its value
  usagecheck "query $sub $opt: refused, not ignored" \
    "^smolder query $sub: ${opt%% *} is $whose \\(see smolder query --help\\)$" \
    query $sub --db "$db" --from 0 $opt
done
errcheck "nothing matches the query: a runtime error, status 1" "no .*profiles match" \
  top --db "$db" --from 0 --query '{service_name="nope"}'
for o in "--tenant x" "--aggregate avg" "--profile-type a:b:c:d:e" "--from 0"; do
  # shellcheck disable=SC2086 # $o: an option and its value
  usagecheck "top FILE ${o%% *}: one line naming the conflict" \
    "^smolder top: ${o%% *} goes with --db or --url \\(the store or a server\\), not with SOURCE '.*$H" \
    top "$f" $o
done
usagecheck "top FILE --insecure-skip-verify" \
  "^smolder top: .*--insecure-skip-verify go with --url $H" \
  top "$f" --insecure-skip-verify
usagecheck "top --db FILE" \
  "^smolder top: --db reads the store, not SOURCE '.*work.folded': give one or the other $H" \
  top --db "$db" "$f"
usagecheck "peek --tenant REGEX FILE" "^smolder peek: --tenant goes with --db or --url" \
  peek --tenant x main "$f"
usagecheck "diff --tenant BASE NEW" "^smolder diff: --tenant goes with --db or --url" \
  diff --tenant x "$f" "$f"
usagecheck "view --url FILE" "^smolder view: --url reads a server, not SOURCE" \
  view --url http://127.0.0.1:1 "$f"
usagecheck "export --aggregate FILE" "^smolder export: --aggregate goes with --db or --url" \
  export --aggregate avg "$f" -o "$tmp/x.pb.gz"
usagecheck "top without SOURCE" "^smolder top: SOURCE is missing $H" top
usagecheck "top with two" "^smolder top: unexpected argument 'b' $H" top a b
usagecheck "peek without REGEX and SOURCE" "^smolder peek: REGEX and SOURCE are missing" peek
usagecheck "peek --db without REGEX" "^smolder peek: REGEX is missing" peek --db "$db"
usagecheck "diff with one" "^smolder diff: NEW is missing \\(see smolder diff --help\\)$" diff "$f"
usagecheck "diff --base" "^smolder diff: --base is view's" diff --base "$f" "$f" "$f"
usagecheck "export without -o" "^smolder export: -o FILE is missing" export "$f"
usagecheck "view --db --base" "^smolder view: --base BASE goes with a SOURCE" \
  view --db "$db" --base "$f"
usagecheck "resolve: an unexpected word" \
  "^smolder resolve: unexpected argument 'x' \\(see smolder resolve --help\\)$" \
  resolve --function f x
usagecheck "resolve: neither --function nor --path" "\\(see smolder resolve --help\\)$" resolve
usagecheck "an unexpected argument is printed escaped" \
  "unexpected argument 'b\\\\x1b\\]0;pwn\\\\x07'" \
  top a $'b\e]0;pwn\a'
check "  (no escape byte reaches the terminal)" bash -c "! grep -q \$'\\e' '$tmp/err'"
usagecheck "resolve's too" "^smolder resolve: unexpected argument 'x\\\\x1b\\]0;pwn\\\\x07'" \
  resolve --function f $'x\e]0;pwn\a'
check "  (no escape byte reaches the terminal)" bash -c "! grep -q \$'\\e' '$tmp/err'"

# --- --db names SQLite would not keep as a file: refused by every verb, serve at start -----
# "" is a temporary database and ":memory:" one in memory; "file:..." is a URI to SQLite.
# Before, ingest said "1 profile stored in :memory:" and kept nothing, and serve started
# and answered 500 to every push.  Status 1 or 2: the point is a refusal in one line.
refused() {  # refused DESCRIPTION PATTERN ARGS...: fails in one line, prints nothing else
  local d=$1 pat=$2; shift 2
  (cd "$tmp/cwd" && timeout 20 "$smolder" "$@" > "$tmp/out" 2> "$tmp/err")
  local rc=$?
  if [ "$rc" -ge 1 ] && [ "$rc" -le 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] &&
     grep -qE -- "$pat" "$tmp/err" && [ ! -s "$tmp/out" ]; then
    echo "ok   - $d"; pass=$((pass + 1))
  else
    echo "FAIL - $d (status $rc): $(head -3 "$tmp/err")"; fail=$((fail + 1))
  fi
}
mkdir "$tmp/cwd"
pb=$(dirname "$0")/../../examples/heapwork-heap.pb.gz
refused "ingest --db '': no store path" "^smolder: no store path$" ingest --db "" "$pb"
refused "ingest --db :memory:: not a file" \
  "^smolder: cannot use ':memory:' as a store: .*not in a file \(name the file ./:memory:\)$" \
  ingest --db :memory: "$pb"
refused "ingest --db file:x.db?mode=memory: a URI" \
  "^smolder: cannot use 'file:x.db\?mode=memory' as a store: SQLite reads .* as a URI" \
  ingest --db 'file:x.db?mode=memory' "$pb"
refused "ingest --db file:d/x.db: a URI, no directory made" "as a URI" ingest --db file:d/x.db "$pb"
check "  (nothing was made in the working directory)" test -z "$(ls -A "$tmp/cwd")"
refused "top --db ''" "^smolder: no store path$" top --db ""
refused "serve --db '' refuses at start-up" "^smolder:? serve: no store path$" \
  serve --db "" --listen 127.0.0.1:0
refused "serve --db :memory: refuses at start-up" "^smolder:? serve: cannot use ':memory:'" \
  serve --db :memory: --listen 127.0.0.1:0
# the file named file:x.db, spelt as a path, is an ordinary store
(cd "$tmp/cwd" && "$smolder" ingest --db ./file:x.db "$pb" > /dev/null 2>&1)
check "ingest --db ./file:x.db writes the file of that name" test -s "$tmp/cwd/file:x.db"
(cd "$tmp/cwd" && "$smolder" query series --db ./file:x.db --from 0 > "$tmp/out" 2>&1)
check "  and query series reads it back" grep -q heapwork "$tmp/out"

# --name '' is no name, as --service '' is: ingest said ':alloc_objects:count:...' while the
# store kept the default memory:...
"$smolder" ingest --db "$tmp/noname.db" --name '' "$pb" > "$tmp/out" 2>&1
check "ingest --name '': the default name in what it prints" \
  grep -q ': memory:alloc_objects:count:space:bytes, memory:alloc_space:bytes' "$tmp/out"
# a perf script's cpu-clock is stored as cpu_clock, as upload sends it and serve stores it
# (both refuse '-' in a sample type): ingest kept cpu-clock, a series no push merged with
"$smolder" ingest --db "$tmp/perf.db" "$(dirname "$0")/../../../shared/testdata/perf/cpuwork.perfscript" \
  > "$tmp/out" 2>&1
check "ingest of a perf script: cpu_clock, as a push stores it" \
  grep -q ': process_cpu:samples:count::, process_cpu:cpu_clock:nanoseconds::$' "$tmp/out"
"$smolder" query types --db "$tmp/perf.db" --from 0 > "$tmp/out" 2>&1
check "  and the store holds process_cpu:cpu_clock" grep -q 'process_cpu:cpu_clock:nanoseconds' "$tmp/out"

# --- ingest holds the write lock only to write: a serve on the same store keeps answering --
# Before, ingest took the lock (BEGIN IMMEDIATE) before reading its FILEs: a slow stdin (or
# a URL's --seconds) kept serve's pushes waiting 10 s, then answered 500 "is busy".
ldb=$tmp/lock.db
serve_start lock --db "$ldb" || exit 1
( sleep 7; cat "$(dirname "$0")/../../../shared/testdata/go/cpuwork-cpu.pb.gz" ) |
  "$smolder" ingest --db "$ldb" - > "$tmp/li.out" 2> "$tmp/li.err" &
IPID=$!
# until ingest has the store open (before the fix it then held the lock at once)
for i in $(seq 1 100); do
  ls -l "/proc/$IPID/fd" 2> /dev/null | grep -q "lock\.db$" && break
  sleep 0.05
done
sleep 0.3
t0=$(date +%s.%N)
st=$(printf 'main;work 7\n' | curl -s -o "$tmp/body" -w '%{http_code}' --max-time 5 \
  --data-binary @- "http://127.0.0.1:$PORT/ingest?name=app.cpu&format=folded")
t1=$(date +%s.%N)
check "a push while ingest waits for its stdin is answered 200 (got $st)" test "$st" = 200
check "  within 2 s" python3 -c "import sys; sys.exit(not ($t1 - $t0 < 2))"
wait "$IPID"
check "  and ingest then stores what it read" \
  grep -q '^1 profile stored in .*lock\.db$' "$tmp/li.out"
serve_stop

# --- Ctrl-C stops ingest before the next file (it read stdin, then stored the rest) ---------
cdb=$tmp/cancel.db
( sleep 4; cat "$pb" ) | "$smolder" ingest --db "$cdb" - "$pb" > "$tmp/ci.out" 2> "$tmp/ci.err" &
IPID=$!
sleep 1
kill -INT "$IPID"
wait "$IPID"
st=$?
check "Ctrl-C during ingest exits 1 (got $st)" test "$st" = 1
check "  saying how many files were stored" \
  grep -q 'smolder ingest: interrupted (0 of the 2 files were stored' "$tmp/ci.err"
check "  and stores none of the rest" \
  test "$(sqlite3 "$cdb" 'SELECT count(*) FROM profiles' 2>/dev/null || echo 0)" = 0

# --- help texts: what the loaders read, every query subcommand -----------------------------
"$smolder" --help > "$tmp/usage.txt"
check "smolder --help names every query subcommand" \
  grep -q 'smolder query series|types|profile|timeline' "$tmp/usage.txt"
for v in view top peek export; do
  "$smolder" $v --help > "$tmp/help.txt"
  check "$v --help: SOURCE may be Pyroscope's flame graph JSON or a *.lines file" \
    bash -c "tr '\n' ' ' < '$tmp/help.txt' | grep -q \"flame graph JSON or \\*\\.lines file\""
  check "  and fits 80 columns" bash -c "! awk 'length > 80' '$tmp/help.txt' | grep -q ."
done
# ... and they are: a *.lines file (one sample a line) and a flame graph JSON
printf 'main;work\nmain;work\nmain;idle\n' > "$tmp/x.lines"
"$smolder" top --format tsv "$tmp/x.lines" > "$tmp/l.tsv" 2>&1
check "top reads a *.lines file (a sample a line)" grep -qx $'2\t66.67\t66.67\t2\t66.67\twork' "$tmp/l.tsv"
cat > "$tmp/fb.json" <<'JSON'
{"version":1,"flamebearer":{"names":["total","main","work"],
 "levels":[[0,5,0,0],[0,5,0,1],[0,5,5,2]],"numTicks":5,"maxSelf":5},
 "metadata":{"format":"single","spyName":"gospy","sampleRate":100,"units":"samples"}}
JSON
"$smolder" top --format tsv "$tmp/fb.json" > "$tmp/fb.tsv" 2>&1
check "top reads a flame graph JSON (5 samples at 100 Hz: 50 ms of work)" \
  grep -qx $'50000000\t100.00\t100.00\t50000000\t100.00\twork' "$tmp/fb.tsv"
# --- top --db --diff-base FILE: the file's sample type of the range's -----------------------
# A range of the store is one profile type, so one sample type; a Go file has two or more.
# top paired them as they were and said "the base profile has 2 sample types, this one 1"
# for every Go CPU or heap base.  The base is now read in the range's type alone, and the
# numbers are those of top NEW --diff-base BASE on the files.
exd=$(dirname "$0")/../../examples
ddb=$tmp/diffbase.db
"$smolder" ingest --db "$ddb" "$exd/cpuwork-cpu-after-scoreRecords-3x.pb.gz" \
  "$exd/heapwork-heap.pb.gz" > /dev/null 2> "$tmp/di.err"
check "ingest of a CPU and a heap profile for --diff-base" test ! -s "$tmp/di.err"
# (the heap and allocs examples are one moment of one process: their difference is 0, no rows)
for c in "cpuwork-cpu-after-scoreRecords-3x cpu process_cpu:cpu:nanoseconds:cpu:nanoseconds cpuwork-cpu 20" \
  "heapwork-heap inuse_space memory:inuse_space:bytes:space:bytes heapwork-allocs 1" \
  "heapwork-heap alloc_objects memory:alloc_objects:count:space:bytes heapwork-allocs 1"; do
  read -r svc st pt base rows <<< "$c"
  "$smolder" top --format tsv --db "$ddb" --from 0 --query "{service_name=\"$svc\"}" \
    --profile-type "$pt" --diff-base "$exd/$base.pb.gz" > "$tmp/dbd.tsv" 2> "$tmp/dbd.err"
  "$smolder" top --format tsv -i "$st" "$exd/$svc.pb.gz" --diff-base "$exd/$base.pb.gz" \
    > "$tmp/fd.tsv" 2>&1
  check "top --db --diff-base $base ($st): the numbers of top FILE --diff-base" \
    bash -c "[ ! -s '$tmp/dbd.err' ] && [ \$(wc -l < '$tmp/dbd.tsv') -ge $rows ] &&
      cmp -s '$tmp/fd.tsv' '$tmp/dbd.tsv'"
done
errcheck "top --db --diff-base FILE without the range's type: one line naming FILE's types" \
  "^smolder: the base '.*cpuwork-cpu.pb.gz' has no sample type inuse_space/bytes \(it has samples/count, cpu/nanoseconds\)$" \
  top --db "$ddb" --from 0 --query '{service_name="heapwork-heap"}' \
  --profile-type memory:inuse_space:bytes:space:bytes --diff-base "$exd/cpuwork-cpu.pb.gz"
# the range against its own perf script: stored as cpu_clock, read from the file as cpu-clock
"$smolder" top --format tsv --db "$tmp/perf.db" --from 0 --profile-type process_cpu:cpu_clock:nanoseconds:: \
  --diff-base "$(dirname "$0")/../../../shared/testdata/perf/cpuwork.perfscript" > "$tmp/out" 2> "$tmp/err"
check "top --db --diff-base its own perf script: the types pair (cpu-clock is cpu_clock), no change" \
  bash -c "[ ! -s '$tmp/err' ] && head -1 '$tmp/out' | grep -q '^flat' && awk -F'\t' 'NR > 1 && \$1 != 0 { exit 1 }' '$tmp/out'"
# --- timelines reaching int64's edges: the pushes of a minute ago are drawn -----------------
# now-292y: a push's offset from the first step's start passed INT64_MAX (tl_row); from
# 1678 by its default step of a year, that step began before int64 (backend_timeline_grid)
for f in now-292y 1678-01-01T00:00:00Z; do
  "$smolder" query timeline --db "$db" --from "$f" > "$tmp/tl.tsv" 2> "$tmp/tl.err"
  check "query timeline --db --from $f: the 150 pushed, nothing on stderr" \
    bash -c "[ ! -s '$tmp/tl.err' ] && awk -F'\t' 'NR > 1 { s += \$2 } END { exit s != 150 }' '$tmp/tl.tsv'"
done
# --- the store's cap on the labels of one sample (STORE_MAX_SET_LABELS) -------------------
# one sample of 4096 labels w="x" is stored; of 4097 it is refused in one line naming the
# cap, and nothing of it is stored (a writer kept any number, and readers took them all)
E2E_DIR=$(cd "$(dirname "$0")" && pwd) python3 - "$tmp" <<'PY'
import os, sys
sys.path.insert(0, os.path.join(os.environ.get("E2E_DIR", "."), "..", "fuzz"))
from pbwire import field, gz, packed
strings = ["", "samples", "count", "main.work", "main.go", "w", "x"]
for n in (4096, 4097):
    p = field(1, field(1, 1) + field(2, 2))
    p += field(2, field(1, packed([1])) + field(2, packed([1])) +
               field(3, field(1, 5) + field(2, 6)) * n)
    p += field(4, field(1, 1) + field(4, field(1, 1) + field(2, 7)))
    p += field(5, field(1, 1) + field(2, 3) + field(3, 3) + field(4, 4))
    p += b"".join(field(6, s.encode()) for s in strings)
    with open(os.path.join(sys.argv[1], "w%d.pb.gz" % n), "wb") as f:
        f.write(gz(p))
PY
errcheck "ingest of a sample of 4097 labels: one line naming the store's limit of 4096" \
  "^smolder: cannot ingest '.*w4097.pb.gz': sample 0 has 4097 labels, more than the store's limit of 4096$" \
  ingest --db "$tmp/wide.db" "$tmp/w4096.pb.gz" "$tmp/w4097.pb.gz"
"$smolder" query series --db "$tmp/wide.db" > "$tmp/wide.tsv" 2>&1
check "  the sample of 4096 labels is stored, nothing of the one of 4097" \
  bash -c "grep -q 'w4096\$' '$tmp/wide.tsv' && ! grep -q w4097 '$tmp/wide.tsv'"
check_done
