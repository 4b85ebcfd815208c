#!/usr/bin/env bash
# Durability of `smolder serve`: 16 concurrent pushers (curl loops, every push its own
# series through a `seq` label, every answer logged) for a few seconds, `kill -9` of the
# server in the middle, a restart on the same store — then every push that was answered
# 200 is in the store (`smolder query series`), and `PRAGMA integrity_check` is ok.
# Then the same load again and a graceful stop (SIGTERM) in the middle: the server
# finishes what it admitted — pushes queued for the decoders and the writer included —
# exits 0, and every push was answered 200 (and is stored) or 503, or refused a
# connection.
# Usage: durability.sh SMOLDER EXAMPLES_DIR
set -u
smolder=$1
ex=$2
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null; rm -rf "$tmp"' EXIT
export HOME=$tmp
unset SMOLDER_DB XDG_DATA_HOME
. "$(dirname "$0")/serve_lib.sh"
db=$tmp/d.db

serve_start first --db "$db" || exit 1
url=http://127.0.0.1:$PORT

pusher() {  # pusher ID [TAG]: pushes until $tmp/stop$TAG exists; logs "seq status"
  local id=$1 tag=${2:-} n=0 st
  while [ ! -e "$tmp/stop$tag" ] && [ "$n" -lt 2000 ]; do
    n=$((n + 1))
    if [ $((id % 2)) -eq 0 ]; then  # the Go SDK way
      st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 \
        -F "profile=@$ex/cpuwork-cpu.pb.gz;filename=profile.pprof" \
        "$url/ingest?name=dur%7Bseq%3D$tag$id-$n%7D&spyName=gospy&sampleRate=100")
    else  # folded text
      st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --data-binary $'main;work;leaf 3\nmain;idle 1\n' \
        "$url/ingest?name=dur.cpu%7Bseq%3D$tag$id-$n%7D")
    fi
    echo "$tag$id-$n $st" >> "$tmp/push$tag.$id"
  done
}
# missing_200s LOG: the seq labels answered 200 in LOG that are not in the store
missing_200s() {
  "$smolder" query series --db "$db" --from 0 --query '{service_name="dur"}' --output json > "$tmp/series.json"
  python3 - "$tmp/series.json" "$1" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
sets = doc if isinstance(doc, list) else doc.get("labelsSet", doc.get("series", []))
stored = set()
for s in sets:
    labels = s.get("labels", s) if isinstance(s, dict) else s
    if isinstance(labels, dict):
        v = labels.get("seq")
    else:
        v = next((l["value"] for l in labels if l["name"] == "seq"), None)
    if v:
        stored.add(v)
for line in open(sys.argv[2]):
    seq, st = line.split()
    if st == "200" and seq not in stored:
        print(seq)
print("stored", len(stored), file=sys.stderr)
EOF
}

# wait_200s TAG: until the pushers have logged 100 answers 200 (at most 60 s), so that a
# loaded machine (a sanitizer build, other tests) still kills the server mid-way, not at once
wait_200s() {
  local i
  for i in $(seq 1 600); do
    [ "$(cat "$tmp"/push"$1".[0-9]* 2> /dev/null | grep -c ' 200$')" -ge 100 ] && break
    sleep 0.1
  done
  sleep 0.5
}

for id in $(seq 1 16); do pusher "$id" & done
wait_200s ""
kill -9 "$SPID"
wait "$SPID" 2> /dev/null
sleep 0.5
touch "$tmp/stop"
wait

cat "$tmp"/push.[0-9]* > "$tmp/all"
ok=$(grep -c ' 200$' "$tmp/all")
total=$(wc -l < "$tmp/all")
echo "     $total pushes, $ok answered 200 before the kill -9"
check "the pushers got many 200s before the kill (at least 100)" test "$ok" -ge 100
check "and failures after it (the kill happened mid-way)" grep -qv ' 200$' "$tmp/all"
check "the store survives kill -9: integrity_check ok" test "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok

serve_start second --db "$db" || exit 1
check "the server restarts on the same store" test "$(http GET "http://127.0.0.1:$PORT/ready")" = 200
check "and takes pushes" test "$(http POST "http://127.0.0.1:$PORT/ingest?name=after.cpu" --data-binary $'a;b 1\n')" = 200
missing_200s "$tmp/all" > "$tmp/missing"
check "every push answered 200 is in the store after the restart ($(wc -l < "$tmp/missing") missing)" test ! -s "$tmp/missing"
serve_stop
check "the restarted server stops cleanly" test "$SRC" -eq 0
check "integrity_check ok after the restart" test "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok

# --- a graceful stop under the same load ---------------------------------------------------
serve_start graceful --db "$db" || exit 1
url=http://127.0.0.1:$PORT
for id in $(seq 1 16); do pusher "$id" g & done
wait_200s g
kill -TERM "$SPID"
wait "$SPID"
SRC=$?
sleep 0.5
touch "$tmp/stopg"
wait
cat "$tmp"/pushg.* > "$tmp/allg"
ok=$(grep -c ' 200$' "$tmp/allg")
echo "     $(wc -l < "$tmp/allg") pushes, $ok answered 200 before and during the stop"
check "SIGTERM under load: the server exits 0 and closes the store" \
  bash -c "[ $SRC -eq 0 ] && grep -q 'stopped; store .* closed' '$SLOG'"
check "the pushers got many 200s first (at least 100)" test "$ok" -ge 100
check "every push was answered 200 or 503, or found no server (nothing else)" \
  bash -c "! grep -vE ' (200|503|000)\$' '$tmp/allg'"
missing_200s "$tmp/allg" > "$tmp/missingg"
check "every push answered 200 is in the store ($(wc -l < "$tmp/missingg") missing)" test ! -s "$tmp/missingg"
check "integrity_check ok after the graceful stop" test "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
