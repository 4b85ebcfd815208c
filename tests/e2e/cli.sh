#!/usr/bin/env bash
# End-to-end tests of the command line: profiles from files, standard input and a real
# Go program's net/http/pprof endpoints (on 127.0.0.1), Ctrl-C during a fetch, one-line
# errors for bad input, --help everywhere.  Usage: cli.sh SMOLDER EXAMPLES_DIR
set -u
smolder=$1
ex=$2
. "$(dirname "$0")/check_lib.sh"
tmp=$(mktemp -d)
server_pid=
silent_pid=
rec_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$silent_pid" ] && kill "$silent_pid" 2>/dev/null
  [ -n "$rec_pid" ] && kill "$rec_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT


# --- demo: which store it may replace ------------------------------------------------------
# a real store whose series carry env="demo" (a real environment's name) is not the demo's
"$smolder" ingest --db "$tmp/realdemo.db" --service prod-api --extra-labels env=demo "$ex/heapwork-heap.pb.gz" > /dev/null 2>&1
errcheck "demo --db on a real store whose series all carry env=\"demo\": refused" \
  "^smolder demo: not replacing '$tmp/realdemo.db': it holds profiles that are not the demo's \(4 of its 4 series\)" \
  demo --db "$tmp/realdemo.db" --no-open
check "  and that store keeps its profiles" \
  bash -c "'$smolder' query series --db '$tmp/realdemo.db' --from 0 --query '{service_name=\"prod-api\"}' | grep -q prod-api"
# the demo's own service, metric name, region and env, but one label more: not the demo's
"$smolder" ingest --db "$tmp/realdemo2.db" --service checkout --name process_cpu \
  --extra-labels env=demo,region=eu-west-1,team=shop "$ex/cpuwork-cpu.pb.gz" > /dev/null 2>&1
errcheck "demo --db on a store of the demo's labels plus another: refused" \
  "^smolder demo: not replacing '$tmp/realdemo2.db': it holds profiles that are not the demo's" \
  demo --db "$tmp/realdemo2.db" --no-open
# a name no store can have is refused before anything is removed (./-wal and ./-shm went)
mkdir "$tmp/cwd" && touch "$tmp/cwd/-wal" "$tmp/cwd/-shm" "$tmp/cwd/file:x.db-wal"
( cd "$tmp/cwd" && "$smolder" demo --db '' --no-open > /dev/null 2> "$tmp/err"; echo $? > "$tmp/rc" )
check "demo --db '': refused in one line, ./-wal and ./-shm kept" \
  bash -c "[ \$(cat '$tmp/rc') -eq 1 ] && grep -qx 'smolder demo: no store path' '$tmp/err' && [ -e '$tmp/cwd/-wal' ] && [ -e '$tmp/cwd/-shm' ]"
( cd "$tmp/cwd" && "$smolder" demo --db 'file:x.db' --no-open > /dev/null 2> "$tmp/err"; echo $? > "$tmp/rc" )
check "demo --db file:x.db: refused as a URI, ./file:x.db-wal kept" \
  bash -c "[ \$(cat '$tmp/rc') -eq 1 ] && grep -q \"^smolder demo: cannot use 'file:x.db' as a store\" '$tmp/err' && [ -e '$tmp/cwd/file:x.db-wal' ]"

# a store another process holds is not replaced, even a fresh one: a serve on a deleted
# file answered pushes that were lost
"$smolder" serve --db "$tmp/held.db" --listen 127.0.0.1:0 > /dev/null 2> "$tmp/held.err" &
held_pid=$!
for n in $(seq 1 200); do grep -q listening "$tmp/held.err" && break; sleep 0.05; done
ino=$(stat -c %i "$tmp/held.db")
errcheck "demo --db on a fresh store a serve holds: refused" \
  "^smolder demo: not replacing '$tmp/held.db': another process \(a serve, an explorer\) has it open$" \
  demo --db "$tmp/held.db" --no-open
check "  and the serve's store is the same file" test "$(stat -c %i "$tmp/held.db")" = "$ino"
kill "$held_pid"; wait "$held_pid" 2>/dev/null
# two demos on one path at once: each makes its own store and puts it in place whole (both
# wrote into one file, or into one the other had unlinked); the one that finds the
# other's open may refuse.  One demo is 180 pushes (5,400 rows: one a sample type)
"$smolder" demo --db "$tmp/two.db" --no-open > /dev/null 2> "$tmp/two1.err" &
two_pid=$!
"$smolder" demo --db "$tmp/two.db" --no-open > /dev/null 2> "$tmp/two2.err"; rc2=$?
wait "$two_pid"; rc1=$?
check "two demos at once on one path: one demo's 180 pushes (status $rc1, $rc2)" \
  bash -c "[ $rc1 -eq 0 -o $rc2 -eq 0 ] && [ \"\$(sqlite3 '$tmp/two.db' 'SELECT count(DISTINCT time_ns), count(*) FROM profiles')\" = '180|5400' ] && [ -z \"\$(ls '$tmp' | grep 'two.db.new')\" ]"

# Ctrl-C while the demo writes its store: it stops within a step, one line, no store left
# (it writes beside the path, cancel.db.new-PID, and renames that when whole)
"$smolder" demo --db "$tmp/cancel.db" --no-open > /dev/null 2> "$tmp/err" &
pid=$!
for n in $(seq 1 200); do [ -e "$tmp/cancel.db.new-$pid" ] && break; sleep 0.05; done
sleep 0.3
start=$(date +%s%N)
kill -INT "$pid"
wait "$pid"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
# (the whole demo takes 10-35 s; under ASan on a loaded CI machine a step and the rollback
# took 3.3 s: the bound tells "stopped within a step" from "ran to the end")
check "Ctrl-C aborts the demo's writing (status $rc, $ms ms, one line, no store kept)" \
  bash -c "[ $rc -eq 1 ] && [ $ms -lt 8000 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -qx 'smolder demo: cancelled (no demo store made)' '$tmp/err' && [ -z \"\$(ls '$tmp' | grep cancel.db)\" ]"
# without HOME (and XDG_CACHE_HOME) there is no default place: refused, never /tmp
( unset HOME XDG_CACHE_HOME; "$smolder" demo --no-open > /dev/null 2> "$tmp/err"; echo $? > "$tmp/rc" )
check "demo without HOME: refused in one line (it wrote /tmp/.cache/smolder/demo.db)" \
  bash -c "[ \$(cat '$tmp/rc') -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -qx 'smolder demo: no place for the demo store: HOME is not set (use --db PATH)' '$tmp/err'"

# --- the browser: a store it cannot open is a refusal (it said so and exited 0) ----------
errcheck "smolder --db DIR: status 1, one line" \
  "^smolder: cannot open store '$tmp': it is a directory, not a file$" --db "$tmp"
errcheck "smolder --db /dev/null: status 1, one line" "^smolder: cannot open store '/dev/null': it is a character device" \
  --db /dev/null
errcheck "smolder --db :memory:: status 1, one line" "^smolder: cannot use ':memory:' as a store" --db :memory:
errcheck "smolder --db MISSING: status 1, one line" "^smolder: cannot open store '$tmp/none/x.db': " \
  --db "$tmp/none/x.db"
# no --db and no store yet (the browser wants a terminal then): one line saying how to make one
if [ ! -r /var/lib/smolder/smolder.db ]; then
  mkdir "$tmp/fresh"
  HOME=$tmp/fresh XDG_DATA_HOME= SMOLDER_DB= script -qec "'$smolder' 2> '$tmp/err'" /dev/null < /dev/null > /dev/null
  rc=$?
  want="smolder: no store at '$tmp/fresh/.local/share/smolder/smolder.db' yet: \`smolder demo\` makes one"
  check "smolder with a fresh HOME: status 1 (it was 0), one line naming the store and smolder demo" \
    bash -c "[ $rc -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -qF -- \"\$1\" '$tmp/err'" _ "$want"
fi

# --- the explorer's ? help says what O runs: $VISUAL, else $EDITOR (it said $EDITOR) ------
if command -v tmux > /dev/null; then
  sock=smolder-cli-$$
  tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 100 -s h \
    "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 '$smolder' '$ex/cpuwork-cpu.pb.gz'; sleep 30"
  for n in $(seq 1 200); do tmux -L "$sock" capture-pane -p -t h | grep -qF '? help' && break; sleep 0.05; done
  tmux -L "$sock" send-keys -t h '?'
  for n in $(seq 1 200); do tmux -L "$sock" capture-pane -p -t h | grep -qF 'y  O' && break; sleep 0.05; done
  tmux -L "$sock" capture-pane -p -t h > "$tmp/help.screen"
  tmux -L "$sock" kill-server
  check "? help: O opens \$VISUAL or \$EDITOR at the line" \
    grep -qE 'y  O +copy path:line; open \$VISUAL or \$EDITOR' "$tmp/help.screen"
else
  echo "FAIL - tmux is not installed (./build.sh deps installs it)"; fail=$((fail + 1))
fi

# usage errors are one line and the hint, as everywhere (upload and demo printed the help)
usagecheck "upload without FILE: one line" "^smolder upload: FILE is missing \(see smolder upload --help\)$" \
  upload --url http://127.0.0.1:1
usagecheck "demo with an argument: one line" \
  "^smolder demo: unexpected argument 'extra' \(see smolder demo --help\)$" demo extra
errcheck "peek's bad regex: 'smolder peek: ...', as list says it" \
  "^smolder peek: bad regex at offset 1: " peek '(' "$ex/cpuwork-cpu.pb.gz"
errcheck "list's bad regex" "^smolder list: bad regex at offset 1: " list '(' "$ex/cpuwork-cpu.pb.gz"

# files and stdin give the same table
"$smolder" top --format tsv "$ex/cpuwork-cpu.pb.gz" > "$tmp/file.tsv"
"$smolder" top --format tsv - < "$ex/cpuwork-cpu.pb.gz" > "$tmp/stdin.tsv"
check "stdin (-) reads the same profile as the file" cmp -s "$tmp/file.tsv" "$tmp/stdin.tsv"
check "tsv header" grep -qx $'flat\tflat%\tsum%\tcum\tcum%\tname' "$tmp/file.tsv"
check "tsv rows are exact integers" grep -qx $'1550000000\t16.77\t16.77\t1550000000\t16.77\tmain.scoreRecords' "$tmp/file.tsv"
# Pyroscope's flame graph JSON (its UI's "export"), plain and gzipped as downloaded: read
# (the .json.gz was taken for folded text); 100 Hz samples are 10 ms of cpu each
cat > "$tmp/fb.json" <<'EOF'
{"version":1,"flamebearer":{"names":["total","main","work","idle"],
 "levels":[[0,10,0,0],[0,10,1,1],[0,7,7,2,0,2,2,3]],"numTicks":10,"maxSelf":7},
 "metadata":{"format":"single","units":"samples","sampleRate":100,"name":"cpu"}}
EOF
gzip -c "$tmp/fb.json" > "$tmp/fb.json.gz"
"$smolder" top --format tsv "$tmp/fb.json" > "$tmp/fb.tsv" 2>&1
"$smolder" top --format tsv "$tmp/fb.json.gz" > "$tmp/fbgz.tsv" 2>&1
check "a flamebearer JSON: work's 7 samples are 70 ms of cpu" grep -qx $'70000000\t70.00\t70.00\t70000000\t70.00\twork' "$tmp/fb.tsv"
check "  gzipped (.json.gz): the same table" cmp -s "$tmp/fb.tsv" "$tmp/fbgz.tsv"
check "--nodecount limits rows" test "$("$smolder" top --nodecount 3 --format tsv "$ex/cpuwork-cpu.pb.gz" | wc -l)" -eq 4
check "pprof's single-dash spelling works" bash -c "'$smolder' top -nodecount=2 -sample_index=alloc_space '$ex/heapwork-heap.pb.gz' | grep -q 'Type: alloc_space'"
check "the default sample type is pprof's (heap: inuse_space)" bash -c "'$smolder' top '$ex/heapwork-heap.pb.gz' | grep -q 'Type: inuse_space'"

# usagecheck DESCRIPTION PATTERN ARGS...: `smolder ARGS` is refused as a usage error:
# status 2 and exactly one line on stderr matching PATTERN (no usage dump)
usagecheck() {
  local d=$1 pat=$2; shift 2
  "$smolder" "$@" > "$tmp/out" 2> "$tmp/err"
  local rc=$?
  if [ "$rc" -eq 2 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -qE -- "$pat" "$tmp/err" && [ ! -s "$tmp/out" ]; then
    echo "ok   - $d"; pass=$((pass + 1))
  else
    echo "FAIL - $d (status $rc): $(head -3 "$tmp/err")"; fail=$((fail + 1))
  fi
}

# pprof's single-dash words are long options, never clusters of short ones: -flat is not
# "-f lat", -inuse_space not "-i nuse_space", -http not "-h"
cpu=$ex/cpuwork-cpu.pb.gz heap=$ex/heapwork-heap.pb.gz
check "-flat is pprof's default order" bash -c "'$smolder' top -flat --format tsv '$cpu' | cmp -s - <('$smolder' top --format tsv '$cpu')"
check "-cum (and --cum) sorts by cumulative" bash -c "'$smolder' top -cum --format tsv '$cpu' | awk -F'\t' 'NR>1 { if (NR>2 && \$4 > prev) exit 1; prev=\$4 }' && '$smolder' top --cum -n 1 --format tsv '$cpu' | grep -q 'main.main\|runtime.main\|main.worker'"
# pprof refuses -cum with -flat ("conflicting options set: [cum flat]"), in either order;
# one of them twice is fine
usagecheck "top --cum --flat: conflicting sort orders, one line" "^smolder top: --cum and --flat are two sort orders: pick one" top --cum --flat "$cpu"
usagecheck "top -flat -cum (pprof's spelling, the other order): refused too" "^smolder top: --cum and --flat are two sort orders" top -flat -cum "$cpu"
check "top -cum -cum sorts by cumulative, as pprof takes it" bash -c "'$smolder' top -cum -cum --format tsv '$cpu' | cmp -s - <('$smolder' top -cum --format tsv '$cpu')"
# a boolean option's value, as pprof's flags (Go's flag package) take one: true and false in
# strconv.ParseBool's spellings, the last word for an option wins (go tool pprof -top -cum
# -cum=false is its flat order); another value is refused in one line
top_same() {  # top_same "ARGS A" "ARGS B": smolder top's tsv is the same for both
  cmp -s <("$smolder" top $1 --format tsv "$cpu") <("$smolder" top $2 --format tsv "$cpu")
}
for w in -cum=true --cum=true -cum=T -cum=1 "-cum=FALSE -cum"; do
  check "top $w is -cum" top_same "$w" -cum
done
for w in -cum=false -cum=0 "-cum -cum=false" "-cum=true -cum=f" "-flat=1 -cum=0"; do
  check "top $w is pprof's flat order" top_same "$w" -flat
done
check "top -lines=true is --lines" top_same -lines=true --lines
check "top -lines=False is the default" top_same -lines=False ""
check "  (and the two differ)" bash -c "! cmp -s <('$smolder' top --lines '$cpu') <('$smolder' top '$cpu')"
usagecheck "top -cum=yes: a boolean takes true or false, one line" "^smolder top: '-cum=yes': -cum takes true or false \(see smolder top --help\)" top -cum=yes "$cpu"
usagecheck "top -flat -cum=true: still two sort orders" "^smolder top: --cum and --flat are two sort orders" top -flat -cum=true "$cpu"
# the type of a difference when none is asked for is pprof's: its -diff_base merges the two
# headers (the first default_sample_type named, the new profile's, then the base's); a Go
# heap profile names none, an allocs profile alloc_space (go tool pprof -top -diff_base
# heapwork-allocs.pb.gz heapwork-heap.pb.gz: "Type: alloc_space", 2136496566 B, 1.99 GiB)
allocs=$ex/heapwork-allocs.pb.gz
check "diff ALLOCS HEAP shows alloc_space, the base's default, as pprof does" bash -c "'$smolder' diff '$allocs' '$heap' --format text | grep -qx 'Type: alloc_space' && '$smolder' diff '$allocs' '$heap' --format text | grep -q '^Base: .*(1.99 GiB total)'"
check "diff HEAP ALLOCS: the new profile's own default" bash -c "'$smolder' diff '$heap' '$allocs' --format text | grep -qx 'Type: alloc_space'"
check "diff HEAP HEAP: neither names one, the last type" bash -c "'$smolder' diff '$heap' '$heap' --format text | grep -qx 'Type: inuse_space'"
check "diff -i inuse_space ALLOCS HEAP: the one asked for" bash -c "'$smolder' diff -i inuse_space '$allocs' '$heap' --format text | grep -qx 'Type: inuse_space'"
check "top HEAP --diff-base ALLOCS: alloc_space and pprof's total" bash -c "'$smolder' top '$heap' --diff-base '$allocs' | grep -qx 'Type: alloc_space' && '$smolder' top '$heap' --diff-base '$allocs' | grep -q 'of 1.99 GiB total'"
check "top -inuse_space HEAP --diff-base ALLOCS: the one asked for" bash -c "'$smolder' top -inuse_space '$heap' --diff-base '$allocs' | grep -qx 'Type: inuse_space'"
for s in inuse_space inuse_objects alloc_space alloc_objects; do
  check "-$s is --sample-index $s (pprof's shorthand)" bash -c "'$smolder' top -$s '$heap' | cmp -s - <('$smolder' top --sample-index $s '$heap')"
done
check "-contentions and -total_delay pick the contention profile's types" bash -c "'$smolder' top -contentions '$ex/contention-mutex.pb.gz' | grep -q '^Type: contentions' && '$smolder' top -total_delay '$ex/contention-mutex.pb.gz' | grep -q '^Type: delay'"
check "-show=RE keeps pprof's rows" bash -c "'$smolder' top -show=json '$cpu' | grep -q 'encoding/json\\.' && ! '$smolder' top -show=json '$cpu' | grep -q 'main\\.'"
check "a filter that matches nothing says so, as pprof does" bash -c "'$smolder' top --focus=zzzz --tagfocus=k=v '$cpu' 2>&1 >/dev/null | tr '\\n' ' ' | grep -qx 'smolder: --focus matched no samples smolder: --tagfocus matched no samples '"
check "a tag filter read as a numeric range says so, as pprof does" bash -c "'$smolder' top --tagfocus=bytes=1kb:4kb --tagignore=zzz '$heap' 2>&1 >/dev/null | grep -qx \"smolder: --tagfocus: interpreted '1kb:4kb' as a range, not a regex\""
for o in -nodefraction=0.1 -edgefraction=0.1 -noinlines -normalize -filefunctions -addresses -unit=ms -mean -mean_delay -http=:8080 -tagshow=json -alloc_space=x; do
  case $o in -alloc_space=x) pat="'-alloc_space=x': -alloc_space takes true or false" ;; *) pat="pprof's ${o%%=*} is not supported" ;; esac
  usagecheck "top $o: one line naming it" "^smolder top: ($pat)" top $o "$cpu"
done
usagecheck "an unknown single-dash word: one line, not a usage dump" "^smolder top: unknown option '-bogus' \(see smolder top --help\)" top -bogus "$cpu"
usagecheck "an unknown --option: one line" "^smolder top: unknown option '--bogus'" top --bogus "$cpu"
usagecheck "a missing value: one line" "^smolder export: a value is missing after '-o'" export "$cpu" -o
for verb in view diff peek list export; do
  usagecheck "$verb -flat-ish words are refused in one line too" "^smolder $verb: (unknown option '-fla'|pprof's -http is not supported)" $verb -fla "$cpu" "$cpu"
  usagecheck "$verb -http=:8080" "^smolder $verb: pprof's -http is not supported" $verb -http=:8080 "$cpu" "$cpu"
done
check "-n10 (a short option with its number attached) still works" \
  test "$("$smolder" top -n3 --format tsv "$cpu" | wc -l)" -eq 4

# smolder diff: the table when not on a terminal
"$smolder" diff "$ex/cpuwork-cpu.pb.gz" "$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz" > "$tmp/diff.txt"
check "diff prints the table when piped, biggest increase first" bash -c "sed -n 6p '$tmp/diff.txt' | grep -qE '1\.55 s +16\.8% +4\.61 s +38\.7% +\+21\.90  main\.scoreRecords'"
check "diff names both sides" bash -c "head -2 '$tmp/diff.txt' | grep -q 'Base: .*cpuwork-cpu.pb.gz (9.24 s total)'"
check "diff --absolute --format tsv: new - base in exact integers" bash -c "'$smolder' diff --absolute --format tsv '$ex/cpuwork-cpu.pb.gz' '$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz' | grep -qP '^1550000000\t1550000000\t4600000000\t4610000000\t.*\+33\.1169\tmain\.scoreRecords$'"
check "diff takes filters for both sides" bash -c "'$smolder' diff --focus hashRecords --format tsv '$ex/cpuwork-cpu.pb.gz' '$ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz' | awk -F'\t' 'NR>1 && \$8 == \"main.scoreRecords\"' | wc -l | grep -qx 0"
check "--collapse-recursion keeps totals" bash -c "[ \"\$('$smolder' top --collapse-recursion --format tsv '$ex/cpuwork-cpu.pb.gz' | sed -n 2p)\" = \"\$('$smolder' top --format tsv '$ex/cpuwork-cpu.pb.gz' | sed -n 2p)\" ]"

# a sample type named with escape sequences (colour, OSC 52 clipboard write): every verb
# prints it escaped
cat > "$tmp/mkprof.py" <<'EOF'
import sys
def varint(n):
    out = b""
    while True:
        b = n & 0x7f; n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n: return out
def field(no, data):  # a length-delimited field
    return varint(no << 3 | 2) + varint(len(data)) + data
def num(no, n):
    return varint(no << 3) + varint(n)
# argv: OUTPUT [SAMPLE-TYPE [dup]]; dup: a second sample type of the same name (bytes),
# which default_sample_type names too, with the values 5000 and 3000
strs = [b"", sys.argv[2].encode() if len(sys.argv) > 2 else b"\x1b[31mcpu\x1b]52;c;aGk=\x07",
        b"count", b"main.\x1b[2Jwork", b"bytes"]
dup = len(sys.argv) > 3
p = field(1, num(1, 1) + num(2, 2))                    # sample_type
if dup:
    p += field(1, num(1, 1) + num(2, 4)) + num(14, 1)  # the same name; default_sample_type
p += field(2, field(1, varint(1)) + field(2, varint(5) + (varint(5000) if dup else b"")))
p += field(4, num(1, 1) + field(4, num(1, 1)))         # location 1 → function 1
p += field(5, num(1, 1) + num(2, 3))                   # function 1: name
# and a function without a name (pprof shows it as <unknown>)
p += field(2, field(1, varint(2)) + field(2, varint(3) + (varint(3000) if dup else b"")))
p += field(4, num(1, 2) + field(4, num(1, 2)))
p += field(5, num(1, 2))
for s in strs:
    p += field(6, s)
open(sys.argv[1], "wb").write(p)
EOF
python3 "$tmp/mkprof.py" "$tmp/ctrltype.pb"
safe() { ! LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$@"; }
"$smolder" top "$tmp/ctrltype.pb" > "$tmp/ctrl.out" 2>&1
"$smolder" diff "$tmp/ctrltype.pb" "$tmp/ctrltype.pb" >> "$tmp/ctrl.out" 2>&1
"$smolder" top -i nosuch "$tmp/ctrltype.pb" >> "$tmp/ctrl.out" 2>&1
"$smolder" peek work "$tmp/ctrltype.pb" >> "$tmp/ctrl.out" 2>&1
check "escape sequences in a sample type and a name: printed escaped by top, diff, peek and errors" \
  bash -c "[ \$(grep -c 'x1b\[31mcpu' '$tmp/ctrl.out') -ge 3 ] && grep -q 'x1b\[2Jwork' '$tmp/ctrl.out' && $(declare -f safe); safe '$tmp/ctrl.out'"
# the user's own REGEX, echoed by list and peek when nothing matches (list printed it raw)
"$smolder" list $'zz\e]0;owned\a' "$ex/cpuwork-cpu.pb.gz" > "$tmp/re.out" 2>&1
"$smolder" peek $'zz\e]0;owned\a' "$ex/cpuwork-cpu.pb.gz" >> "$tmp/re.out" 2>&1
check "list and peek echo a REGEX with escape sequences escaped" \
  bash -c "[ \$(grep -c 'zz.x1b\]0;owned.x07' '$tmp/re.out') -eq 2 ] && $(declare -f safe); safe '$tmp/re.out'"
# ... and so do ingest (the file, --service, the types) and the store's errors (the types
# of a selector that has several)
"$smolder" ingest --db "$tmp/evil.db" --service $'evil\e[2J' "$tmp/ctrltype.pb" "$ex/cpuwork-cpu.pb.gz" > "$tmp/ingest.out" 2>&1
"$smolder" top --db "$tmp/evil.db" --from 0 --query '{}' >> "$tmp/ingest.out" 2>&1
check "ingest and 'profile types match ... pick one' print types and services escaped" \
  bash -c "grep -q 'service_name=evil.x1b.2J at .*x1b\[31mcpu' '$tmp/ingest.out' && grep -q 'profile types match.*x1b\[31mcpu' '$tmp/ingest.out' && $(declare -f safe); safe '$tmp/ingest.out'"
# export -o - on a terminal (script(1) makes one): text escaped, binary refused (curl's rule)
printf 'main;ev\x1b]0;PWNED\x07il 10\nmain;\x1b[2J\x1b[Hb 5\n' > "$tmp/esc.folded"
script -qec "'$smolder' export '$tmp/esc.folded' --format folded -o -" /dev/null | tr -d '\r' > "$tmp/tty.out"
check "export --format folded -o - on a terminal escapes control characters" \
  bash -c "grep -qF 'main;ev\x1b]0;PWNED\x07il 10' '$tmp/tty.out' && $(declare -f safe); safe '$tmp/tty.out'"
script -qec "'$smolder' export '$tmp/esc.folded' -o -" /dev/null | tr -d '\r' > "$tmp/tty.out"
check "export --format pprof -o - on a terminal is refused in one line (use -o FILE)" \
  bash -c "[ \$(wc -l < '$tmp/tty.out') -eq 1 ] && grep -q 'binary.*use -o FILE' '$tmp/tty.out'"
check "export --format folded -o - into a pipe stays byte for byte" \
  bash -c "'$smolder' export '$tmp/esc.folded' --format folded -o - | grep -qF \$'main;ev\x1b]0;PWNED\x07il 10'"
# a message that quotes err_last() (a file's, a server's or the user's text) takes
# cmd_errorf's path in every verb: on a terminal whose locale is not UTF-8 it is ASCII,
# '?' for an é, as the rest of the messages (serve, upload, demo and ingest printed the
# UTF-8 bytes), and into a pipe it stays UTF-8
e=$(printf '\xc3\xa9')
: > "$tmp/afile"
# ttyc DESCRIPTION EXPECTED ARGS...: `smolder ARGS` on a terminal (script(1)) in the C
# locale prints a line holding EXPECTED (fixed text) and no byte past ASCII
ttyc() {
  local d=$1 want=$2; shift 2
  printf 'exec env LC_ALL=C LANG=C' > "$tmp/ttyc.sh"
  printf ' %q' "$smolder" "$@" >> "$tmp/ttyc.sh"
  script -qec "bash '$tmp/ttyc.sh'" /dev/null < /dev/null | tr -d '\r' > "$tmp/ttyc.out"
  if grep -qF -- "$want" "$tmp/ttyc.out" && ! LC_ALL=C grep -qP '[\x80-\xff]' "$tmp/ttyc.out"; then
    echo "ok   - $d"; pass=$((pass + 1))
  else
    echo "FAIL - $d: $(head -3 "$tmp/ttyc.out" | cat -v)"; fail=$((fail + 1))
  fi
}
ttyc "serve: a bad --retention, quoted in ASCII on a C-locale terminal" \
  "smolder serve: --retention: bad duration 'x?'" serve --retention "x$e"
ttyc "upload: a missing file's name in ASCII too" \
  "smolder upload: cannot open '$tmp/nofile?.pb'" upload --url http://127.0.0.1:1 "$tmp/nofile$e.pb"
ttyc "upload: the server's failure line (here: cannot reach) in ASCII too" \
  "smolder upload: cannot reach http://127.0.0.1:1/?: " upload --url "http://127.0.0.1:1/$e" "$ex/cpuwork-cpu.pb.gz"
ttyc "demo: a --db it cannot make, in ASCII too" \
  "smolder demo: cannot create directory '$tmp/afile/?'" demo --db "$tmp/afile/$e/x.db"
ttyc "ingest: a refused --extra-labels, in ASCII too" \
  "smolder ingest: --extra-labels: names starting with __ are reserved ('__?')" \
  ingest --db "$tmp/i8.db" --extra-labels "__$e=1" "$ex/cpuwork-cpu.pb.gz"
check "the same message into a pipe keeps its UTF-8 whatever the locale" \
  bash -c "LC_ALL=C LANG=C '$smolder' serve --retention 'x$e' 2>&1 | grep -qF \"bad duration 'x$e'\""
check "a function without a name is <unknown>, as in pprof" \
  bash -c "'$smolder' top '$tmp/ctrltype.pb' | grep -qE '^ +3 +37\.5% .*  <unknown>\$'"
# pprof's sample_index rules: 0 rows is all of them; inuse_space names a "space" type
check "-nodecount=0 shows every row, as pprof" \
  test "$("$smolder" top -nodecount=0 "$ex/cpuwork-cpu.pb.gz" | wc -l)" -eq "$("$smolder" top "$ex/cpuwork-cpu.pb.gz" | wc -l)"
check "-nodecount=-5 shows every row too (pprof truncates only at a positive count)" \
  test "$("$smolder" top -nodecount=-5 "$ex/cpuwork-cpu.pb.gz" | wc -l)" -eq "$("$smolder" top "$ex/cpuwork-cpu.pb.gz" | wc -l)"
usagecheck "--nodecount past a long: refused, not saturated" "^smolder top: --nodecount wants a number, not '99999999999999999999'" \
  top --nodecount 99999999999999999999 "$ex/cpuwork-cpu.pb.gz"
usagecheck "--nodecount with a leading blank: refused, as Go's flag package" "^smolder top: --nodecount wants a number, not ' 3'" \
  top --nodecount ' 3' "$ex/cpuwork-cpu.pb.gz"
# pprof reads -nodecount with strconv.ParseInt(s, 0, ...): 010 is octal, 0x3 hex, 1_0 ten
check "--nodecount 010 / 0x3 / 1_0: 8, 3 and 10 rows, as pprof" bash -c "
  [ \$('$smolder' top --nodecount 010 --format tsv '$ex/cpuwork-cpu.pb.gz' | wc -l) -eq 9 ] &&
  [ \$('$smolder' top --nodecount 0x3 --format tsv '$ex/cpuwork-cpu.pb.gz' | wc -l) -eq 4 ] &&
  [ \$('$smolder' top --nodecount 1_0 --format tsv '$ex/cpuwork-cpu.pb.gz' | wc -l) -eq 11 ]"
python3 "$tmp/mkprof.py" "$tmp/dup.pb" x dup
check "of two sample types named as default_sample_type, the first is the default (pprof)" \
  bash -c "'$smolder' top '$tmp/dup.pb' | grep -qE '^ +5 +62\.5% '"
python3 "$tmp/mkprof.py" "$tmp/space.pb" space
check "-sample_index=inuse_space finds a type named space (pprof strips inuse_)" \
  bash -c "'$smolder' top -sample_index=inuse_space '$tmp/space.pb' | grep -q 'Type: space'"

# bad input: one line on stderr naming the file, exit status 1
head -c 1000 "$ex/cpuwork-cpu.pb.gz" > "$tmp/truncated.pb.gz"
head -c 5000 /dev/urandom > "$tmp/random.bin"
: > "$tmp/empty"
printf 'main;work notanumber\n' > "$tmp/bad.folded"
errcheck "missing file" "cannot open '$tmp/nope': No such file" top "$tmp/nope"
errcheck "truncated gzip" "'$tmp/truncated.pb.gz': corrupt gzip data" top "$tmp/truncated.pb.gz"
errcheck "random bytes" "'$tmp/random.bin': " top "$tmp/random.bin"
errcheck "empty file" "'$tmp/empty': empty input" top "$tmp/empty"
errcheck "bad folded line" "'$tmp/bad.folded': line 1: 'notanumber' is not a sample count" top "$tmp/bad.folded"
errcheck "unknown sample index" "unknown sample index 'nope'; this profile has: samples cpu" top --sample-index nope "$ex/cpuwork-cpu.pb.gz"
# pprof reads an index with Go's strconv.Atoi, then a name: ' 1' and '1 ' are names it
# refuses ("sample_index \" 1\" must be one of: [...]"), where strtol took ' 1' for 1
heaptypes="this profile has: alloc_objects alloc_space inuse_objects inuse_space$"
for si in ' 1' '1 ' '1x' '0x1'; do
  errcheck "--sample-index '$si' is a name, refused as pprof does" "^smolder: unknown sample index '$si'; $heaptypes" \
    top --sample-index "$si" "$ex/heapwork-heap.pb.gz"
done
errcheck "--sample-index TAB1: refused too, the tab escaped" "^smolder: unknown sample index '\\\\x091'; $heaptypes" \
  top --sample-index $'\t1' "$ex/heapwork-heap.pb.gz"
errcheck "peek -sample_index=' 1' too (every verb resolves it alike)" "^smolder: unknown sample index ' 1'; $heaptypes" \
  peek -sample_index=' 1' main "$ex/heapwork-heap.pb.gz"
check "--sample-index +1 and 01 are index 1 (alloc_space), as Atoi reads them" bash -c "
  '$smolder' top -i +1 '$ex/heapwork-heap.pb.gz' | grep -q '^Type: alloc_space' &&
  '$smolder' top -i 01 '$ex/heapwork-heap.pb.gz' | grep -q '^Type: alloc_space'"
errcheck "view refuses a non-terminal" "needs a terminal" view "$ex/cpuwork-cpu.pb.gz"
# upload says the same, each file named once ("'F': 'F': line 1", a gzip error without F),
# and its options are refused in one line, as every verb's (it printed getopt's line and
# the whole help); --ca-cert is the other verbs' name of its --cacert
noserver=http://127.0.0.1:1
errcheck "upload: a truncated gzip, named" "^smolder upload: '$tmp/truncated.pb.gz': corrupt gzip data" upload --url $noserver "$tmp/truncated.pb.gz"
errcheck "upload: a bad folded line, the file named once" "^smolder upload: '$tmp/bad.folded': line 1: 'notanumber' is not a sample count$" upload --url $noserver "$tmp/bad.folded"
usagecheck "upload: an unknown option, one line" "^smolder upload: unknown option '--bogus'" upload --bogus "$ex/cpuwork-cpu.pb.gz"
usagecheck "upload: a missing value, one line" "^smolder upload: a value is missing after '--url'" upload "$ex/cpuwork-cpu.pb.gz" --url
# files smolder does not read are named as every verb names them (decode_profile): a JFR
# recording, taken for pprof by detection, said "invalid wire type 6 at byte 0"
td=$(cd "$ex/../../shared/testdata" && pwd)
for j in "$td"/pyroscope/grafana-pyroscope/pkg/og/convert/jfr/testdata/*.jfr.gz; do
  errcheck "upload: a JFR recording is named one ($(basename "$j"))" \
    "^smolder upload: '$j': JFR \\(Java Flight Recorder\\) recordings are not read; convert to pprof first" \
    upload --url $noserver "$j"
done
errcheck "upload: a saved multipart body is named one" \
  "^smolder upload: '.*/req-001-heap\.body': a multipart/form-data body" \
  upload --url $noserver "$td/pyroscope-nodejs/legacy-0.4.13-multipart/req-001-heap.body"
errcheck "upload takes --ca-cert" "^smolder upload: cannot reach $noserver" upload --ca-cert "$tmp/empty" --url $noserver "$ex/cpuwork-cpu.pb.gz"

# export: folded stacks re-read by smolder give the same table; pprof round-trips
"$smolder" export --format folded -i alloc_space "$ex/heapwork-heap.pb.gz" -o "$tmp/heap.folded"
"$smolder" top --format tsv -i alloc_space "$ex/heapwork-heap.pb.gz" > "$tmp/a.tsv"
"$smolder" top --format tsv "$tmp/heap.folded" > "$tmp/b.tsv"
check "folded export re-read gives identical totals and rows" cmp -s "$tmp/a.tsv" "$tmp/b.tsv"
"$smolder" export "$ex/heapwork-heap.pb.gz" -o - | "$smolder" top --format tsv - > "$tmp/c.tsv"
"$smolder" top --format tsv "$ex/heapwork-heap.pb.gz" > "$tmp/d.tsv"
check "pprof export to stdout reads back identically" cmp -s "$tmp/c.tsv" "$tmp/d.tsv"
errcheck "export to a directory that does not exist" "cannot create '/nonexistent/x.pb.gz'" export "$ex/cpuwork-cpu.pb.gz" -o /nonexistent/x.pb.gz
check "export refuses an unknown format" bash -c "'$smolder' export --format nope '$ex/cpuwork-cpu.pb.gz' -o /dev/null 2>&1 | grep -q 'is pprof, folded, speedscope or svg, not .nope.'"
errcheck "diff refuses profiles of different kinds" "cannot compare .*heapwork-heap.pb.gz with .*cpuwork-cpu.pb.gz: the base profile has" diff "$ex/heapwork-heap.pb.gz" "$ex/cpuwork-cpu.pb.gz"

# exports read back by smolder's own decoders: the same table
for f in cpuwork-cpu heapwork-heap; do
  "$smolder" top --format tsv "$ex/$f.pb.gz" > "$tmp/orig.tsv"
  "$smolder" export --format speedscope "$ex/$f.pb.gz" -o "$tmp/rt.json"
  "$smolder" top --format tsv "$tmp/rt.json" > "$tmp/rt.tsv"
  check "speedscope export of $f re-read gives the same rows" cmp -s "$tmp/orig.tsv" "$tmp/rt.tsv"
done

# top --diff-base with an empty base (sample types and period type, no samples):
# percentages of the difference's own total, as pprof's computeTotal (the base's total
# is 0); without the period type pprof refuses the pair, and so does smolder
printf '\x0a\x04\x08\x01\x10\x02\x0a\x04\x08\x03\x10\x04\x32\x00\x32\x07samples\x32\x05count\x32\x03cpu\x32\x0bnanoseconds' > "$tmp/empty-cpu.pb"
printf '\x5a\x04\x08\x03\x10\x04' | cat "$tmp/empty-cpu.pb" - > "$tmp/empty-cpu-period.pb"
"$smolder" top --diff-base "$tmp/empty-cpu-period.pb" "$ex/cpuwork-cpu.pb.gz" > "$tmp/eb.out" 2>&1
check "top --diff-base EMPTY: of the difference's total, as pprof" \
  bash -c "grep -q '100% of 9.24 s total' '$tmp/eb.out' && grep -qE '^ +1.55 s +16.8% .*main.scoreRecords' '$tmp/eb.out'"
check "top --diff-base EMPTY without a period type: refused, as pprof refuses it" \
  bash -c "! '$smolder' top --diff-base '$tmp/empty-cpu.pb' '$ex/cpuwork-cpu.pb.gz' > /dev/null 2> '$tmp/eb.err' && grep -q 'period type differs' '$tmp/eb.err'"

# a profile that cannot be loaded ends top at once: a --diff-base that is no URL is not
# read after it (a FIFO with no writer would block it)
mkfifo "$tmp/nobase.fifo"
timeout 10 "$smolder" top --diff-base "$tmp/nobase.fifo" "$tmp/no-such.pb.gz" > /dev/null 2> "$tmp/err"; nrc=$?
check "top --diff-base FILE with a missing profile: one error, the base never read" \
  bash -c "[ $nrc -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q 'no-such.pb.gz' '$tmp/err'"

# output that cannot be written is an error (status 1, one line), whatever the verb
for args in "top $ex/cpuwork-cpu.pb.gz" "peek main $ex/cpuwork-cpu.pb.gz" \
    "diff $ex/cpuwork-cpu.pb.gz $ex/cpuwork-cpu-after-scoreRecords-3x.pb.gz" "--help" "top --help" \
    "view --help" "list --help"; do
  $smolder $args > /dev/full 2> "$tmp/err"; rc=$?
  check "smolder $(echo "$args" | sed "s|$ex/||g") > /dev/full: status 1, one line" \
    bash -c "[ $rc -eq 1 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -qx 'smolder: cannot write standard output: No space left on device' '$tmp/err'"
done
check "a reader that stops early (head) gets no error message" \
  bash -c "'$smolder' top '$ex/cpuwork-cpu.pb.gz' 2> '$tmp/err' | head -1 > /dev/null; [ ! -s '$tmp/err' ]"

# a server that accepts and never answers: --timeout (pprof's -timeout), else pprof's
# default (?seconds=N plus half), ends the wait with one line
python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16); print(s.getsockname()[1], flush=True)
c = []
while True: c.append(s.accept()[0])' > "$tmp/silent.port" &
silent_pid=$!
for _ in $(seq 100); do [ -s "$tmp/silent.port" ] && break; sleep 0.05; done
silent=http://127.0.0.1:$(cat "$tmp/silent.port")
timed() { local t0=$(date +%s%N); "$@"; echo $(( ($(date +%s%N) - t0) / 1000000 )) > "$tmp/ms"; }
timed errcheck "--timeout 1 on a silent server: one line" "'$silent/x': timed out after 1 s \(--timeout SECONDS" top --timeout 1 "$silent/x"
check "... within about a second ($(cat "$tmp/ms") ms)" test "$(cat "$tmp/ms")" -lt 4000
# one side that cannot be loaded ends diff and top --diff-base at once: the base URL's
# fetch (on a thread of its own) is stopped, not waited for until its --timeout
timed errcheck "diff URL MISSING: the missing side's error, one line" "cannot open '$tmp/nope'" diff --timeout 20 --format text "$silent/base" "$tmp/nope"
check "... and it ends at once, not at the base's timeout ($(cat "$tmp/ms") ms)" test "$(cat "$tmp/ms")" -lt 3000
timed errcheck "top --diff-base URL MISSING: the same" "cannot open '$tmp/nope'" top --timeout 20 --diff-base "$silent/base" "$tmp/nope"
check "... at once too ($(cat "$tmp/ms") ms)" test "$(cat "$tmp/ms")" -lt 3000
# Ctrl-C while diff waits for its base URL (the other side loaded) reaches that fetch
t0=$(date +%s%N)
"$smolder" diff --timeout 20 --format text "$silent/base" "$cpu" > /dev/null 2> "$tmp/err" &
intpid=$!
sleep 0.5
kill -INT "$intpid"
wait "$intpid"; irc=$?
ims=$(( ($(date +%s%N) - t0) / 1000000 ))
check "Ctrl-C while diff waits for a base URL: it stops at once, one line ($ims ms)" \
  bash -c "[ $irc -eq 1 ] && [ $ims -lt 3000 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q \"'$silent/base': cancelled\" '$tmp/err'"
# SIGTERM (timeout(1), a service manager) cancels as Ctrl-C does: one line, status 1, and
# the export leaves no file behind (it killed the process, which left temporary files)
mkdir -p "$tmp/termout"
t0=$(date +%s%N)
"$smolder" export --timeout 20 -o "$tmp/termout/out.pb.gz" "$silent/base" > /dev/null 2> "$tmp/err" &
intpid=$!
sleep 0.5
kill -TERM "$intpid"
wait "$intpid"; irc=$?
ims=$(( ($(date +%s%N) - t0) / 1000000 ))
check "SIGTERM while export waits for a URL: cancelled at once, one line, no file ($ims ms)" \
  bash -c "[ $irc -eq 1 ] && [ $ims -lt 3000 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q \"'$silent/base': cancelled\" '$tmp/err' && [ -z \"\$(ls -A '$tmp/termout')\" ]"
timed errcheck "without --timeout, ?seconds=2 waits 2 s plus half (pprof's rule)" "timed out after 3 s" top "$silent/profile?seconds=2"
check "... about 3 s ($(cat "$tmp/ms") ms)" test "$(cat "$tmp/ms")" -ge 2900 -a "$(cat "$tmp/ms")" -lt 6000
timed errcheck "?seconds=1 waits 1.5 s, not 1 (N plus half in milliseconds)" "timed out after 1.5 s" top "$silent/profile?seconds=1"
check "... about 1.5 s ($(cat "$tmp/ms") ms)" test "$(cat "$tmp/ms")" -ge 1450 -a "$(cat "$tmp/ms")" -lt 4000
timed errcheck "--timeout applies to --url too" "timed out" query types --url "$silent" --timeout 1
check "... within about a second ($(cat "$tmp/ms") ms)" test "$(cat "$tmp/ms")" -lt 4000
check "--timeout wants seconds (status 2, one line)" bash -c "'$smolder' top --timeout 0s '$ex/cpuwork-cpu.pb.gz' 2> '$tmp/err'; [ \$? -eq 2 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q 'timeout wants a number of seconds' '$tmp/err'"

# --seconds N (pprof's -seconds, its adjustURL): an http(s) URL is fetched with
# seconds=N, one already there replaced, for every verb that reads a profile from a URL.
# The stand-in serves the cpuwork file (what a net/http/pprof endpoint sends) and records
# each request's path
cat > "$tmp/rec.py" <<'EOF'
import http.server, sys
body = open(sys.argv[1], "rb").read()
log = open(sys.argv[2], "a")
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        log.write(self.path + "\n"); log.flush()
        if self.path.startswith("/pyspy"):  # py-spy's folded text, called text/html
            page = b"<module> (app.py:1);main (app.py:3) 5\n<module> (app.py:1) 2\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return
        if self.path.startswith(("/login", "/page")):  # a sign-in page; /page says octet-stream
            page = b"\n  <!DOCTYPE html>\n<html><title>Sign in</title></html>\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8" if
                             self.path.startswith("/login") else "application/octet-stream")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return
        if self.path.startswith("/slow"):  # net/http/pprof: answers after ?seconds=N
            import time, urllib.parse
            q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
            time.sleep(int(q.get("seconds", ["0"])[0]))
        self.send_response(200)
        # /profhtml: a static file server calling the profile text/html
        self.send_header("Content-Type", "text/html; charset=utf-8" if
                         self.path.startswith("/profhtml") else "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):  # a Pyroscope server's push route: /big answers 2 MiB, /login a page
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        log.write("POST " + self.path + "\n"); log.flush()
        # an empty PushResponse, as Pyroscope answers a proto request
        reply = b"\0" * (2 << 20) if self.path.startswith("/big/") else b""
        ctype = "application/proto"
        if self.path.startswith("/login/"):  # an SSO proxy's sign-in page
            reply, ctype = b"<!doctype html><title>Sign in</title>", "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
: > "$tmp/paths"
python3 "$tmp/rec.py" "$cpu" "$tmp/paths" > "$tmp/rec.port" &
rec_pid=$!
for _ in $(seq 100); do [ -s "$tmp/rec.port" ] && break; sleep 0.05; done
rec=http://127.0.0.1:$(cat "$tmp/rec.port")
"$smolder" top --format tsv --seconds 5 "$rec/debug/pprof/profile" > "$tmp/sec.tsv" 2>&1
check "top --seconds 5 URL: the request asks for seconds=5" \
  test "$(tail -1 "$tmp/paths")" = "/debug/pprof/profile?seconds=5"
check "  and the table is the file's" cmp -s "$tmp/sec.tsv" "$tmp/file.tsv"
"$smolder" top --format tsv -seconds=7 "$rec/debug/pprof/profile?seconds=30&debug=0" > "$tmp/sec.tsv" 2>&1
check "pprof's -seconds=7 replaces the URL's seconds=30, the rest of the query kept" \
  test "$(tail -1 "$tmp/paths")" = "/debug/pprof/profile?seconds=7&debug=0"
check "  and the table is the file's" cmp -s "$tmp/sec.tsv" "$tmp/file.tsv"
: > "$tmp/paths"
"$smolder" diff --seconds 4 --format tsv "$rec/base" "$rec/new" > /dev/null 2>&1
"$smolder" top --seconds 4 --diff-base "$rec/dbase" "$cpu" > /dev/null 2>&1
"$smolder" view --seconds 4 --base "$rec/vbase" "$rec/view" > /dev/null 2>&1  # then: no terminal
"$smolder" peek --seconds 4 main "$rec/peek" > /dev/null 2>&1
"$smolder" list --seconds 4 --format tsv 'main\.scoreRecords' "$rec/list" > /dev/null 2>&1
"$smolder" export --seconds 4 -o "$tmp/sec.pb.gz" "$rec/export" > /dev/null 2>&1
"$smolder" ingest --db "$tmp/sec.db" --seconds 4 "$rec/ingest" > /dev/null 2>&1
check "diff (both sides), top --diff-base, view --base, peek, list, export, ingest ask for seconds=4" \
  test "$(sort "$tmp/paths" | tr '\n' ' ')" = "/base?seconds=4 /dbase?seconds=4 /export?seconds=4 /ingest?seconds=4 /list?seconds=4 /new?seconds=4 /peek?seconds=4 /vbase?seconds=4 /view?seconds=4 "
# anything but a URL: refused in one line (pprof's flag has nothing to act on there)
for args in "top $cpu" "top --db $tmp/sec.db" "top --url $rec" "diff $cpu $cpu" "peek main $cpu" \
    "list main $cpu" "export -o $tmp/x.pb.gz $cpu" "ingest --db $tmp/sec.db $cpu" "view -"; do
  verb=${args%% *}
  usagecheck "$verb --seconds 5 without a URL source ($(echo "${args#* }" | sed "s|$ex/||g; s|$tmp/||g")): one line" \
    "^smolder $verb: --seconds applies to an http\(s\) profile URL, not to a file" $verb --seconds 5 ${args#* }
done
for n in 0 -3 5s 1.5 abc ' 5' 604801; do
  usagecheck "--seconds '$n' is refused in one line" "^smolder: --seconds wants a number of seconds \(1 to 604800\), not '$n'" top --seconds "$n" "$rec/x"
done
check "a refused --seconds fetched nothing" test "$(grep -c . "$tmp/paths")" -eq 9
# upload: an answer past 1 MiB (a proxy's, a server's) is read, its first MiB kept: the
# status decides (it aborted the transfer, and a stored push was reported as failed)
"$smolder" upload --url "$rec/big" "$cpu" > "$tmp/up.out" 2> "$tmp/up.err"; urc=$?
check "upload: a 200 with a 2 MiB answer is an upload (status $urc, 'uploaded as')" \
  bash -c "[ $urc -eq 0 ] && [ ! -s '$tmp/up.err' ] && grep -q 'uploaded as' '$tmp/up.out' && [ \$(grep -c '^POST /big/push.v1.PusherService/Push\$' '$tmp/paths') -eq 1 ]"
# a 200 that is not the push API's (a login page): refused in one line, nothing said
# uploaded (it said 'uploaded as', status 0); connect-go, profilecli's client, fails it too
"$smolder" upload --url "$rec/login" "$cpu" > "$tmp/up.out" 2> "$tmp/up.err"; urc=$?
check "upload: a 200 text/html answer (a login page) is no upload (status $urc, one line)" \
  bash -c "[ $urc -eq 1 ] && [ ! -s '$tmp/up.out' ] && [ \$(wc -l < '$tmp/up.err') -eq 1 ] && grep -qx 'smolder upload: $rec/login answered text/html, not the push API (is this the URL of a Pyroscope server?)' '$tmp/up.err'"
# upload's --url as the reading verbs take it: a query or fragment dropped (it went before
# the route: POST /?a=b/push...), no scheme or an empty URL refused in one line
"$smolder" upload --url "$rec/q/?a=b#frag" "$cpu" > "$tmp/up.out" 2> "$tmp/up.err"; urc=$?
check "upload --url with ?query#fragment: pushed to the URL's path (status $urc)" \
  bash -c "[ $urc -eq 0 ] && grep -q 'uploaded as' '$tmp/up.out' && grep -qx 'POST /q/push.v1.PusherService/Push' '$tmp/paths'"
usagecheck "upload --url '': refused in one line" "^smolder upload: --url is empty" upload --url "" "$cpu"
usagecheck "upload --url without http(s)://: refused in one line, no password shown" \
  "^smolder upload: --url wants http:// or https://, not 'ftp://host/'$" upload --url "ftp://u:secret@host/?x" "$cpu"
# a bad URL from the variable is named as the variable (it said --url, not given)
PROFILECLI_URL="ftp://u:secret@host/" usagecheck "upload: PROFILECLI_URL without http(s)://: named as the variable" \
  "^smolder upload: PROFILECLI_URL wants http:// or https://, not 'ftp://host/'$" upload "$cpu"
PROFILECLI_URL="ftp://u:secret@host/" usagecheck "top: PROFILECLI_URL without http(s)://: named as the variable" \
  "^smolder: PROFILECLI_URL wants http:// or https://, not 'ftp://host/'$" top --query '{}'
# a line break or control character in a header's value: refused before anything is sent,
# naming the option or variable (a token's trailing newline dropped the body; a tenant's
# CR LF added a header), never the value
n0=$(grep -c . "$tmp/paths")
PROFILECLI_TOKEN=$'tok\n' usagecheck "upload: PROFILECLI_TOKEN with a trailing newline: refused, named" \
  "^smolder upload: PROFILECLI_TOKEN holds a line break \(at byte 3\)" upload --url "$rec" "$cpu"
usagecheck "upload: --tenant-id with CR LF: refused, named" \
  "^smolder upload: --tenant-id holds a line break \(at byte 2\)" upload --url "$rec" --tenant-id $'t1\r\nX-Evil: 1' "$cpu"
usagecheck "upload: --username with a tab: refused, named" \
  "^smolder upload: --username holds a control character \(byte 0x09 at 1\)" upload --url "$rec" --username $'a\tb' --password p "$cpu"
PROFILECLI_PASSWORD=$'pw\n' usagecheck "upload: PROFILECLI_PASSWORD with a newline: refused, named" \
  "^smolder upload: PROFILECLI_PASSWORD holds a line break" upload --url "$rec" --username u "$cpu"
check "  and none of them sent anything" test "$(grep -c . "$tmp/paths")" -eq "$n0"
# the reading verbs name the variable too: they said --token for PROFILECLI_TOKEN; a bad
# tenant, credential or URL is a usage error (ERR_USAGE): status 2, as upload's (it was 1)
PROFILECLI_TOKEN=$'tok\n' usagecheck "query --url: PROFILECLI_TOKEN with a newline: named" \
  "^smolder: PROFILECLI_TOKEN holds a line break \(at byte 3\)" query types --url "$rec" --from 0
PROFILECLI_TENANT_ID=$'t\r\n' usagecheck "top --url: PROFILECLI_TENANT_ID with CR LF: named" \
  "^smolder: PROFILECLI_TENANT_ID holds a line break \(at byte 1\)" top --url "$rec" --from 0
PROFILECLI_USERNAME=$'a\tb' PROFILECLI_PASSWORD=p usagecheck \
  "peek --url: PROFILECLI_USERNAME with a tab: named" \
  "^smolder: PROFILECLI_USERNAME holds a control character" peek --url "$rec" --from 0 main
PROFILECLI_USERNAME=u PROFILECLI_PASSWORD=$'pw\n' usagecheck \
  "query series --url: PROFILECLI_PASSWORD with a newline: named" \
  "^smolder: PROFILECLI_PASSWORD holds a line break" query series --url "$rec" --from 0
PROFILECLI_TOKEN=$'tok\n' usagecheck "  --token given: the option is named, not the variable" \
  "^smolder: --token holds a control character" query types --url "$rec" --from 0 --token $'t\x01'
check "  and none of them sent anything" test "$(grep -c . "$tmp/paths")" -eq "$n0"
# one option's two names abbreviated (--ten: --tenant, --tenant-id) are that option, not
# "unknown option" (glibc calls any second prefix match ambiguous); a real ambiguity says so
usagecheck "upload --ten is --tenant-id (its value checked as the tenant's)" \
  "^smolder upload: --tenant-id holds a line break" upload --url "$rec" --ten $'a\nb' "$cpu"
"$smolder" upload --url "$rec" "$cpu" --ten=t1 > /dev/null 2> "$tmp/up.err"; urc=$?
check "upload FILE --ten=t1: uploaded (status $urc)" bash -c "[ $urc -eq 0 ] && [ ! -s '$tmp/up.err' ]"
usagecheck "resolve --ca (--cat, --cache-dir): ambiguous, said so" \
  "^smolder resolve: ambiguous option '--ca': it abbreviates several \(spell it out\) \(see smolder resolve --help\)$" \
  resolve --ca -F f -P p
# the "uploaded as" line shows the labels stored: an empty value is no label
"$smolder" upload --url "$rec" --extra-labels env= --service c "$cpu" > "$tmp/up.out" 2> /dev/null
check "upload: an empty label value is left out of 'uploaded as'" \
  grep -q ' uploaded as {__name__="process_cpu", service_name="c"} id=' "$tmp/up.out"
# a URL answering a web page (a sign-in page, the wrong port): said so in one line,
# not "line 1: expected 'frame;frame;... count'" (the page read as folded text)
errcheck "a URL answering 200 text/html (a login page): an HTML page, one line" \
  "^smolder: '$rec/login': the server answered an HTML page, not a profile \(a login page, or the wrong port or path\?\)$" \
  top "$rec/login"
errcheck "  a page under another Content-Type: the same" \
  "^smolder: '$rec/page': the server answered an HTML page, not a profile \(a login page, or the wrong port or path\?\)$" \
  top "$rec/page"
check "  a profile served as text/html is read, as pprof reads it" \
  bash -c "'$smolder' top '$rec/profhtml/cpu.pb.gz' | grep -q '^Type: cpu'"
check "  folded text beginning <module> served as text/html is read (py-spy's)" \
  bash -c "'$smolder' top '$rec/pyspy' | grep -q ' <module> (app.py:1)\$'"
printf '<!doctype HTML>\n<p>saved</p>\n' > "$tmp/page.html"
errcheck "  a saved HTML file: an HTML page, one line" \
  "^smolder: '$tmp/page.html': an HTML page, not a profile$" top "$tmp/page.html"
printf '<module>;main;<lambda> 3\n' > "$tmp/lt.folded"
check "  folded text whose first frame starts with '<' is still read" \
  bash -c "'$smolder' top --format tsv '$tmp/lt.folded' | grep -q '<lambda>'"
# ingest's --service default, as its help says: the file name or a URL's last path
# segment up to the first dot, unknown_service for standard input (it spoke of files only)
check "ingest --help: --service's default for a URL and standard input said" \
  bash -c "'$smolder' ingest --help | tr -s ' \n' ' ' | grep -qF \"(default: the file name, or a URL's last path segment, up to its first dot; unknown_service for standard input)\""
"$smolder" ingest --db "$tmp/svc.db" "$rec/app.v2.pb.gz?debug=0" > "$tmp/svc.out" 2>&1
"$smolder" ingest --db "$tmp/svc.db" - < "$cpu" >> "$tmp/svc.out" 2>&1
check "  and does so: app for $rec/app.v2.pb.gz?debug=0, unknown_service for -" \
  bash -c "grep -q ': service_name=app at ' '$tmp/svc.out' && grep -q '^-: service_name=unknown_service at ' '$tmp/svc.out'"
# two profile URLs are fetched at once, as pprof fetches them: the same N seconds, in N
timed "$smolder" diff --seconds 2 --format tsv "$rec/slow/base" "$rec/slow/new" > "$tmp/sl.tsv" 2>&1
check "diff --seconds 2 of two URLs: both fetched at once (about 2 s, not 4: $(cat "$tmp/ms") ms)" \
  bash -c "[ $(cat "$tmp/ms") -ge 1900 ] && [ $(cat "$tmp/ms") -lt 3500 ] && grep -q 'main.scoreRecords' '$tmp/sl.tsv'"
timed "$smolder" top --seconds 2 --format tsv --diff-base "$rec/slow/dbase" "$rec/slow/dnew" > "$tmp/sl.tsv" 2>&1
check "top --seconds 2 --diff-base URL URL: at once too ($(cat "$tmp/ms") ms)" \
  bash -c "[ $(cat "$tmp/ms") -ge 1900 ] && [ $(cat "$tmp/ms") -lt 3500 ] && head -1 '$tmp/sl.tsv' | grep -q '^flat'"
check "a base URL that fails: one line, naming it" \
  bash -c "'$smolder' top --diff-base '$silent/b' --timeout 1 '$rec/x' > /dev/null 2> '$tmp/err'; [ \$? -ne 0 ] && [ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q \"'$silent/b': timed out\" '$tmp/err'"
# the fetch's timeout follows: N plus half, unless --timeout says
timed errcheck "--seconds 2 on a silent server waits 2 s plus half (pprof's rule)" "timed out after 3 s" top --seconds 2 "$silent/profile?seconds=30"
check "... about 3 s ($(cat "$tmp/ms") ms)" test "$(cat "$tmp/ms")" -ge 2900 -a "$(cat "$tmp/ms")" -lt 6000
timed errcheck "--seconds 20 --timeout 1: --timeout wins" "timed out after 1 s" top --seconds 20 --timeout 1 "$silent/profile"
check "... within about a second ($(cat "$tmp/ms") ms)" test "$(cat "$tmp/ms")" -lt 4000

# view refuses the options it would ignore (they colour a diff, or limit a printed table)
for o in --absolute "--threshold 5" --color-blind; do
  usagecheck "view $o without --base: one line" "^smolder view: --absolute, --threshold and --color-blind colour a diff: add --base" view $o "$cpu"
done
usagecheck "view --nodecount: one line" "^smolder view: --nodecount limits a printed table" view --nodecount 3 "$cpu"
usagecheck "view --format: one line" "^smolder view: --format prints a table" view --format tsv "$cpu"
errcheck "view --base BASE --absolute is taken (then wants a terminal)" "needs a terminal" view --absolute --base "$cpu" "$cpu"

# peek takes pprof's filters and granularity (the numbers: tests/pprof_compare.sh against
# go tool pprof -peek -focus=json); list and peek say so in --help
check "peek --focus keeps only samples through the focus" bash -c "'$smolder' peek --format tsv --focus json 'main\\.' '$cpu' | grep -q 'main.decodeRecords' && ! '$smolder' peek --format tsv --focus json 'main\\.' '$cpu' | grep -q 'main.hashRecords'"
check "peek --lines names lines" bash -c "'$smolder' peek --lines --format tsv 'main\\.hashRecords' '$cpu' | grep -q 'main.go:[0-9]'"
# pprof's list is always per line (applyCommandOverrides: list sets granularity=lines):
# --granularity and -files/-lines change nothing
"$smolder" list --format tsv 'main\.scoreRecords' "$cpu" > "$tmp/list-default.tsv" 2>&1
for g in -files -lines '--granularity=files' '--granularity=lines' '--granularity=packages'; do
  check "list $g prints what list prints" bash -c "[ -s '$tmp/list-default.tsv' ] && '$smolder' list --format tsv $g 'main\\.scoreRecords' '$cpu' 2>&1 | cmp -s - '$tmp/list-default.tsv'"
done
# pprof refuses two granularities ("conflicting options set: [files lines]"); the same
# one twice, or --granularity G with the option that is G, is one choice
usagecheck "top --lines --functions: two granularities, one line" "^smolder: --lines and --functions are two granularities: pick one$" top --lines --functions "$cpu"
usagecheck "peek -files -lines (pprof's spelling): refused too" "^smolder: --files and --lines are two granularities" peek -files -lines main "$cpu"
usagecheck "list --granularity=files --lines: refused too (pprof refuses it before list's override)" "^smolder: --granularity files and --lines are two granularities" list --granularity=files --lines main "$cpu"
check "top --lines --lines and --granularity lines --lines are one choice" bash -c "
  '$smolder' top --lines --lines --format tsv '$cpu' | cmp -s - <('$smolder' top --lines --format tsv '$cpu') &&
  '$smolder' top --granularity lines --lines --format tsv '$cpu' | cmp -s - <('$smolder' top --lines --format tsv '$cpu')"
# options list cannot read code with are the verb's usage error, said once before any
# listing: they printed " (no code: ...)" under each of the 12 routines, and status 0
usagecheck "list --ref without --repo: one line, status 2" \
  "^smolder list: --ref 'v1' needs a repository to read it in: give --repo" list --ref v1 'main\.' "$cpu"
usagecheck "list --repo that is not there: one line, status 2" \
  "^smolder list: repository '$tmp/norepo': No such file" list --repo "$tmp/norepo" 'main\.' "$cpu"
for verb in peek list; do
  check "$verb --help lists the filters it takes" bash -c "'$smolder' $verb --help | grep -q -- '--focus RE' && '$smolder' $verb --help | grep -q -- '--granularity G'"
done

# serve: values that cannot work are refused before it starts, and a busy port is one
# error line (not a shutdown log first)
usagecheck "serve --retention 0: refused (it would keep nothing... or everything)" \
  "^smolder serve: --retention wants a positive duration" serve --db "$tmp/srv.db" --retention 0
usagecheck "serve --max-store-size 0: refused (it meant no cap at all)" \
  "^smolder serve: --max-store-size wants a positive size" serve --db "$tmp/srv.db" --max-store-size 0
usagecheck "serve --downsample 1d:0 names the zero bucket" \
  "^smolder serve: --downsample: the bucket must be a positive duration \('1d:0'\)" serve --db "$tmp/srv.db" --downsample 1d:0
errcheck "serve on a busy port: the error alone" "^smolder serve: cannot listen on 127.0.0.1:[0-9]+: Address already in use" \
  serve --db "$tmp/srv.db" --listen "${silent#http://}"
# --max-connections 0 started a server that reset every connection; --idle-timeout past
# 2^32 s became 0 (no timeout at all), a --maintenance-interval near 292 years overflowed
# the writer's clock (on the busy port: a value taken goes on to "cannot listen")
usagecheck "serve --max-connections 0: refused" \
  "^smolder serve: --max-connections wants a number from 1 to 100000, not '0'" \
  serve --db "$tmp/srv.db" --listen "${silent#http://}" --max-connections 0
# the user's own bad value is echoed escaped (an ESC in it reached the terminal raw)
usagecheck "serve: a bad number is echoed escaped" \
  "^smolder serve: --max-connections wants a number from 1 to 100000, not '\\\\x1b\\[31m'" \
  serve --db "$tmp/srv.db" --max-connections $'\e[31m'
usagecheck "query series --output: a bad value is echoed escaped" \
  "^smolder query series: --output is table or json, not '\\\\x1b\\[1m'" \
  query series --db "$tmp/srv.db" --output $'\e[1m'
usagecheck "query profile --output: a bad value is echoed escaped" \
  "^smolder query profile: --output is console or pprof=FILE, not '\\\\x1b\\[1m'" \
  query profile --db "$tmp/srv.db" --profile-type a:b:c:d:e --output $'\e[1m'
usagecheck "serve --idle-timeout 4294967296s: refused, not 0" \
  "^smolder serve: --idle-timeout is between 1s and 49 days" \
  serve --db "$tmp/srv.db" --listen "${silent#http://}" --idle-timeout 4294967296s
usagecheck "serve --downsample: a bad value is echoed escaped" \
  "^smolder serve: --downsample wants AGE:BUCKET,\\.\\.\\. \\(at most [0-9]+\\), not 'x\\\\x1b\\[31m'" \
  serve --db "$tmp/srv.db" --downsample $'x\e[31m'
# a fraction libmicrohttpd's unit cannot hold is refused (durations took no fractions before)
usagecheck "serve --idle-timeout 1.5s: refused, not cut to 1 s" \
  "^smolder serve: --idle-timeout is whole seconds \\(1\\.5s is not\\)" \
  serve --db "$tmp/srv.db" --idle-timeout 1.5s
usagecheck "serve --request-timeout 1.5ms: refused, not cut to 1 ms" \
  "^smolder serve: --request-timeout is whole milliseconds" \
  serve --db "$tmp/srv.db" --request-timeout 1.5ms
# a tenant ID serve refuses is refused with --db too (it was read and written there)
usagecheck "query --db --tenant 't/9 x': refused as serve refuses it" \
  "^smolder: invalid --tenant 't/9 x': up to 150 of A-Z" \
  query series --db "$tmp/srv.db" --tenant 't/9 x'
usagecheck "the browser --db --tenant 't/9 x': refused too" \
  "^smolder: invalid --tenant 't/9 x': up to 150 of A-Z" \
  --db "$tmp/srv.db" --tenant 't/9 x'
usagecheck "ingest --tenant 't/9 x': refused before a store is made" \
  "^smolder ingest: invalid --tenant 't/9 x': up to 150 of A-Z" \
  ingest --db "$tmp/tenant-new.db" --tenant 't/9 x' "$cpu"
check "  and no store was made" test ! -e "$tmp/tenant-new.db"
usagecheck "serve --maintenance-interval 290y: refused" \
  "^smolder serve: --maintenance-interval is between 1s and 49 days" \
  serve --db "$tmp/srv.db" --listen "${silent#http://}" --maintenance-interval 290y
errcheck "serve --idle-timeout 49d, --max-connections 1: taken (then the busy port)" \
  "^smolder serve: cannot listen on 127.0.0.1:[0-9]+: Address already in use" \
  serve --db "$tmp/srv.db" --listen "${silent#http://}" --idle-timeout 49d --max-connections 1
# usage errors are one line with the hint, as every verb says them: serve printed
# "serve: unrecognized option" and its whole help, query its whole help and no reason
usagecheck "serve --bogus: one line and the hint" \
  "^smolder serve: unknown option '--bogus' \(see smolder serve --help\)$" serve --bogus
usagecheck "serve --db without a value: one line" \
  "^smolder serve: a value is missing after '--db' \(see smolder serve --help\)$" serve --db
usagecheck "serve extra: one line and the hint" \
  "^smolder serve: unexpected argument 'extra' \(see smolder serve --help\)$" serve --db "$tmp/srv.db" extra
usagecheck "query series extra: says which argument" \
  "^smolder query: unexpected argument 'extra' \(see smolder query --help\)$" query series extra
usagecheck "query with options and nothing to query: says so" \
  "^smolder query: say what to query: series, types, profile or timeline" query --db "$tmp/srv.db"
usagecheck "query with an unknown word: named, made terminal-safe" \
  "^smolder query: 'bad.x1b\[2Jword' is not series, types, profile or timeline \(see smolder query --help\)$" \
  query $'bad\e[2Jword'

# regexes are RE2 (pprof's and Prometheus's): PCRE-only syntax is refused, not silently
# taken with another meaning
for re in 'json(?=\.)' '(?<!a)json' '(a)\1' '\C' '(?>json)' 'js++on' 'a{2}+' '(?R)'; do
  usagecheck "--focus '$re': one line, RE2 expected" "^smolder: --focus: .* which RE2 syntax \(pprof's\) does not have" top --focus "$re" "$cpu"
done
usagecheck "peek REGEX with lookahead: one line" "^smolder: REGEX: .*uses lookaround" peek '(?=main)main' "$cpu"
usagecheck "list REGEX with a backreference: one line" "^smolder: REGEX: .*uses a backreference" list '(main)\1' "$cpu"
check "RE2's own syntax still works ((?i), (?P<n>), [(?=], \\Q..\\E, lazy a*?)" \
  bash -c "for re in '(?i)JSON' '(?P<n>json)' '[(?=]json|json' 'x\\Q(?=\\E|json' 'js*?on'; do '$smolder' top --focus \"\$re\" --format tsv '$cpu' | grep -q json || exit 1; done"

for verb in "" top view diff peek list export; do
  check "--help for '${verb:-smolder}'" bash -c "'$smolder' $verb --help | grep -q '^usage: smolder'"
done
# smolder --help names the verbs that read the store or a server, and each of them takes
# --db and --url (it said "every verb reads the store with --db": ingest, serve and demo
# write it, upload pushes, resolve reads neither), in 24 lines
check "smolder --help: the reading verbs read --db or --url, ingest, serve and demo write --db" \
  bash -c "'$smolder' --help | tr -s ' \n' ' ' | grep -qF 'the reading verbs (view, top, peek, list, export, diff) read the store with --db PATH' && '$smolder' --help | tr -s ' \n' ' ' | grep -qF 'and the same flags, as query does; ingest, serve and demo write the --db store.' && [ \$('$smolder' --help | wc -l) -le 24 ]"
for verb in view top peek list export diff query; do
  check "  $verb --help takes --db and --url" bash -c "'$smolder' $verb --help | grep -q -- '--db PATH' && '$smolder' $verb --help | grep -q -- '--url URL'"
done
for verb in top view diff peek list export ingest; do
  check "$verb --help lists --seconds" bash -c "'$smolder' $verb --help | grep -q -- '--seconds N .*http(s) URL'"
done
for verb in view diff list resolve; do
  check "$verb --help: --ref says it needs --repo" bash -c "'$smolder' $verb --help | grep -A1 -E -- '--ref REF ' | grep -qE 'default branch; needs --repo\)\$'"
done

# every help and usage block fits an 80x24 terminal (the design rule): a wider line wraps
# there.  Columns are characters of the UTF-8 text (— is one), not bytes.
# fits80 DESCRIPTION ARGS...: `smolder ARGS` prints something, all of it (stdout and
# stderr) within 80 columns; a failure lists the wider lines
fits80() {
  local d=$1; shift
  "$smolder" "$@" < /dev/null > "$tmp/help" 2>&1
  if python3 -c 'import sys
for n, l in enumerate(open(sys.argv[1], encoding="utf-8").read().split("\n"), 1):
    if len(l) > 80: print("       line %d, %d columns: %s" % (n, len(l), l))' "$tmp/help" > "$tmp/wide" &&
     [ -s "$tmp/help" ] && [ ! -s "$tmp/wide" ]; then
    echo "ok   - $d"; pass=$((pass + 1))
  else
    echo "FAIL - $d"; cat "$tmp/wide"; fail=$((fail + 1))
  fi
}
for verb in "" view diff top peek list export ingest "query series" "query types" \
    "query profile" "query timeline" serve upload resolve demo; do
  fits80 "${verb:-smolder} --help fits 80 columns" $verb --help
done
# serve's help names what /ingest takes: it said "Go, Java, Node SDKs", and the
# Java agent's JFR is refused with 415
check "serve --help: Go and Node SDKs on /ingest, the Java agent's JFR refused with 415" \
  bash -c "'$smolder' serve --help | tr '\n' ' ' | grep -q '(Go and Node SDKs; the Java agent.s JFR is refused with 415: convert it to pprof)' && ! '$smolder' serve --help | grep -q 'Java, Node'"
# every --from/--to help says what the parser reads (it said Unix s/ms, or seconds
# or ms, and nothing of 1h or Unix us/ns)
for verb in view diff top peek list export "query series"; do
  check "$verb --help: --from/--to take now-1h, now, 1h (ago), RFC 3339, Unix s/ms/us/ns" \
    bash -c "'$smolder' $verb --help | grep -A1 -- '--from T, --to T' | tr -s ' \n' ' ' | grep -qF 'now-1h (default), now, 1h (ago), RFC 3339, Unix s/ms/us/ns'"
done
# usage errors that print the usage block (no SOURCE, one side of a diff, no FILE, no
# query kind, an extra argument)
for args in "" "view a b" "diff a" top "peek main" list export ingest upload query \
    "query series extra" "demo extra"; do
  fits80 "smolder${args:+ $args} (a usage error): its usage fits 80 columns" $args
done

# a real Go program serving net/http/pprof
if command -v go >/dev/null; then
  export HOME=$tmp GOCACHE=$tmp/gocache GOFLAGS=-mod=mod GOPROXY=off
  (cd "$(dirname "$0")" && go build -o "$tmp/pprofserver" pprofserver.go) || { echo "FAIL - go build pprofserver"; exit 1; }
  "$tmp/pprofserver" -life 120s > "$tmp/server.out" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do grep -q listening "$tmp/server.out" && break; sleep 0.05; done
  port=$(awk '/listening on/ {print $3}' "$tmp/server.out")
  url=http://127.0.0.1:$port/debug/pprof
  check "heap over HTTP" bash -c "'$smolder' top '$url/heap' | grep -q 'Type: inuse_space'"
  check "CPU profile over HTTP shows the hot function" bash -c "'$smolder' top '$url/profile?seconds=2' | grep -q 'main.busyLoop'"
  # the real net/http/pprof honours it: ?seconds=30 would take 30 s
  timed "$smolder" top --seconds 2 "$url/profile?seconds=30" > "$tmp/go.out" 2>&1
  check "--seconds 2 replaces a real endpoint's ?seconds=30 (a CPU profile in $(cat "$tmp/ms") ms)" \
    bash -c "grep -q '^Type: cpu' '$tmp/go.out' && [ $(cat "$tmp/ms") -lt 10000 ]"
  errcheck "HTTP errors quote the server" "HTTP 404: Unknown profile" top "$url/nope"
  # credentials in a SOURCE URL are sent, never shown: headers, errors, ingest, exports
  curl_url=http://user:secret@127.0.0.1:$port/debug/pprof
  { "$smolder" top "$curl_url/heap"; "$smolder" top "$curl_url/nope"
    "$smolder" diff "$curl_url/heap" "$curl_url/heap"; "$smolder" ingest --db "$tmp/cred.db" "$curl_url/heap"
    "$smolder" export --format svg "$curl_url/heap" -o -; } > "$tmp/cred.out" 2>&1
  check "a SOURCE URL's user information is never printed (File:, Base:, errors, ingest, svg)" \
    bash -c "grep -q '^File: http://127.0.0.1:$port/debug/pprof/heap\$' '$tmp/cred.out' && grep -q \"'http://127.0.0.1:$port/debug/pprof/nope': HTTP 404\" '$tmp/cred.out' && grep -q '^Base: http://127.0.0.1:$port/' '$tmp/cred.out' && ! grep -q secret '$tmp/cred.out'"
  # Ctrl-C while waiting for a 30 s profile: cancelled within a second or two
  start=$(date +%s%N)
  "$smolder" top "$url/profile?seconds=30" > /dev/null 2> "$tmp/err" &
  pid=$!
  sleep 0.5
  kill -INT "$pid"
  wait "$pid"; rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  check "Ctrl-C aborts a fetch (status 1, 'cancelled', ${ms} ms)" bash -c "[ $rc -eq 1 ] && grep -q cancelled '$tmp/err' && [ $ms -lt 5000 ]"
else
  echo "FAIL - go is not installed (./build.sh deps installs golang-go)"; fail=$((fail + 1))
fi

check_done
