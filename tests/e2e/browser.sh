#!/usr/bin/env bash
# End-to-end: the store browser (T) on a real store — one made by `smolder demo` (the
# bundled profiles spread over the last hour) — in a private tmux server: pick a service
# and type, a selector with completion, a narrowed window, open it, compare with the
# period before, the tag breakdown, gauges said to be averaged, and live data arriving
# (`smolder ingest` while the browser is open) with pause.
# Usage: browser.sh SMOLDER EXAMPLES_DIR
. "$(dirname "$0")/lib.sh"
smolder=$(realpath "$1")
ex=$(realpath "$2")
trap e2e_stop EXIT
db=$E2E_TMP/demo.db

SMOLDER_EXAMPLES=$ex "$smolder" demo --db "$db" --no-open 2>"$E2E_TMP/demo.err"
E2E_CHECKS=$((E2E_CHECKS + 1))
if grep -q "profiles of 4 services over the last hour" "$E2E_TMP/demo.err"; then echo "ok   - smolder demo makes a store"
else E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - smolder demo: $(cat "$E2E_TMP/demo.err")"; fi

e2e_start 120 32 "$smolder" --db "$db"
expect "the browser is the first screen" "\[T\]Store"
expect "it counts services, shows the live range and names the store" "smolder . 4 services . last 1h . ▸ live . store .*demo"
# (the demo's last push is as old as the demo took to write: minutes on a loaded machine)
expect "services and profile types with series and freshness" "checkout +process_cpu:cpu:nanoseconds:cpu:nanoseconds +2  (< )?[0-9]+(-[0-9]+)? (s|min) ago"
expect "gauges are listed too" "payments +memory:inuse_space:bytes:space:bytes"
expect "the timeline of the selected row" "timeline: checkout . process_cpu:cpu"
keys /
tm send-keys -t e2e -l 'service_name="pay'
keys Tab
expect "Tab completes a label value" "selector: \{service_name=\"payments\""
keys Enter
expect "the selector narrows the rows" "▸ payments"
expect_not "other services are gone" "checkout +process_cpu"
keys j j j
expect "a gauge's timeline says it is averaged" "\(a gauge: averaged per step\)"
keys Enter
expect "Enter opens the merged profile in the flame graph" "\[1\]Flame"
expect "a gauge merged over the range is an average, and says so" "average of [0-9]+ profiles over 2 series"
# a live refresh (every 5 s: the range's end in the header moves) keeps the sandwich on its
# function; it went blank ("select a function ... then press 3") at the first refresh
keys 2 j 3
expect "3 on the top row: a sandwich of the live profile" "^ sandwich of main\."
head1=$(screen | head -1)
wait_for_change() { local i=0; while [ "$i" -lt 300 ]; do [ "$(screen | head -1)" != "$head1" ] && return 0; sleep 0.05; i=$((i + 1)); done; return 1; }
E2E_CHECKS=$((E2E_CHECKS + 1))
if wait_for_change; then echo "ok   - a live refresh landed"; else E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - no live refresh in 15 s"; fi
expect "the sandwich keeps its function across the refresh" "^ sandwich of main\."
expect_not "it is not emptied" "select a function in the flame graph"
keys T
keys /
keys C-u
tm send-keys -t e2e -l '{service_name="checkout"}'
keys Enter
expect "back in the browser, checkout" "▸ checkout +process_cpu:cpu:nanoseconds"
keys -
# in whole steps of the timeline (ceil(3600/118) = 31 s): the last hour covers 117 or 118 of
# them as the clock falls on the grid, and the window - leaves 58 or 59, 1798 or 1829 s
expect "- narrows the window on the timeline, in whole steps" "window (1798|1829) s"
keys l l l l l l
keys P
expect "P compares the window with the period before" "compared with the period before"
expect "as a diff: base -> new in the header" " → "
expect "with the legend" "less ▇▇▇▇ ▇ ▇▇▇▇ more"
keys 2
expect "the diff table puts scoreRecords first (3x slower in the last half hour)" "\+[0-9.]+  main\.scoreRecords"
# the sort column of a diff's table carried into a plain profile's, whose columns differ:
# sorted by name there, the plain table was sorted by name with no marker, then s went to total
keys s s s
expect "s s s sorts the diff table by name" "diff pp +name▼"
keys T Enter
expect "Enter opens the window as a plain profile" "cpu \(nanoseconds\) . [0-9.]+ min total"
keys 2
expect "its table is by name too, and says so" "total% +name▼"
keys s
expect "and s goes on to self" "self▼"
keys T b
tm send-keys -t e2e -l 'reg'
keys Tab Enter
expect "b: the tag breakdown by region, both regions" "eu-west-1 .*%"
expect "and the other one" "us-east-1 .*%"
keys Escape
# t: a custom range; the timeline's values are `smolder query timeline`'s for the same steps
from=$(( $(date +%s) - 3000 )); to=$(( $(date +%s) - 600 ))
keys t
tm send-keys -t e2e -l "$from $to"
keys Enter
# 2400 s over the 118 columns of the timeline: steps of ceil(2400/118) = 21 s
expect "t sets a custom range; its timeline has 21 s steps" "timeline sum .* over [0-9]+ steps of 21 s"
line=$(screen | grep -oE 'timeline sum .* \(([0-9.e+]+)\) over [0-9]+ steps of [0-9]+ s' | head -1)
raw=$(sed -E 's/.*\(([0-9.e+]+)\).*/\1/' <<<"$line")
step=$(sed -E 's/.* steps of ([0-9]+) s/\1/' <<<"$line")
want=$("$smolder" query timeline --db "$db" --query '{service_name="checkout"}' \
       --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds --from "$from" --to "$to" \
       --step "${step}s" | awk 'NR > 1 { s += $2 } END { printf "%.0f", s }')
E2E_CHECKS=$((E2E_CHECKS + 1))
if [ -n "$raw" ] && awk -v a="$raw" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b * 1e-9) }'; then
  echo "ok   - the timeline equals smolder query timeline ($want over ${step}s steps)"
else
  E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - timeline sum '$raw' (step '$step') vs query timeline '$want'"
fi
keys '['
expect "[ goes back to a preset" "last 15m . ▸ live"
keys ']'
keys p
expect "p pauses live updates" "last 1h . paused \(p\)"
keys p
expect "and resumes them" "▸ live"
# live: a new service pushes (ingested now) and shows up within a few seconds
printf 'main;fresh;work 7\n' > "$E2E_TMP/fresh.folded"
"$smolder" ingest --db "$db" --service freshsvc "$E2E_TMP/fresh.folded" 2>/dev/null
keys C-u
keys /
keys C-u
tm send-keys -t e2e -l '{}'
keys Enter
expect "live: a service that just pushed appears" "freshsvc" 15
# live: a real `smolder serve` on the same store receives a push (the Pyroscope /ingest
# API, folded text) while the browser is open
tmp=$E2E_TMP
. "$(dirname "$0")/serve_lib.sh"
if serve_start browser --db "$db"; then
  curl -s -o /dev/null -w '%{http_code}' --data-binary 'main;pushed;work 5' \
    "http://127.0.0.1:$PORT/ingest?name=pushedsvc.cpu&from=$(date +%s)&spyName=gospy" > "$E2E_TMP/code"
  expect "live: a push to smolder serve shows up" "pushedsvc" 15
  serve_stop
  [ "$fail" -eq 0 ] || E2E_FAILS=$((E2E_FAILS + 1))
else
  E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - smolder serve did not start"
fi
keys q
expect "q quits with status 0" "EXITED=0"
e2e_stop

# the same browser over the network: a real `smolder serve` read with --url; a big profile
# comes back folded at 16384 nodes, said so; M asks for more, Z for the selected path
big=$(cd "$ex/../../shared/testdata/go" && pwd)/gencode3k-cpu.pb.gz
"$smolder" ingest --db "$E2E_TMP/big.db" --service big "$big" 2>/dev/null
fail=0
if serve_start remote --db "$E2E_TMP/big.db"; then
  e2e_start 120 32 "$smolder" --url "http://127.0.0.1:$PORT"
  expect "--url opens the browser on the server" "smolder . 1 service .*http://127\.0\.0\.1:$PORT"
  expect "with the server's services" "▸ big +process_cpu:cpu:nanoseconds" 15
  keys Enter
  expect "a big profile from a server says it was folded" "folded the smallest frames into \"other\" at 16384 nodes" 20
  expect "and the status line keeps saying so" "folded at 16384 nodes \(M\)"
  keys M
  expect "M asks again with twice the nodes" "folded at 32768 nodes \(M\)" 20
  keys j j j 4
  expect "4 on a server's flame graph asks for the full profile" "asking for the full profile" 20
  expect "and the source pane then has the lines" "hottest: line [1-9][0-9]*" 30
  keys 1 r j j Z
  expect "Z asks for the selected call path only" "path only \(Z\)" 20
  keys q
  e2e_stop
  serve_stop
  [ "$fail" -eq 0 ] || E2E_FAILS=$((E2E_FAILS + 1))
else
  E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - smolder serve did not start"
fi

# an empty range moves to the most recent data
"$smolder" ingest --db "$E2E_TMP/old.db" "$ex/cpuwork-cpu.pb.gz" 2>/dev/null
touch -d '3 days ago' "$E2E_TMP/x"
e2e_start 120 32 "$smolder" --db "$E2E_TMP/old.db"
expect "an empty last hour moves to the most recent data" "nothing in the last 1h: showing the most recent data"
keys q
e2e_stop

# the same over --url from a server that refuses a label or series request without a
# range, as Grafana Pyroscope v2's query frontend does (ValidateRangeRequest: "missing
# time range in the query", HTTP 400): a real `smolder serve` of that store behind a front
# that answers those so and passes everything else on.  The browser showed that error.
cat > "$E2E_TMP/v2front.py" <<'EOF'
import json, sys, urllib.error, urllib.request
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
back = "http://127.0.0.1:%s" % sys.argv[1]
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, code, ctype, body):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        req = json.loads(body or b"{}")
        if (self.path.rsplit("/", 1)[-1] in ("Series", "LabelNames", "LabelValues") and
                (int(req.get("start", 0)) == 0 or int(req.get("end", 0)) == 0)):
            return self.answer(400, "application/json", json.dumps({"code": "invalid_argument",
                               "message": "missing time range in the query"}).encode())
        r = urllib.request.Request(back + self.path, body, {"Content-Type": self.headers["Content-Type"]})
        try:
            with urllib.request.urlopen(r) as f:
                self.answer(f.status, f.headers["Content-Type"], f.read())
        except urllib.error.HTTPError as e:
            self.answer(e.code, e.headers["Content-Type"], e.read())
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
fail=0
if serve_start v2front --db "$E2E_TMP/old.db"; then
  python3 "$E2E_TMP/v2front.py" "$PORT" > "$E2E_TMP/v2front.port" &
  front=$!
  for _ in $(seq 100); do [ -s "$E2E_TMP/v2front.port" ] && break; sleep 0.05; done
  e2e_start 120 32 "$smolder" --url "http://127.0.0.1:$(cat "$E2E_TMP/v2front.port")" --codec json
  expect "--url, a server that wants a range: it moves to the most recent data too" \
    "nothing in the last 1h: showing the most recent data" 20
  expect_not "and asked for nothing without a range" "missing time range"
  keys q
  e2e_stop
  kill "$front"
  serve_stop
  [ "$fail" -eq 0 ] || E2E_FAILS=$((E2E_FAILS + 1))
else
  E2E_FAILS=$((E2E_FAILS + 1)); echo "FAIL - smolder serve did not start"
fi

# a server that never answers: the explorer is up at once, says it is reading, and q
# quits (the first query ran before the screen started: blank and deaf until --timeout)
cat > "$E2E_TMP/silent.py" <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
held = []
while True:
    held.append(s.accept()[0])
EOF
python3 "$E2E_TMP/silent.py" > "$E2E_TMP/silent.port" &
silent=$!
for _ in $(seq 100); do [ -s "$E2E_TMP/silent.port" ] && break; sleep 0.05; done
e2e_start 100 24 "$smolder" --url "http://127.0.0.1:$(cat "$E2E_TMP/silent.port")" --timeout 60
expect "a silent server: the browser is on screen at once, reading" "reading the store" 5
keys q
expect "and q quits at once, not after --timeout" "EXITED=0" 3
e2e_stop
kill "$silent"

# the command line's filters apply to what the browser opens (they were ignored)
e2e_start 120 32 "$smolder" --db "$E2E_TMP/old.db" --focus sha256
expect "the browser first" "nothing in the last 1h"
expect "its rows and the timeline of the data it moved to" "timeline sum 9\.24 s"
keys Enter
expect "the profile opened from the browser is filtered: pprof's 1.15 s of 9.24 s" \
  "cpu \(nanoseconds\) . 1\.15 s of 9\.24 s"
expect "and the status line lists the filter" "focus:sha256"
keys q
e2e_stop

# a range and an aggregation on the command line: the browser starts on them (they were
# ignored); and a profile opened from the store by view --profile-type: T browses that
# store on the same range (it said to run smolder --db PATH)
e2e_start 120 32 "$smolder" --db "$db" --from now-3h --to now-2m
expect "--from/--to: the browser starts on that range, not live" "smolder . 4 services . [0-9]+-[0-9]+ [0-9:]+ - [0-9]+-[0-9]+ [0-9:]+ . store"
expect_not "  (and it is not following the clock)" "▸ live"
keys q
e2e_stop
cat > "$E2E_TMP/view.sh" <<EOF
exec "$smolder" view --db "$db" --profile-type process_cpu:cpu:nanoseconds:cpu:nanoseconds \\
  --query '{service_name="checkout"}' --from now-3h
EOF
e2e_start 120 32 bash "$E2E_TMP/view.sh"
expect "view --db --profile-type opens the profile" "cpu \(nanoseconds\)"
keys T
expect "T browses the store it came from, on its range" "smolder . 1 service . last 3 h .*store .*demo"
keys q
e2e_done
