#!/usr/bin/env bash
# store_cap.sh — what `smolder serve --max-store-size` caps, on a real server and real
# SQLite files:
#   - the store's file and its write-ahead log together: 40 small pushes into a 400 KiB
#     store, the two files measured after every answer while the server runs (SQLite's
#     own WAL limits would let the WAL alone reach ~4 MB);
#   - a push that the cap refuses gets 507 saying the store reached --max-store-size, with
#     the size — not "disk full" while the disk has room;
#   - a push that fits under the cap gets room: the oldest profiles are evicted until it
#     fits, however much of the cap it takes; maintenance keeps it; only a push that does
#     not fit even in an empty store gets 507 (saying so), and nothing is evicted for it;
#   - a really full disk under a cap it never reaches (a 1 MiB tmpfs in a user namespace,
#     when this machine can mount one) still says "disk full";
#   - a disk just above the cap, with queries reading the store all along: the WAL their
#     snapshots hold is brought back, so pushes are stored, after a restart too.
# Usage: store_cap.sh SMOLDER
set -u
smolder=$1
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp
unset SMOLDER_DB XDG_DATA_HOME
. "$(dirname "$0")/serve_lib.sh"

for tool in curl python3 sqlite3; do
  command -v "$tool" > /dev/null || { echo "FAIL - $tool is not installed (./build.sh deps)"; exit 1; }
done

size_of() { stat -c %s "$1" 2> /dev/null || echo 0; }

# --- the WAL counts: 40 small pushes, each its own service, into 400 KiB ----------------
serve_start small --db "$tmp/m.db" --max-store-size 400k || exit 1
url=http://127.0.0.1:$PORT
codes="" most=0 most_wal=0
for n in $(seq 1 40); do
  codes="$codes $(http POST "$url/ingest?name=small-$n.cpu" --data-binary $'main;work 1\nmain;idle 2\n')"
  wal=$(size_of "$tmp/m.db-wal")
  used=$(( $(size_of "$tmp/m.db") + wal ))
  [ "$used" -gt "$most" ] && most=$used
  [ "$wal" -gt "$most_wal" ] && most_wal=$wal
done
check "40 small pushes into a 400 KiB store are all stored" \
  test "$(echo $codes | tr ' ' '\n' | sort -u)" = 200
check "the file and its WAL stay within --max-store-size together (at most $most B, the WAL $most_wal B)" \
  test "$most" -le 409600
serve_stop
check "the store is intact" test "$(sqlite3 "$tmp/m.db" 'PRAGMA integrity_check')" = ok

# --- the cap's 507 names the cap ---------------------------------------------------------
# ~400 KB of names no other profile has, into 200 KiB
python3 -c '
for i in range(6000):
    print("main;function_number_%05d_of_many;leaf_function_number_%05d 1" % (i, i))' > "$tmp/big.txt"
serve_start capped --db "$tmp/c.db" --max-store-size 200k || exit 1
url=http://127.0.0.1:$PORT
st=$(http POST "$url/ingest?name=big.cpu" --data-binary @"$tmp/big.txt")
cp "$tmp/body" "$tmp/capped.body"
check "a push past --max-store-size gets 507 saying the store reached it, and its size" \
  bash -c "[ '$st' = 507 ] && grep -q 'store full: store .*c\.db.* reached --max-store-size (200 KiB)' '$tmp/capped.body'"
check "and not that the disk is full (it has room)" bash -c "! grep -q 'disk full' '$tmp/capped.body'"
check "the server's log gives the same reason" grep -q 'reached --max-store-size (200 KiB)' "$SLOG"
check "a small push still fits" test "$(http POST "$url/ingest?name=small.cpu" --data-binary $'a;b 1\n')" = 200
serve_stop
[ "$st" = 507 ] || sed 's/^/     | /' "$tmp/capped.body"

# --- a push that fits under the cap evicts as much old data as it needs ------------------
# Each heapwork push (a service of its own) takes ~730 KB, a quarter of 3 MiB: eviction
# must free more than the 10-19 % of the cap it used to stop at.  big8000.txt takes ~90 % of
# the cap: every older profile goes, and maintenance (every second here) must not evict it
# afterwards.  big12000.txt cannot fit even in an empty store: 507 saying so, and nothing
# is evicted for it.  Once a push is answered, the file and its WAL are within the cap.
ex=$(cd "$(dirname "$0")/../../examples" && pwd)
for n in 8000 8300 12000; do
  python3 -c '
import sys
for i in range(int(sys.argv[1])):
    print("main;big_function_number_%06d_with_a_rather_long_name_for_size;middle_%06d_another"
          "_long_function_name;leaf_function_%06d_of_the_big_profile 1" % (i, i, i))' $n > "$tmp/big$n.txt"
done
# the WAL holds a transaction whole: once answered, it must not stay at that size
serve_start walcap --db "$tmp/w.db" --max-store-size 3m || exit 1
st=$(http POST "http://127.0.0.1:$PORT/ingest?name=big.cpu" --data-binary @"$tmp/big8000.txt")
used=$(( $(size_of "$tmp/w.db") + $(size_of "$tmp/w.db-wal") ))
check "a push of ~90 % of the cap into an empty store: 200, then file and WAL within the cap ($used B)" \
  bash -c "[ '$st' = 200 ] && [ '$used' -le 3145728 ]"
serve_stop
serve_start evict --db "$tmp/e.db" --max-store-size 3m --maintenance-interval 1s || exit 1
url=http://127.0.0.1:$PORT
t0=$(( $(date +%s) - 3600 ))
codes=""
for n in $(seq 1 6); do
  st=$(http POST "$url/ingest?name=heap-$n&format=pprof&from=$((t0 + n))&until=$((t0 + n + 10))" \
            --data-binary @"$ex/heapwork-allocs.pb.gz")
  codes="$codes $st"
  [ "$st" = 200 ] || { cat "$tmp/body"; echo; } | sed "s/^/     | heap-$n: /"
done
check "6 pushes of a quarter of the cap each are all stored, the oldest evicted for them ($codes)" \
  test "$(echo $codes | tr ' ' '\n' | sort -u)" = 200
st=$(http POST "$url/ingest?name=big.cpu&from=$((t0 + 100))" --data-binary @"$tmp/big8000.txt")
check "a push of ~90 % of the cap is stored: every older profile is evicted for it ($st)" test "$st" = 200
[ "$st" = 200 ] || { cat "$tmp/body"; echo; } | sed "s/^/     | /"
# two maintenance passes (every second here) after it
passes() { http GET "$url/metrics" > /dev/null; sed -n 's/^smolder_maintenance_runs_total //p' "$tmp/body"; }
p0=$(passes)
for i in $(seq 1 100); do [ "$(passes)" -ge $((p0 + 2)) ] && break; sleep 0.05; done
"$smolder" query series --db "$tmp/e.db" --from 0 > "$tmp/e.series"
check "maintenance keeps it (the newest push), not only the cap's 90 % it aims for" \
  grep -q ' big$' "$tmp/e.series"
check "and the older services were evicted" bash -c "! grep -q ' heap-[0-9]\$' '$tmp/e.series'"
st=$(http POST "$url/ingest?name=huge.cpu&from=$((t0 + 200))" --data-binary @"$tmp/big12000.txt")
cp "$tmp/body" "$tmp/huge.body"
check "a push larger than the cap gets 507 saying it does not fit even in an empty store" \
  bash -c "[ '$st' = 507 ] && grep -q 'reached --max-store-size (3 MiB): the push ([^)]*B) does not fit even in an empty store' '$tmp/huge.body'"
grep -q 'even in an empty store' "$tmp/huge.body" || { cat "$tmp/huge.body"; echo; } | sed 's/^/     | /'
check "and nothing was evicted for it" \
  bash -c "'$smolder' query series --db '$tmp/e.db' --from 0 | grep -q ' big\$'"
check "a small push still fits" \
  test "$(http POST "$url/ingest?name=small.cpu&from=$((t0 + 300))" --data-binary $'a;b 1\n')" = 200
serve_stop
check "the file stays within --max-store-size ($(size_of "$tmp/e.db") B)" \
  test "$(( $(size_of "$tmp/e.db") + $(size_of "$tmp/e.db-wal") ))" -le 3145728
check "the evicted store is intact" test "$(sqlite3 "$tmp/e.db" 'PRAGMA integrity_check')" = ok

# a push that fits in an empty store, measured beside a tiny one (where it takes ~5 % more
# pages): everything goes for it, it was refused as not fitting "even in an empty store"
serve_start beside --db "$tmp/b.db" --max-store-size 3m --maintenance-interval 1h || exit 1
url=http://127.0.0.1:$PORT
st1=$(http POST "$url/ingest?name=small.cpu&from=$((t0 + 300))" --data-binary $'a;b 1\n')
st2=$(http POST "$url/ingest?name=big.cpu&from=$((t0 + 100))" --data-binary @"$tmp/big8300.txt")
check "a push that fits in an empty store (~93 % of the cap) is stored beside a tiny one ($st1 $st2)" \
  bash -c "[ '$st1' = 200 ] && [ '$st2' = 200 ]"
[ "$st2" = 200 ] || { cat "$tmp/body"; echo; } | sed "s/^/     | /"
serve_stop

# --- a real full disk under a cap it never reaches: "disk full" ------------------------
if unshare -rm true 2> /dev/null; then
  unshare -rm bash -s "$smolder" "$tmp" > "$tmp/tmpfs.out" 2>&1 <<'EOF'
smolder=$1 tmp=$2
mkdir -p "$tmp/mnt" && mount -t tmpfs -o size=1m none "$tmp/mnt" || { echo "mount failed"; exit 1; }
"$smolder" serve --db "$tmp/mnt/s.db" --listen 127.0.0.1:0 --max-store-size 64m 2> "$tmp/tmpfs.log" &
pid=$!
for i in $(seq 1 100); do
  port=$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\), store.*/\1/p' "$tmp/tmpfs.log")
  [ -n "$port" ] && break; sleep 0.05
done
for n in $(seq 1 40); do
  python3 -c '
import sys
n = int(sys.argv[1])
for i in range(1500):
    print("main;push_%02d_function_number_%05d_with_a_long_name;leaf_%02d_%05d 1" % (n, i, n, i))' "$n" > "$tmp/t.txt"
  st=$(curl -s -o "$tmp/tbody" -w '%{http_code}' --data-binary @"$tmp/t.txt" "http://127.0.0.1:$port/ingest?name=t-$n.cpu")
  [ "$st" = 200 ] && continue
  echo "$st after $((n - 1)): $(cat "$tmp/tbody")"; break
done
kill -TERM $pid; wait $pid; echo "exit $?"
EOF
  check "a full disk under a cap it never reaches: 507 saying the disk is full" \
    grep -q '^507 after [0-9]*: .*store full: .*disk full' "$tmp/tmpfs.out"
  check "and not that the cap was reached" bash -c "! grep -q 'max-store-size' '$tmp/tmpfs.out'"
  grep -q '^507' "$tmp/tmpfs.out" || sed 's/^/     | /' "$tmp/tmpfs.out"
else
  echo "skip - a real full disk: this machine cannot mount a tmpfs in a user namespace"
fi

# --- a disk just above the cap, queried all along: the WAL readers hold comes back --------
# A 3 MiB tmpfs under a 2 MiB cap; small pushes while `smolder query --db` runs in a loop.
# Each query's snapshot kept the WAL from starting over, and it was truncated only when no
# reader held it: it grew past the cap until the disk was full and SQLite could no longer
# checkpoint at all, so every push got 507 "disk full", after the queries stopped and
# after a restart too.  Now it is truncated waiting a little for the readers of the moment.
if unshare -rm true 2> /dev/null; then
  unshare -rm bash -s "$smolder" "$tmp" > "$tmp/jam.out" 2>&1 <<'EOF'
smolder=$1 tmp=$2
mkdir -p "$tmp/jmnt" && mount -t tmpfs -o size=3m none "$tmp/jmnt" || { echo "mount failed"; exit 1; }
db=$tmp/jmnt/g.db
start() {  # start LOG: serve on the tmpfs, its port in $port
  "$smolder" serve --db "$db" --listen 127.0.0.1:0 --max-store-size 2m --downsample off \
    --maintenance-interval 1s 2> "$1" &
  pid=$!
  for i in $(seq 1 100); do
    port=$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\), store.*/\1/p' "$1")
    [ -n "$port" ] && break; sleep 0.05
  done
}
push() {  # push N FROM: N small pushes, 4 at a time; prints the statuses counted
  python3 - "$port" "$1" "$2" <<'PY'
import sys, http.client, threading
port, n, t0 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
res, lock = {}, threading.Lock()
def work(k):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for i in range(k, n, 4):
        c.request("POST", "/ingest?name=app.cpu&from=%d&until=%d&format=folded" % (t0 + i, t0 + i + 10),
                  body="main;foo;bar 10\nmain;foo;baz 5\nmain;qux 1\n")
        r = c.getresponse(); r.read()
        with lock: res[r.status] = res.get(r.status, 0) + 1
ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
print(" ".join("%d:%d" % kv for kv in sorted(res.items())))
PY
}
used() { echo $(( $(stat -c %s "$db") + $(stat -c %s "$db-wal" 2> /dev/null || echo 0) )); }
t0=$(( $(date +%s) - 86400 ))
start "$tmp/jam1.log"
( while [ ! -e "$tmp/jam.stop" ]; do
    "$smolder" query profile --db "$db" --from now-5d --query '{service_name="app"}' > /dev/null 2>&1
  done ) &
readers=$!
echo "queried: $(push 8000 "$t0")"
touch "$tmp/jam.stop"; wait $readers
echo "after: $(push 40 $((t0 + 20000))) used $(used)"
kill -TERM $pid; wait $pid
start "$tmp/jam2.log"
echo "restarted: $(push 40 $((t0 + 30000))) used $(used)"
kill -TERM $pid; wait $pid
umount "$tmp/jmnt"
EOF
  check "small pushes into a 2 MiB cap on a 3 MiB disk, queried all along, are stored" \
    grep -q '^queried: 200:8000$' "$tmp/jam.out"
  check "once the queries stop, pushes are stored and the store is within the cap" \
    bash -c "grep -q '^after: 200:40 used ' '$tmp/jam.out' && \
      [ \$(sed -n 's/^after: .* used //p' '$tmp/jam.out') -le 2097152 ]"
  check "and after a restart" grep -q '^restarted: 200:40 used ' "$tmp/jam.out"
  grep -q '^restarted: 200:40' "$tmp/jam.out" || sed 's/^/     | /' "$tmp/jam.out"
else
  echo "skip - a disk just above the cap: this machine cannot mount a tmpfs in a user namespace"
fi

check_done
