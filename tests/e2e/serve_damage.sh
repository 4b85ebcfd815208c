#!/usr/bin/env bash
# serve_damage.sh — one damaged profile row (a blob that is not zstd) does not stop
# `smolder serve`'s maintenance: retention still deletes the expired profiles, eviction
# under --max-store-size still makes room (pushes get 200, not 507 for good), and the
# damage is logged once as a warning, not on every pass; a query that reads it is the
# server's failure (500), not the client's.  A NULL in a NOT NULL column is one 500
# too, not a crash.
# Usage: serve_damage.sh SMOLDER TESTDATA
set -u
smolder=$1
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp
unset SMOLDER_DB XDG_DATA_HOME
. "$(dirname "$0")/serve_lib.sh"
heap=$2/go/heapwork-heap.pb.gz

for tool in curl sqlite3; do
  command -v "$tool" > /dev/null || { echo "FAIL - $tool is not installed (./build.sh deps)"; exit 1; }
done

now=$(date +%s)
old=$((now - 3 * 86400))
serve_start made --db "$tmp/d.db" --downsample off || exit 1
url=http://127.0.0.1:$PORT
http POST "$url/ingest?name=dmg.cpu&from=$old&until=$((old + 10))" --data-binary $'main;work 1\n' > /dev/null
http POST "$url/ingest?name=dmg.cpu&from=$now&until=$((now + 10))" --data-binary $'main;idle 2\n' > /dev/null
serve_stop
# the newer profile of service dmg: its blob is not zstd any more
sqlite3 "$tmp/d.db" "UPDATE profiles SET data=x'5a0102' WHERE id=(SELECT max(id) FROM profiles)"

serve_start maint --db "$tmp/d.db" --downsample off --retention 2d --max-store-size 6m \
  --maintenance-interval 1s || exit 1
url=http://127.0.0.1:$PORT
codes=""
for n in $(seq 1 16); do
  codes="$codes $(http POST "$url/ingest?name=heap$n&format=pprof" --data-binary @"$heap")"
done
check "pushes into a capped store with a damaged row are stored ($codes)" \
  test "$(echo $codes | tr ' ' '\n' | sort -u)" = 200
expired() {
  sqlite3 "$tmp/d.db" "SELECT count(*) FROM profiles WHERE time_ns < ${now}000000000 - 2 * 86400000000000"
}
# three passes after the pushes, and the expired profile gone (a slow machine, a sanitizer
# build: the passes can take seconds each)
for i in $(seq 1 300); do
  [ "$(grep -c 'maintenance:' "$tmp/maint.log")" -ge 4 ] && [ "$(expired)" = 0 ] && break
  sleep 0.1
done
check "retention deleted the expired profile of the damaged service" test "$(expired)" = 0
check "no maintenance step failed" \
  test "$(grep -c 'failed:' "$tmp/maint.log")" = 0
check "the damage is logged once, naming the profile and the cause" \
  test "$(grep -c "maintenance left damaged data as it is: .*profile [0-9]*: .*bad zstd frame" "$tmp/maint.log")" = 1
# a query that reads the damaged row: the server's fault (500 internal), not the
# client's (it was 400 invalid_argument, which Grafana and profilecli take as their own)
st=$(http POST "$url/querier.v1.QuerierService/SelectMergeStacktraces" \
  -H 'Content-Type: application/json' \
  -d "{\"profileTypeID\":\"process_cpu:cpu:nanoseconds:cpu:nanoseconds\",\"labelSelector\":\"{service_name=\\\"dmg\\\"}\",\"start\":$(( (now - 60) * 1000 )),\"end\":$(( (now + 60) * 1000 ))}")
check "a query over the damaged row: 500 internal, saying the store is damaged ($st)" \
  bash -c "[ '$st' = 500 ] && grep -q '\"code\":\"internal\"' '$tmp/body' && grep -q 'corrupt' '$tmp/body'"
serve_stop

# a NULL where the schema says NOT NULL (a hand-made store, its schema edited): a query
# that reads the row is a 500 naming it, and the server answers the next one (the
# strdup of the NULL crashed it)
sqlite3 "$tmp/d.db" "PRAGMA writable_schema=ON; UPDATE sqlite_master SET sql=replace(sql, \
  'profile_type TEXT NOT NULL', 'profile_type TEXT') WHERE name='series'"
sqlite3 "$tmp/d.db" "UPDATE series SET profile_type=NULL WHERE id=(SELECT min(id) FROM series)"
serve_start null --db "$tmp/d.db" --downsample off || exit 1
url=http://127.0.0.1:$PORT
for n in 1 2; do
  st=$(http POST "$url/querier.v1.QuerierService/ProfileTypes" -H 'Content-Type: application/json' \
    -d "{\"start\":0,\"end\":$(( (now + 60) * 1000 ))}")
  check "profile types over a NULL profile type, query $n: 500 naming the row ($st)" \
    bash -c "[ '$st' = 500 ] && grep -q 'a series row has no profile_type' '$tmp/body'"
done
serve_stop
check_done
